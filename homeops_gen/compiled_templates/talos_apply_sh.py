# Compiled from templates/talos/apply.sh.j2 by `make regen`;
# do not edit (loaded only while the fingerprint matches the template).
FINGERPRINT = '37a83876d012d2dcab1007e466c2686c4fc98eaaaf52f1c3e6e360c99c49f621'
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'talos/apply.sh.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_header = resolve('header')
    l_0_cluster = resolve('cluster')
    l_0_metal_isos = resolve('metal_isos')
    l_0_schematics = resolve('schematics')
    l_0_clusterconfig = resolve('clusterconfig')
    l_0_talosconfig = resolve('talosconfig')
    l_0_targets = resolve('targets')
    try:
        t_1 = environment.filters['sh']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'sh' found.")
    pass
    yield '#!/usr/bin/env bash\n# '
    yield str((undefined(name='header') if l_0_header is missing else l_0_header))
    yield '\n#\n# Applies the machine configs talos-gen generated to the nodes of\n# cluster '
    yield str(t_1(environment.getattr((undefined(name='cluster') if l_0_cluster is missing else l_0_cluster), 'name')))
    yield ", each on its own: a node that fails does not stop\n# the others, and the script ends non-zero naming every node that failed.\n#\n#   apply.sh                      every node\n#   apply.sh NODE...              only these nodes (names or IPs)\n#   apply.sh [NODE...] --mode=staged   arguments starting with - go to talosctl apply-config\n#\n# A node still in maintenance mode (a new VM: it answers without a client\n# certificate) gets the config with --insecure; a configured node with the\n# cluster's talosconfig.\n"
    l_1_loop = missing
    for (l_1_name, l_1_url), l_1_loop in LoopContext((undefined(name='metal_isos') if l_0_metal_isos is missing else l_0_metal_isos), undefined):
        _loop_vars = {}
        pass
        if environment.getattr(l_1_loop, 'first'):
            pass
            yield '#\n# Bare-metal nodes boot the Talos metal ISO of their schematic once, and must be\n# reachable at their IP in maintenance mode (a DHCP reservation):\n'
        yield '#   '
        yield str(l_1_name)
        yield ': '
        yield str(l_1_url)
        yield '\n'
    l_1_loop = l_1_name = l_1_url = missing
    l_1_loop = missing
    for l_1_path, l_1_loop in LoopContext((undefined(name='schematics') if l_0_schematics is missing else l_0_schematics), undefined):
        l_1_image_factory = resolve('image_factory')
        _loop_vars = {}
        pass
        if environment.getattr(l_1_loop, 'first'):
            pass
            yield '# The Image Factory serves them once their schematic is registered (from this folder):\n'
        yield '#   curl -X POST --data-binary @'
        yield str(l_1_path)
        yield ' https://'
        yield str((undefined(name='image_factory') if l_1_image_factory is missing else l_1_image_factory))
        yield '/schematics\n'
    l_1_loop = l_1_path = l_1_image_factory = missing
    yield 'set -uo pipefail\n\nhere="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"\nconfig_dir="${here}/'
    yield str((undefined(name='clusterconfig') if l_0_clusterconfig is missing else l_0_clusterconfig))
    yield '"\nexport TALOSCONFIG="${TALOSCONFIG:-${config_dir}/'
    yield str((undefined(name='talosconfig') if l_0_talosconfig is missing else l_0_talosconfig))
    yield '}"\n\n# name ip config-file, one node a line\nnodes=(\n'
    for (l_1_name, l_1_ip, l_1_file) in (undefined(name='targets') if l_0_targets is missing else l_0_targets):
        _loop_vars = {}
        pass
        yield '  '
        yield str(t_1(str_join((l_1_name, ' ', l_1_ip, ' ', l_1_file, ))))
        yield '\n'
    l_1_name = l_1_ip = l_1_file = missing
    yield ')\n\nwanted=()\nflags=()\nfor arg in "$@"; do\n  case "${arg}" in\n    -*) flags+=("${arg}") ;;\n    *) wanted+=("${arg}") ;;\n  esac\ndone\n\nfor want in ${wanted[@]+"${wanted[@]}"}; do\n  known=no\n  for entry in "${nodes[@]}"; do\n    read -r name ip file <<<"${entry}"\n    if [ "${want}" = "${name}" ] || [ "${want}" = "${ip}" ]; then known=yes; fi\n  done\n  if [ "${known}" = no ]; then\n    echo "no node ${want} in cluster '
    yield str(environment.getattr((undefined(name='cluster') if l_0_cluster is missing else l_0_cluster), 'name'))
    yield ' (nodes:$(for e in "${nodes[@]}"; do printf \' %s\' "${e%% *}"; done))" >&2\n    exit 2\n  fi\ndone\n\nin_maintenance() {\n  # Only the maintenance service answers without a client certificate.\n  talosctl get disks --insecure --nodes "$1" --endpoints "$1" >/dev/null 2>&1\n}\n\nfailed=()\nfor entry in "${nodes[@]}"; do\n  read -r name ip file <<<"${entry}"\n  if [ -n "${wanted[*]:-}" ]; then\n    selected=no\n    for want in "${wanted[@]}"; do\n      if [ "${want}" = "${name}" ] || [ "${want}" = "${ip}" ]; then selected=yes; fi\n    done\n    [ "${selected}" = yes ] || continue\n  fi\n  if [ ! -f "${config_dir}/${file}" ]; then\n    echo "missing ${config_dir}/${file}: run talos-gen first" >&2\n    exit 1\n  fi\n  mode=()\n  if in_maintenance "${ip}"; then\n    mode=(--insecure)\n    echo "applying ${file} to ${name} (${ip}, maintenance mode)"\n  else\n    echo "applying ${file} to ${name} (${ip})"\n  fi\n  if ! talosctl apply-config --nodes "${ip}" --endpoints "${ip}" --file "${config_dir}/${file}" \\\n    ${mode[@]+"${mode[@]}"} ${flags[@]+"${flags[@]}"}; then\n    failed+=("${name}")\n  fi\ndone\n\nif [ -n "${failed[*]:-}" ]; then\n  echo "apply failed on: ${failed[*]}" >&2\n  exit 1\nfi\n'

blocks = {}
debug_info = '2=25&5=27&15=30&16=33&21=37&23=43&24=47&27=51&32=57&33=59&37=61&38=65&58=69'
