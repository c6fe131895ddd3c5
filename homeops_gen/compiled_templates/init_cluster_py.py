# Compiled from templates/init/cluster.py.j2 by `make regen`;
# do not edit (loaded only while the fingerprint matches the template).
FINGERPRINT = 'd5c37d7cea8b75dc6b995940fec849424ff316b72e1c469503471bad98f1b330'
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'init/cluster.py.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_cluster_name = resolve('cluster_name')
    l_0_talos = resolve('talos')
    l_0_kubernetes = resolve('kubernetes')
    l_0_homeops_gen_version = resolve('homeops_gen_version')
    l_0_cilium = resolve('cilium')
    pass
    yield '"""The cluster '
    yield str((undefined(name='cluster_name') if l_0_cluster_name is missing else l_0_cluster_name))
    yield ': three Talos VMs on one Proxmox host.\n\nEdit this file, then run `homeops-gen` and review the diff of out/ before you\ncommit. Every value marked CHANGE is an example: replace it with yours.\n"""\n\nfrom homeops_gen import (\n    Automation,\n    Cluster,\n    GitOps,\n    Network,\n    Node,\n    ProxmoxHost,\n    RemoteState,\n    Sops,\n    Talos,\n    Versions,\n)\nfrom homeops_gen.apps import cilium, coredns, flux_instance, flux_operator\n\ncluster = Cluster(\n    name="'
    yield str((undefined(name='cluster_name') if l_0_cluster_name is missing else l_0_cluster_name))
    yield '",\n    # Kubernetes 1.36: the newest that Cilium 1.20 is tested with (Talos 1.14 runs up to 1.37).\n    versions=Versions(talos="'
    yield str((undefined(name='talos') if l_0_talos is missing else l_0_talos))
    yield '", kubernetes="'
    yield str((undefined(name='kubernetes') if l_0_kubernetes is missing else l_0_kubernetes))
    yield '"),\n    network=Network(\n        node_cidr="192.168.10.0/24",  # CHANGE: the LAN the VMs are on\n        gateway="192.168.10.1",  # CHANGE: its router\n        nameservers=["192.168.10.1"],  # CHANGE: the DNS servers the nodes use\n        # Addresses Cilium gives LoadBalancer services and Gateways; inside\n        # node_cidr (and outside your DHCP range) they are announced with ARP.\n        load_balancer_cidr="192.168.10.224/28",  # CHANGE\n    ),\n    # A shared address for the Kubernetes API, held by a healthy control plane.\n    endpoint="192.168.10.20",  # CHANGE: a free address in node_cidr\n    hosts=[\n        ProxmoxHost(\n            name="pve",  # CHANGE: a short name for the host (used in file and variable names)\n            endpoint="https://pve.home.arpa:8006/",  # CHANGE: the Proxmox API URL\n            node_name="pve",  # CHANGE: the node\'s name in Proxmox (Datacenter view)\n            vm_datastore="local-lvm",  # CHANGE: the datastore for VM disks\n            iso_datastore="local",  # CHANGE: a datastore that holds ISO images\n            bridge="vmbr0",\n            insecure=True,  # a fresh Proxmox has a self-signed certificate; False once it has a real one\n        ),\n    ],\n    nodes=[\n        Node(\n            name=f"'
    yield str((undefined(name='cluster_name') if l_0_cluster_name is missing else l_0_cluster_name))
    yield '-{i + 1}",\n            role="controlplane",\n            host="pve",\n            vm_id=200 + i,  # CHANGE: free VM ids on your Proxmox\n            ip=f"192.168.10.{21 + i}",  # CHANGE: free addresses in node_cidr\n            cores=4,\n            memory_mib=8192,\n            disk_gib=64,\n        )\n        for i in range(3)\n    ],\n    talos=Talos(\n        # talosctl alone makes the machine configs (talhelper is archived).\n        backend="talosctl",\n        extensions=["siderolabs/qemu-guest-agent"],\n        install_disk="/dev/sda",\n        # Three control planes and no workers: they run the workloads too.\n        allow_scheduling_on_control_planes=True,\n    ),\n    state=RemoteState(bucket="'
    yield str((undefined(name='cluster_name') if l_0_cluster_name is missing else l_0_cluster_name))
    yield '-tofu-state"),  # CHANGE: your Cloudflare R2 bucket\n    gitops=GitOps(\n        repository="https://github.com/your-name/home-ops",  # CHANGE: this repository\'s URL\n        branch="main",\n    ),\n    # CHANGE: the public key of your age key (age-keygen -o age.key prints it).\n    sops=Sops(age_recipients=["age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq"]),\n    # The CI workflow (.github/workflows/homeops-gen.yaml) installs homeops-gen with pip.\n    # homeops-gen is not on PyPI yet: point install at a Git repository holding this\n    # version\'s tag (a fork of homeops-gen, or wherever you keep it). Once\n    # `pip install homeops-gen=='
    yield str((undefined(name='homeops_gen_version') if l_0_homeops_gen_version is missing else l_0_homeops_gen_version))
    yield '` works, delete install= to use PyPI.\n    automation=Automation(\n        install="git+https://github.com/OWNER/homeops-gen@v'
    yield str((undefined(name='homeops_gen_version') if l_0_homeops_gen_version is missing else l_0_homeops_gen_version))
    yield '",  # CHANGE\n    ),\n    # Renovate (renovate.json) bumps every version written in this file. One it cannot\n    # find by itself, such as a chart URL kept in a variable, needs a comment above it:\n    # "# renovate: datasource=helm depName=<chart> registryUrl=<repository URL>".\n    apps=[\n        cilium("'
    yield str((undefined(name='cilium') if l_0_cilium is missing else l_0_cilium))
    yield '"),\n        coredns("1.45.0"),\n        flux_operator("0.60.0"),\n        flux_instance("0.60.0"),\n    ],\n)\n'

blocks = {}
debug_info = '1=17&22=19&24=21&48=25&67=27&77=29&79=31&85=33'
