"""Jinja2 templates, one folder per layer, mirroring ``out/``."""
