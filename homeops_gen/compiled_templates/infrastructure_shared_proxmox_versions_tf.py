# Compiled from templates/infrastructure/shared/proxmox/versions.tf.j2 by `make regen`;
# do not edit (loaded only while the fingerprint matches the template).
FINGERPRINT = 'a2b1d0e8671d86f670d78ca812d3edd6a2b9fa16fe6e0d6d78fb8d67bae79ac7'
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'infrastructure/shared/proxmox/versions.tf.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_header = resolve('header')
    l_0_tofu_version = resolve('tofu_version')
    l_0_provider_version = resolve('provider_version')
    l_0_talos_provider_version = resolve('talos_provider_version')
    try:
        t_1 = environment.filters['hcl_string']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'hcl_string' found.")
    pass
    yield '# '
    yield str((undefined(name='header') if l_0_header is missing else l_0_header))
    yield '\n\nterraform {\n  required_version = '
    yield str(t_1((undefined(name='tofu_version') if l_0_tofu_version is missing else l_0_tofu_version)))
    yield '\n\n  required_providers {\n    proxmox = {\n      source  = "bpg/proxmox"\n      version = '
    yield str(t_1((undefined(name='provider_version') if l_0_provider_version is missing else l_0_provider_version)))
    yield '\n    }\n    talos = {\n      source  = "siderolabs/talos"\n      version = '
    yield str(t_1((undefined(name='talos_provider_version') if l_0_talos_provider_version is missing else l_0_talos_provider_version)))
    yield '\n    }\n  }\n}\n'

blocks = {}
debug_info = '1=22&4=24&9=26&13=28'
