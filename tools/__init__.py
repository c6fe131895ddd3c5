"""The project's own build tools: what ``make regen`` runs to rewrite generated files."""
