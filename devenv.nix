# Generated from cluster.py by homeops-gen. Do not edit by hand.
#
# The tools and scripts to apply what homeops-gen generated. `devenv shell`
# loads .env (copy .env.example and fill it in) for the credentials.
{ pkgs, ... }:

{
  packages = [
    pkgs.age
    pkgs.fluxcd
    pkgs.git
    pkgs.helmfile
    pkgs.kubectl
    pkgs.kubernetes-helm
    pkgs.opentofu
    pkgs.sops
    pkgs.talhelper
    pkgs.talosctl
    pkgs.terragrunt
  ];

  dotenv.enable = true;

  scripts = {
    gen = {
      description = "Regenerate out/ and the root files from cluster.py";
      exec = "cd \"$DEVENV_ROOT\" && homeops-gen \"$@\"";
    };
    infra-plan = {
      description = "Plan the Proxmox VMs of every host (terragrunt)";
      exec = "cd \"$DEVENV_ROOT\" && cd out/infrastructure && terragrunt run --all plan \"$@\"";
    };
    infra-apply = {
      description = "Create or update the Proxmox VMs of every host (terragrunt)";
      exec = "cd \"$DEVENV_ROOT\" && cd out/infrastructure && terragrunt run --all apply \"$@\"";
    };
    talos-gen = {
      description = "Generate the Talos machine configs with talhelper (creates the secrets once)";
      exec = "cd \"$DEVENV_ROOT\" && if [ ! -f out/talos/talsecret.sops.yaml ]; then talhelper gensecret > out/talos/talsecret.sops.yaml && sops --encrypt --in-place out/talos/talsecret.sops.yaml; fi && talhelper genconfig --config-file out/talos/talconfig.yaml --secret-file out/talos/talsecret.sops.yaml --out-dir out/talos/clusterconfig";
    };
    talos-encrypt = {
      description = "Encrypt the Talos secrets file with SOPS";
      exec = "cd \"$DEVENV_ROOT\" && sops --encrypt --in-place out/talos/talsecret.sops.yaml";
    };
    talos-apply = {
      description = "Apply the machine configs to every node (--insecure for maintenance mode)";
      exec = "cd \"$DEVENV_ROOT\" && out/talos/apply.sh \"$@\"";
    };
    talos-upgrade = {
      description = "Upgrade Talos node by node (control planes one at a time) to the model's version";
      exec = "cd \"$DEVENV_ROOT\" && out/talos/upgrade.sh talos \"$@\"";
    };
    k8s-upgrade = {
      description = "Upgrade Kubernetes to the model's version (talosctl upgrade-k8s)";
      exec = "cd \"$DEVENV_ROOT\" && out/talos/upgrade.sh kubernetes \"$@\"";
    };
    talos-bootstrap = {
      description = "Bootstrap etcd on the first control plane and fetch the kubeconfig";
      exec = "cd \"$DEVENV_ROOT\" && export TALOSCONFIG=out/talos/clusterconfig/talosconfig && talosctl bootstrap --nodes 192.168.2.58 --endpoints 192.168.2.58 && talosctl kubeconfig --nodes 192.168.2.58 --endpoints 192.168.2.58 --force";
    };
    boot = {
      description = "Install the bootstrap apps (CNI, Flux) once; Flux takes over from there";
      exec = "cd \"$DEVENV_ROOT\" && cd out/bootstrap && helmfile sync --hide-notes \"$@\"";
    };
  };
}
