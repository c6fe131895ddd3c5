# Generated from cluster.py by homeops-gen. Do not edit by hand.
#
# The tools and scripts to apply what homeops-gen generated. `devenv shell`
# reads .env (copy .env.example and fill it in) for the credentials when it
# starts, as a shell would: the values stay in the shell's environment. (devenv's
# dotenv integration is not used: it evaluates the values into the Nix store.)
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

  dotenv.disableHint = true;

  enterShell = "if [ -f \"$DEVENV_ROOT/.env\" ]; then set -a; . \"$DEVENV_ROOT/.env\"; set +a; fi";

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
      description = "Generate the Talos machine configs with talhelper (creates the encrypted secrets once)";
      exec = "cd \"$DEVENV_ROOT\" && set -o pipefail && if [ ! -f out/talos/talsecret.sops.yaml ]; then if talhelper gensecret | sops encrypt --filename-override out/talos/talsecret.sops.yaml > out/talos/talsecret.sops.yaml.partial; then mv out/talos/talsecret.sops.yaml.partial out/talos/talsecret.sops.yaml; else rm -f out/talos/talsecret.sops.yaml.partial; echo 'talos-gen: encrypting the Talos secrets failed' >&2; exit 1; fi; fi && talhelper genconfig --config-file out/talos/talconfig.yaml --secret-file out/talos/talsecret.sops.yaml --out-dir out/talos/clusterconfig";
    };
    talos-apply = {
      description = "Apply the machine configs to every node, or to NODE...; nodes in maintenance mode get --insecure";
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
      description = "Bootstrap etcd on the first control plane and fetch the cluster's own kubeconfig";
      exec = "cd \"$DEVENV_ROOT\" && export TALOSCONFIG=out/talos/clusterconfig/talosconfig && talosctl bootstrap --nodes 192.168.2.58 --endpoints 192.168.2.58 && talosctl kubeconfig out/talos/clusterconfig/kubeconfig --nodes 192.168.2.58 --endpoints 192.168.2.58 --force";
    };
    boot = {
      description = "Install the bootstrap apps (CNI, Flux) once; Flux takes over from there";
      exec = "cd \"$DEVENV_ROOT\" && export KUBECONFIG=\"$DEVENV_ROOT\"/out/talos/clusterconfig/kubeconfig && kubectl config use-context admin@nova >/dev/null && cd out/bootstrap && helmfile --kube-context admin@nova sync --hide-notes \"$@\"";
    };
  };
}
