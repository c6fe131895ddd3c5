# Compiled from templates/repository/gitattributes.j2 by `make regen`;
# do not edit (loaded only while the fingerprint matches the template).
FINGERPRINT = '08b0f8266188f4f67a45673b07f0404fcf33cd26c89571aec9f5d4c8d2f4b354'
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'repository/gitattributes.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_generated = resolve('generated')
    l_0_manifest = resolve('manifest')
    pass
    yield '# Generated files fold in code review; the ownership manifest is shown as a\n# one-line change instead of a hash per file.\n'
    for l_1_pattern in (undefined(name='generated') if l_0_generated is missing else l_0_generated):
        _loop_vars = {}
        pass
        yield str(l_1_pattern)
        yield ' linguist-generated=true\n'
    l_1_pattern = missing
    yield '/'
    yield str((undefined(name='manifest') if l_0_manifest is missing else l_0_manifest))
    yield ' -diff linguist-generated=true\n'

blocks = {}
debug_info = '3=14&4=17&6=21'
