# Compiled from templates/infrastructure/hosts/terragrunt.hcl.j2 by `make regen`;
# do not edit (loaded only while the fingerprint matches the template).
FINGERPRINT = '3d980af0abaaaf00e6c7a0604b0a500954e38408991b383d5f068335ac0dcf07'
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'infrastructure/hosts/terragrunt.hcl.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_header = resolve('header')
    l_0_host = resolve('host')
    l_0_nodes = resolve('nodes')
    l_0_source = resolve('source')
    l_0_iso_owner = resolve('iso_owner')
    l_0_inputs = resolve('inputs')
    try:
        t_1 = environment.filters['hcl']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'hcl' found.")
    try:
        t_2 = environment.filters['hcl_string']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'hcl_string' found.")
    try:
        t_3 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    pass
    yield '# '
    yield str((undefined(name='header') if l_0_header is missing else l_0_header))
    yield '\n# Proxmox host '
    yield str(t_2(environment.getattr((undefined(name='host') if l_0_host is missing else l_0_host), 'name')))
    yield ': '
    yield str(t_3((undefined(name='nodes') if l_0_nodes is missing else l_0_nodes)))
    yield ' Talos VM(s).\n\ninclude "root" {\n  path = find_in_parent_folders("root.hcl")\n}\n\nterraform {\n  source = '
    yield str(t_2((undefined(name='source') if l_0_source is missing else l_0_source)))
    yield '\n}\n'
    if ((undefined(name='iso_owner') if l_0_iso_owner is missing else l_0_iso_owner) != environment.getattr((undefined(name='host') if l_0_host is missing else l_0_host), 'name')):
        pass
        yield '\n# The ISO on the shared datastore '
        yield str(t_2(environment.getattr((undefined(name='host') if l_0_host is missing else l_0_host), 'iso_datastore')))
        yield ' is downloaded by\n# host '
        yield str(t_2((undefined(name='iso_owner') if l_0_iso_owner is missing else l_0_iso_owner)))
        yield "'s unit: apply it first.\ndependencies {\n  paths = ["
        yield str(t_2(str_join(('../', (undefined(name='iso_owner') if l_0_iso_owner is missing else l_0_iso_owner), ))))
        yield ']\n}\n'
    yield '\ninputs = '
    yield str(t_1((undefined(name='inputs') if l_0_inputs is missing else l_0_inputs)))
    yield '\n'

blocks = {}
debug_info = '1=36&2=38&9=42&11=44&13=47&14=49&16=51&20=54'
