"""One module per layer: each renders its templates into ``{path: text}``."""
