# Compiled from templates/devenv/env.example.j2 by `make regen`;
# do not edit (loaded only while the fingerprint matches the template).
FINGERPRINT = '7f83e21c21b1df051731941ff2549b6c143f3425d6d1282149d679997da8eedc'
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'devenv/env.example.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_header = resolve('header')
    l_0_variables = resolve('variables')
    pass
    yield '# '
    yield str((undefined(name='header') if l_0_header is missing else l_0_header))
    yield '\n# Every environment variable the generated files read. Copy to .env (never\n# commit it) and fill in the values.\n'
    for (l_1_name, l_1_description) in (undefined(name='variables') if l_0_variables is missing else l_0_variables):
        _loop_vars = {}
        pass
        yield '\n# '
        yield str(l_1_description)
        yield '\n'
        yield str(l_1_name)
        yield '=\n'
    l_1_name = l_1_description = missing

blocks = {}
debug_info = '1=14&4=16&6=20&7=22'
