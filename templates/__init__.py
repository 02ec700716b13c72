"""gitops-gen's built-in templates: installed as the package `generator.builtin_templates`
(see pyproject.toml) so they are read with importlib.resources wherever the tool is installed."""
