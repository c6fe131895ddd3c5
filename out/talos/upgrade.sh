#!/usr/bin/env bash
# Generated from cluster.py by homeops-gen. Do not edit by hand.
#
# Upgrades cluster nova to the versions of cluster.py. Talos first, then
# Kubernetes, one minor release at a time (regenerate and run again for the next one):
#   upgrade.sh talos        every node to its installer image of Talos v1.11.5:
#                           control planes one at a time, then workers, waiting for the
#                           cluster to be healthy before and after each node
#   upgrade.sh kubernetes   talosctl upgrade-k8s to Kubernetes v1.34.0
# Extra arguments go to talosctl upgrade / upgrade-k8s (e.g. --dry-run for kubernetes).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
config_dir="${here}/clusterconfig"
export TALOSCONFIG="${TALOSCONFIG:-${config_dir}/talosconfig}"
control_plane=192.168.2.58

health() {
  talosctl health --nodes "${control_plane}" --endpoints "${control_plane}" \
    --control-plane-nodes 192.168.2.58 \
    --worker-nodes 192.168.2.202 \
    --wait-timeout 10m
}

upgrade_node() {
  local name="$1" node="$2" image="$3"
  shift 3
  echo "upgrading ${name} (${node}) to ${image}"
  talosctl upgrade --nodes "${node}" --endpoints "${node}" --image "${image}" "$@"
  health
}

case "${1:-}" in
  talos)
    shift
    health
    upgrade_node controlplane 192.168.2.58 factory.talos.dev/nocloud-installer/ce4c980550dd2ab1b17bbf2b08801c7eb59418eafe8f279833297925d67c7515:v1.11.5 "$@"
    upgrade_node workload 192.168.2.202 factory.talos.dev/nocloud-installer/ce4c980550dd2ab1b17bbf2b08801c7eb59418eafe8f279833297925d67c7515:v1.11.5 "$@"
    ;;
  kubernetes)
    shift
    talosctl upgrade-k8s --nodes "${control_plane}" --endpoints "${control_plane}" \
      --to v1.34.0 "$@"
    ;;
  *)
    echo "usage: $0 talos|kubernetes [talosctl arguments]" >&2
    exit 2
    ;;
esac
