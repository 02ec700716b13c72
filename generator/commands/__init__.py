"""One module per command that does more than call one function: each is a function that
returns the command's exit code (pre-commit's `commands/`); `cli.py` only maps options to it."""
