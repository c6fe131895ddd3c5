# Compiled from templates/repository/gitignore.j2 by `make regen`;
# do not edit (loaded only while the fingerprint matches the template).
FINGERPRINT = 'ed17ff5ec089675b372c57fa260339715252e6a8a5ab37af2e1794c4087824ca'
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'repository/gitignore.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_clusterconfig = resolve('clusterconfig')
    pass
    yield '# What this stack leaves behind that must never be committed:\n# credentials and keys\n.env\n*.agekey\nage.key\n# decrypted secrets (sops -d FILE > FILE.dec.yaml and the like)\n*.dec\n*.dec.yaml\n*.dec.json\n*.decrypted\n*.decrypted.*\n# Talos machine configs, talosconfig and kubeconfig hold cluster secrets\n/'
    yield str((undefined(name='clusterconfig') if l_0_clusterconfig is missing else l_0_clusterconfig))
    yield '/\ntalosconfig\nkubeconfig\n# OpenTofu and terragrunt working files and local state\n.terragrunt-cache/\n.terraform/\n*.tfstate\n*.tfstate.*\n# devenv and direnv\n.devenv*\ndevenv.local.nix\n.direnv/\n# Python virtualenvs and caches\n.venv/\nvenv/\n__pycache__/\n'

blocks = {}
debug_info = '13=13'
