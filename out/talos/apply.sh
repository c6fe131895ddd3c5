#!/usr/bin/env bash
# Generated from cluster.py by homeops-gen. Do not edit by hand.
#
# Applies the machine configs talos-gen generated to the nodes of
# cluster nova, each on its own: a node that fails does not stop
# the others, and the script ends non-zero naming every node that failed.
#
#   apply.sh                      every node
#   apply.sh NODE...              only these nodes (names or IPs)
#   apply.sh [NODE...] --mode=staged   arguments starting with - go to talosctl apply-config
#
# A node still in maintenance mode (a new VM: it answers without a client
# certificate) gets the config with --insecure; a configured node with the
# cluster's talosconfig.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
config_dir="${here}/clusterconfig"
export TALOSCONFIG="${TALOSCONFIG:-${config_dir}/talosconfig}"

# name ip config-file, one node a line
nodes=(
  'controlplane 192.168.2.58 nova-controlplane.yaml'
  'workload 192.168.2.202 nova-workload.yaml'
)

wanted=()
flags=()
for arg in "$@"; do
  case "${arg}" in
    -*) flags+=("${arg}") ;;
    *) wanted+=("${arg}") ;;
  esac
done

for want in ${wanted[@]+"${wanted[@]}"}; do
  known=no
  for entry in "${nodes[@]}"; do
    read -r name ip file <<<"${entry}"
    if [ "${want}" = "${name}" ] || [ "${want}" = "${ip}" ]; then known=yes; fi
  done
  if [ "${known}" = no ]; then
    echo "no node ${want} in cluster nova (nodes:$(for e in "${nodes[@]}"; do printf ' %s' "${e%% *}"; done))" >&2
    exit 2
  fi
done

in_maintenance() {
  # Only the maintenance service answers without a client certificate.
  talosctl get disks --insecure --nodes "$1" --endpoints "$1" >/dev/null 2>&1
}

failed=()
for entry in "${nodes[@]}"; do
  read -r name ip file <<<"${entry}"
  if [ -n "${wanted[*]:-}" ]; then
    selected=no
    for want in "${wanted[@]}"; do
      if [ "${want}" = "${name}" ] || [ "${want}" = "${ip}" ]; then selected=yes; fi
    done
    [ "${selected}" = yes ] || continue
  fi
  if [ ! -f "${config_dir}/${file}" ]; then
    echo "missing ${config_dir}/${file}: run talos-gen first" >&2
    exit 1
  fi
  mode=()
  if in_maintenance "${ip}"; then
    mode=(--insecure)
    echo "applying ${file} to ${name} (${ip}, maintenance mode)"
  else
    echo "applying ${file} to ${name} (${ip})"
  fi
  if ! talosctl apply-config --nodes "${ip}" --endpoints "${ip}" --file "${config_dir}/${file}" \
    ${mode[@]+"${mode[@]}"} ${flags[@]+"${flags[@]}"}; then
    failed+=("${name}")
  fi
done

if [ -n "${failed[*]:-}" ]; then
  echo "apply failed on: ${failed[*]}" >&2
  exit 1
fi
