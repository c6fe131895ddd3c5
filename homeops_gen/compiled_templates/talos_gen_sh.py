# Compiled from templates/talos/gen.sh.j2 by `make regen`;
# do not edit (loaded only while the fingerprint matches the template).
FINGERPRINT = '0a6bfe0cb4d26ae661c410e8a2902fd5b3b2e9754184e3ba5335823154945584'
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'talos/gen.sh.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_header = resolve('header')
    l_0_cluster = resolve('cluster')
    l_0_clusterconfig = resolve('clusterconfig')
    l_0_root = resolve('root')
    l_0_secrets = resolve('secrets')
    l_0_contract = resolve('contract')
    l_0_cluster_patches = resolve('cluster_patches')
    l_0_role_patches = resolve('role_patches')
    l_0_nodes = resolve('nodes')
    l_0_talosconfig = resolve('talosconfig')
    l_0_control_plane_ips = resolve('control_plane_ips')
    try:
        t_1 = environment.filters['sh']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'sh' found.")
    pass
    yield '#!/usr/bin/env bash\n# '
    yield str((undefined(name='header') if l_0_header is missing else l_0_header))
    yield '\n#\n# talos-gen for the talosctl backend: makes the machine config of every node of\n# cluster '
    yield str(t_1(environment.getattr((undefined(name='cluster') if l_0_cluster is missing else l_0_cluster), 'name')))
    yield ' in '
    yield str(t_1((undefined(name='clusterconfig') if l_0_clusterconfig is missing else l_0_clusterconfig)))
    yield ' (never commit it).\n# The cluster secrets are made once by `talosctl gen secrets` and encrypted by SOPS\n# on the way to disk; they are decrypted only into a pipe. Each node\'s config is\n# `talosctl gen config` (its role, install disk and installer image) with the\n# cluster-wide patches, then its role\'s, then `talosctl machineconfig patch` with its\n# own patches, each list in order.\nset -euo pipefail\n\ncd "$(dirname "${BASH_SOURCE[0]}")/'
    yield str((undefined(name='root') if l_0_root is missing else l_0_root))
    yield '"\nsecrets='
    yield str(t_1((undefined(name='secrets') if l_0_secrets is missing else l_0_secrets)))
    yield '\nconfig_dir='
    yield str(t_1((undefined(name='clusterconfig') if l_0_clusterconfig is missing else l_0_clusterconfig)))
    yield '\ncontract='
    yield str(t_1((undefined(name='contract') if l_0_contract is missing else l_0_contract)))
    yield '\n\nif [ ! -f "${secrets}" ]; then\n  echo "creating the cluster secrets in ${secrets} (SOPS-encrypted)"\n  trap \'rm -f "${secrets}.tmp"\' EXIT\n  talosctl gen secrets --force --talos-version "${contract}" --output-file /dev/stdout \\\n    | sops encrypt --filename-override "${secrets}" --input-type yaml --output-type yaml \\\n    > "${secrets}.tmp"\n  mv "${secrets}.tmp" "${secrets}"\nfi\nmkdir -p "${config_dir}"\n\ngen_config() {\n  talosctl gen config '
    yield str(t_1(environment.getattr((undefined(name='cluster') if l_0_cluster is missing else l_0_cluster), 'name')))
    yield ' '
    yield str(t_1(environment.getattr((undefined(name='cluster') if l_0_cluster is missing else l_0_cluster), 'api_url')))
    yield ' \\\n    --with-secrets <(sops decrypt "${secrets}") \\\n    --talos-version "${contract}" \\\n    --kubernetes-version '
    yield str(t_1(environment.getattr(environment.getattr((undefined(name='cluster') if l_0_cluster is missing else l_0_cluster), 'versions'), 'kubernetes')))
    yield ' \\\n    --with-docs=false --with-examples=false \\\n'
    for l_1_path in (undefined(name='cluster_patches') if l_0_cluster_patches is missing else l_0_cluster_patches):
        _loop_vars = {}
        pass
        yield '    --config-patch @'
        yield str(t_1(l_1_path))
        yield ' \\\n'
    l_1_path = missing
    yield '    "$@"\n}\n\nnode() {\n  local hostname="$1" role="$2" disk="$3" image="$4" file="$5"\n  shift 5\n  local role_patch=() node_patch=()\n'
    l_1_loop = missing
    for (l_1_role, l_1_paths), l_1_loop in LoopContext(context.call(environment.getattr((undefined(name='role_patches') if l_0_role_patches is missing else l_0_role_patches), 'items')), undefined):
        _loop_vars = {}
        pass
        yield '  if [ "${role}" = '
        yield str(t_1(l_1_role))
        yield ' ]; then\n    role_patch=('
        l_2_loop = missing
        for l_2_path, l_2_loop in LoopContext(l_1_paths, undefined):
            _loop_vars = {}
            pass
            yield str((' ' if (not environment.getattr(l_2_loop, 'first')) else cond_expr_undefined("the inline if-expression on line 46 in 'talos/gen.sh.j2' evaluated to false and no else section was defined.")))
            yield '--config-patch-'
            yield str(('control-plane' if (l_1_role == 'controlplane') else l_1_role))
            yield ' @'
            yield str(t_1(l_2_path))
        l_2_loop = l_2_path = missing
        yield ')\n  fi\n'
    l_1_loop = l_1_role = l_1_paths = missing
    yield '  for patch in "$@"; do\n    node_patch+=(--patch "@${patch}")\n  done\n  echo "generating ${file} (${hostname})"\n  gen_config "${role_patch[@]}" --output-types "${role}" --output - \\\n    --install-disk "${disk}" --install-image "${image}" \\\n    | talosctl machineconfig patch /dev/stdin "${node_patch[@]}" --output "${file}"\n}\n\n'
    for (l_1_hostname, l_1_role, l_1_disk, l_1_image, l_1_file, l_1_patches) in (undefined(name='nodes') if l_0_nodes is missing else l_0_nodes):
        _loop_vars = {}
        pass
        yield 'node '
        yield str(t_1(l_1_hostname))
        yield ' '
        yield str(t_1(l_1_role))
        yield ' '
        yield str(t_1(l_1_disk))
        yield ' '
        yield str(t_1(l_1_image))
        yield ' '
        yield str(t_1(l_1_file))
        for l_2_patch in l_1_patches:
            _loop_vars = {}
            pass
            yield ' '
            yield str(t_1(l_2_patch))
        l_2_patch = missing
        yield '\n'
    l_1_hostname = l_1_role = l_1_disk = l_1_image = l_1_file = l_1_patches = missing
    yield 'gen_config --output-types talosconfig --output '
    yield str(t_1((undefined(name='talosconfig') if l_0_talosconfig is missing else l_0_talosconfig)))
    yield ' --force\ntalosctl --talosconfig '
    yield str(t_1((undefined(name='talosconfig') if l_0_talosconfig is missing else l_0_talosconfig)))
    yield ' config endpoint'
    for l_1_ip in (undefined(name='control_plane_ips') if l_0_control_plane_ips is missing else l_0_control_plane_ips):
        _loop_vars = {}
        pass
        yield ' '
        yield str(t_1(l_1_ip))
    l_1_ip = missing
    yield '\n'

blocks = {}
debug_info = '2=29&5=31&13=35&14=37&15=39&16=41&29=43&32=47&34=49&35=53&44=58&45=62&46=65&58=77&59=81&62=99&63=101'
