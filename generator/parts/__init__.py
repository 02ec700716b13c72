"""parts layer."""
