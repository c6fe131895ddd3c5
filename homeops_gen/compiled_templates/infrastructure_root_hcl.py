# Compiled from templates/infrastructure/root.hcl.j2 by `make regen`;
# do not edit (loaded only while the fingerprint matches the template).
FINGERPRINT = 'fdb9bbd8a7fbf94df3259dd66acc7580bc23f88c992da721e51215ab211084a3'
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'infrastructure/root.hcl.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_header = resolve('header')
    l_0_state = resolve('state')
    l_0_credentials = resolve('credentials')
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
    pass
    yield '# '
    yield str((undefined(name='header') if l_0_header is missing else l_0_header))
    yield '\n# Included by every hosts/<host>/terragrunt.hcl.\n\n# OpenTofu state lives in Cloudflare R2, through the S3 backend. Its keys are not\n# written here: the backend reads AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the\n# environment, so they never reach the generated backend.tf or .terraform/.\n# A lock object beside the state (use_lockfile, OpenTofu >= 1.10) serialises applies.\nremote_state {\n  backend = "s3"\n  generate = {\n    path      = "backend.tf"\n    if_exists = "overwrite_terragrunt"\n  }\n  config = {\n    bucket                      = '
    yield str(t_2(environment.getattr((undefined(name='state') if l_0_state is missing else l_0_state), 'bucket')))
    yield '\n    key                         = "${path_relative_to_include()}/terraform.tfstate"\n    region                      = "auto"\n    endpoints                   = { s3 = "https://${get_env('
    yield str(t_2(environment.getattr((undefined(name='state') if l_0_state is missing else l_0_state), 'account_id_env')))
    yield ')}.r2.cloudflarestorage.com" }\n    use_lockfile                = true\n    skip_bucket_versioning      = true\n    skip_bucket_ssencryption    = true\n    skip_bucket_root_access     = true\n    skip_bucket_enforced_tls    = true\n    skip_credentials_validation = true\n    skip_metadata_api_check     = true\n    skip_region_validation      = true\n    skip_requesting_account_id  = true\n    skip_s3_checksum            = true\n    use_path_style              = true\n  }\n}\n\nlocals {\n  host = basename(get_terragrunt_dir())\n  # The environment variables holding each host\'s Proxmox credentials.\n  credentials = '
    yield str(t_1((undefined(name='credentials') if l_0_credentials is missing else l_0_credentials), 1))
    yield '\n}\n\nterraform {\n  extra_arguments "proxmox_credentials" {\n    commands = get_terraform_commands_that_need_vars()\n    env_vars = {\n      TF_VAR_proxmox_api_token = get_env(local.credentials[local.host].api_token)\n    }\n  }\n}\n'

blocks = {}
debug_info = '1=27&15=29&18=31&36=33'
