"""Jinja templates for every text family: the engine, its formats, override checks."""
