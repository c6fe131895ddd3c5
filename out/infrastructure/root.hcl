# Generated from cluster.py by homeops-gen. Do not edit by hand.
# Included by every hosts/<host>/terragrunt.hcl.

# OpenTofu state lives in Cloudflare R2, through the S3 backend. Its keys are not
# written here: the backend reads AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the
# environment, so they never reach the generated backend.tf or .terraform/.
# A lock object beside the state (use_lockfile, OpenTofu >= 1.10) serialises applies.
remote_state {
  backend = "s3"
  generate = {
    path      = "backend.tf"
    if_exists = "overwrite_terragrunt"
  }
  config = {
    bucket                      = "home-ops-remote-state"
    key                         = "${path_relative_to_include()}/terraform.tfstate"
    region                      = "auto"
    endpoints                   = { s3 = "https://${get_env("CLOUDFLARE_ACCOUNT_ID")}.r2.cloudflarestorage.com" }
    use_lockfile                = true
    skip_bucket_versioning      = true
    skip_bucket_ssencryption    = true
    skip_bucket_root_access     = true
    skip_bucket_enforced_tls    = true
    skip_credentials_validation = true
    skip_metadata_api_check     = true
    skip_region_validation      = true
    skip_requesting_account_id  = true
    skip_s3_checksum            = true
    use_path_style              = true
  }
}

locals {
  host = basename(get_terragrunt_dir())
  # The environment variables holding each host's Proxmox credentials.
  credentials = {
    hypnos = {
      api_token = "PROXMOX_HYPNOS_API_TOKEN"
    }
  }
}

terraform {
  extra_arguments "proxmox_credentials" {
    commands = get_terraform_commands_that_need_vars()
    env_vars = {
      TF_VAR_proxmox_api_token = get_env(local.credentials[local.host].api_token)
    }
  }
}
