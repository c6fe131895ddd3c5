"""The reference cluster "nova": two Talos VMs on one Proxmox host.

Edit this file, run `homeops-gen` (or `make generate`), review the diff of out/.
"""

from homeops_gen import (
    App,
    Chart,
    Cluster,
    GitOps,
    Network,
    Node,
    ProxmoxHost,
    RemoteState,
    Sops,
    Talos,
    Versions,
)
from homeops_gen.apps import cilium, coredns, flux_instance, flux_operator

cluster = Cluster(
    name="nova",
    versions=Versions(talos="v1.11.5", kubernetes="v1.34.0"),
    network=Network(
        node_cidr="192.168.2.0/24",
        gateway="192.168.2.1",
        pod_cidr="10.42.0.0/16",
        service_cidr="10.43.0.0/16",
        load_balancer_cidr="192.168.69.0/24",
    ),
    hosts=[
        ProxmoxHost(
            name="hypnos",
            endpoint="https://hypnos.zorilla-snares.ts.net:8006/",
            vm_datastore="vms1",
            iso_datastore="local",
            bridge="vmbr0",
        ),
    ],
    nodes=[
        Node(
            name="controlplane",
            role="controlplane",
            host="hypnos",
            vm_id=100,
            ip="192.168.2.58",
            cores=2,
            memory_mib=4096,
            disk_gib=48,
            labels={"physical-location": "nas"},
        ),
        Node(
            name="workload",
            role="worker",
            host="hypnos",
            vm_id=101,
            ip="192.168.2.202",
            cores=3,
            memory_mib=4096,
            disk_gib=48,
            labels={"physical-location": "nas"},
        ),
    ],
    talos=Talos(
        extensions=["siderolabs/qemu-guest-agent"],
        install_disk="/dev/sda",
        allow_scheduling_on_control_planes=True,
    ),
    state=RemoteState(bucket="home-ops-remote-state"),
    gitops=GitOps(repository="https://github.com/diegocaspi/home-ops", branch="main"),
    sops=Sops(age_recipients=["age1uufdnvkw0darvl867yuk58dd80k7yynag27r2au4vua9hc28y4zsal98g4"]),
    apps=[
        cilium("1.18.4"),
        flux_operator("0.36.0"),
        flux_instance("0.36.0"),
    ],
)
