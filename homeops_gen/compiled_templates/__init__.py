"""Every template of ``templates/``, compiled by Jinja2 ahead of time (see
:mod:`homeops_gen.templating`); written by ``python -m tests.test_compiled_templates``."""
