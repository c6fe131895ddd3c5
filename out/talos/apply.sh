#!/usr/bin/env bash
# Generated from cluster.py by homeops-gen. Do not edit by hand.
#
# Applies the machine configs talos-gen generated to every node of
# cluster nova. Extra arguments go to talosctl apply-config, e.g.
#   apply.sh --insecure      first apply, nodes still in maintenance mode
#   apply.sh --mode=staged   apply on next reboot
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
config_dir="${here}/clusterconfig"
export TALOSCONFIG="${TALOSCONFIG:-${config_dir}/talosconfig}"

apply() {
  local node="$1" file="$2"
  shift 2
  if [ ! -f "${config_dir}/${file}" ]; then
    echo "missing ${config_dir}/${file}: run talos-gen first" >&2
    exit 1
  fi
  echo "applying ${file} to ${node}"
  talosctl apply-config --nodes "${node}" --endpoints "${node}" --file "${config_dir}/${file}" "$@"
}

apply 192.168.2.58 nova-controlplane.yaml "$@"
apply 192.168.2.202 nova-workload.yaml "$@"
