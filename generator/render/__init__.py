"""Pure rendering: a validated Catalog in, `{root: {path: text}}` out. Nothing touches disk."""
