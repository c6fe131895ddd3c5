# Compiled from templates/talos/upgrade.sh.j2 by `make regen`;
# do not edit (loaded only while the fingerprint matches the template).
FINGERPRINT = 'a6e18cd4114c4204a681e6179b0cb37dc0b2cf9ccaa619207319c0a936f3e35d'
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'talos/upgrade.sh.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_header = resolve('header')
    l_0_cluster = resolve('cluster')
    l_0_clusterconfig = resolve('clusterconfig')
    l_0_talosconfig = resolve('talosconfig')
    l_0_health_timeout = resolve('health_timeout')
    l_0_nodes = resolve('nodes')
    try:
        t_1 = environment.filters['join']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'join' found.")
    try:
        t_2 = environment.filters['list']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'list' found.")
    try:
        t_3 = environment.filters['map']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'map' found.")
    try:
        t_4 = environment.filters['rejectattr']
    except KeyError:
        @internalcode
        def t_4(*unused):
            raise TemplateRuntimeError("No filter named 'rejectattr' found.")
    try:
        t_5 = environment.filters['sh']
    except KeyError:
        @internalcode
        def t_5(*unused):
            raise TemplateRuntimeError("No filter named 'sh' found.")
    pass
    yield '#!/usr/bin/env bash\n# '
    yield str((undefined(name='header') if l_0_header is missing else l_0_header))
    yield '\n#\n# Upgrades cluster '
    yield str(t_5(environment.getattr((undefined(name='cluster') if l_0_cluster is missing else l_0_cluster), 'name')))
    yield ' to the versions of cluster.py. Talos first, then\n# Kubernetes, one minor release at a time (regenerate and run again for the next one):\n#   upgrade.sh talos        every node to its installer image of Talos '
    yield str(environment.getattr(environment.getattr((undefined(name='cluster') if l_0_cluster is missing else l_0_cluster), 'versions'), 'talos'))
    yield ':\n#                           control planes one at a time, then workers, waiting for the\n#                           cluster to be healthy before and after each node\n#   upgrade.sh kubernetes   talosctl upgrade-k8s to Kubernetes '
    yield str(environment.getattr(environment.getattr((undefined(name='cluster') if l_0_cluster is missing else l_0_cluster), 'versions'), 'kubernetes'))
    yield '\n# Extra arguments go to talosctl upgrade / upgrade-k8s (e.g. --dry-run for kubernetes).\nset -euo pipefail\n\nhere="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"\nconfig_dir="${here}/'
    yield str((undefined(name='clusterconfig') if l_0_clusterconfig is missing else l_0_clusterconfig))
    yield '"\nexport TALOSCONFIG="${TALOSCONFIG:-${config_dir}/'
    yield str((undefined(name='talosconfig') if l_0_talosconfig is missing else l_0_talosconfig))
    yield '}"\ncontrol_plane='
    yield str(t_5(environment.getattr(environment.getitem(environment.getattr((undefined(name='cluster') if l_0_cluster is missing else l_0_cluster), 'control_planes'), 0), 'ip')))
    yield '\n\nhealth() {\n  talosctl health --nodes "${control_plane}" --endpoints "${control_plane}" \\\n    --control-plane-nodes '
    yield str(t_5(t_1(context.eval_ctx, t_3(context, environment.getattr((undefined(name='cluster') if l_0_cluster is missing else l_0_cluster), 'control_planes'), attribute='ip'), ',')))
    yield ' \\\n'
    if t_2(context.eval_ctx, t_4(context, environment.getattr((undefined(name='cluster') if l_0_cluster is missing else l_0_cluster), 'nodes'), 'is_controlplane')):
        pass
        yield '    --worker-nodes '
        yield str(t_5(t_1(context.eval_ctx, t_3(context, t_4(context, environment.getattr((undefined(name='cluster') if l_0_cluster is missing else l_0_cluster), 'nodes'), 'is_controlplane'), attribute='ip'), ',')))
        yield ' \\\n'
    yield '    --wait-timeout '
    yield str(t_5((undefined(name='health_timeout') if l_0_health_timeout is missing else l_0_health_timeout)))
    yield '\n}\n\nupgrade_node() {\n  local name="$1" node="$2" image="$3"\n  shift 3\n  echo "upgrading ${name} (${node}) to ${image}"\n  talosctl upgrade --nodes "${node}" --endpoints "${node}" --image "${image}" "$@"\n  health\n}\n\ncase "${1:-}" in\n  talos)\n    shift\n    health\n'
    for (l_1_name, l_1_ip, l_1_image) in (undefined(name='nodes') if l_0_nodes is missing else l_0_nodes):
        _loop_vars = {}
        pass
        yield '    upgrade_node '
        yield str(t_5(l_1_name))
        yield ' '
        yield str(t_5(l_1_ip))
        yield ' '
        yield str(t_5(l_1_image))
        yield ' "$@"\n'
    l_1_name = l_1_ip = l_1_image = missing
    yield '    ;;\n  kubernetes)\n    shift\n    talosctl upgrade-k8s --nodes "${control_plane}" --endpoints "${control_plane}" \\\n      --to '
    yield str(t_5(environment.getattr(environment.getattr((undefined(name='cluster') if l_0_cluster is missing else l_0_cluster), 'versions'), 'kubernetes')))
    yield ' "$@"\n    ;;\n  *)\n    echo "usage: $0 talos|kubernetes [talosctl arguments]" >&2\n    exit 2\n    ;;\nesac\n'

blocks = {}
debug_info = '2=48&4=50&6=52&9=54&14=56&15=58&16=60&20=62&21=64&22=67&24=70&39=72&40=76&46=84'
