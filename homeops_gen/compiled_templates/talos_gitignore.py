# Compiled from templates/talos/gitignore.j2 by `make regen`;
# do not edit (loaded only while the fingerprint matches the template).
FINGERPRINT = 'a1dfac09661c6e9e2caf7e22040a511d891d8b230994d6104f2cef3029639900'
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'talos/gitignore.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_header = resolve('header')
    l_0_clusterconfig = resolve('clusterconfig')
    pass
    yield '# '
    yield str((undefined(name='header') if l_0_header is missing else l_0_header))
    yield '\n# Machine configs and talosconfig hold cluster secrets: never commit them.\n/'
    yield str((undefined(name='clusterconfig') if l_0_clusterconfig is missing else l_0_clusterconfig))
    yield '/\n'

blocks = {}
debug_info = '1=14&3=16'
