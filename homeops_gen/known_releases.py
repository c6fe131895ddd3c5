"""The releases homeops-gen knows of, shipped with the package: what the offline checks compare a
model's versions and extension names with (``homeops-gen validate --online`` asks the
registries themselves).

Renovate keeps the ``# renovate:`` lines current (a regex manager on this file, see the
README); a new Talos minor adds its row here with its extensions and its compat.TALOS entry.
Each list is as of its source, named beside it: a newer release is unknown here until then,
so a version newer than these is a warning, never an error.
"""

from __future__ import annotations

TALOS_NEWEST_PATCH: dict[str, str] = {
    # Tags of siderolabs/talos; v1.14.4: issue 23's current versions (the Go module proxy
    # serves github.com/siderolabs/talos v1.14.1).
    # renovate: datasource=github-tags depName=siderolabs/talos allowedVersions=/^v1\.7\./
    "v1.7": "v1.7.7",
    # renovate: datasource=github-tags depName=siderolabs/talos allowedVersions=/^v1\.8\./
    "v1.8": "v1.8.4",
    # renovate: datasource=github-tags depName=siderolabs/talos allowedVersions=/^v1\.9\./
    "v1.9": "v1.9.6",
    # renovate: datasource=github-tags depName=siderolabs/talos allowedVersions=/^v1\.10\./
    "v1.10": "v1.10.9",
    # renovate: datasource=github-tags depName=siderolabs/talos allowedVersions=/^v1\.11\./
    "v1.11": "v1.11.6",
    # renovate: datasource=github-tags depName=siderolabs/talos allowedVersions=/^v1\.12\./
    "v1.12": "v1.12.11",
    # renovate: datasource=github-tags depName=siderolabs/talos allowedVersions=/^v1\.13\./
    "v1.13": "v1.13.9",
    # renovate: datasource=github-tags depName=siderolabs/talos allowedVersions=/^v1\.14\./
    "v1.14": "v1.14.4",
}
"""Talos minor -> its newest patch release known here (every patch up to it was released)."""

TALOS_EXTENSIONS: dict[str, tuple[str, ...]] = {
    minor: tuple(f"siderolabs/{name}" for name in names.split())
    for minor, names in {
        # siderolabs/extensions v1.7.7: 39 extensions
        "v1.7": (
            "amd-ucode amdgpu-firmware binfmt-misc bnx2-bnx2x btrfs chelsio-drivers "
            "chelsio-firmware drbd ecr-credential-provider fuse3 gasket-driver gvisor gvisor-debug "
            "hello-world-service i915-ucode intel-ice-firmware intel-ucode iscsi-tools "
            "kata-containers mdadm mellanox-ofed nonfree-kmod-nvidia nut-client "
            "nvidia-container-toolkit nvidia-fabricmanager nvidia-open-gpu-kernel-modules "
            "qemu-guest-agent qlogic-firmware realtek-firmware spin stargz-snapshotter tailscale "
            "thunderbolt usb-modem-drivers util-linux-tools v4l-uvc-drivers wasmedge "
            "xen-guest-agent zfs"
        ),
        # siderolabs/extensions v1.8.4: 46 extensions
        "v1.8": (
            "amd-ucode amdgpu-firmware binfmt-misc bnx2-bnx2x btrfs chelsio-drivers "
            "chelsio-firmware crun drbd ecr-credential-provider fuse3 gasket-driver gvisor "
            "gvisor-debug hello-world-service i915-ucode intel-ice-firmware intel-ucode iscsi-tools "
            "kata-containers mdadm mei mellanox-ofed nonfree-kmod-nvidia-lts "
            "nonfree-kmod-nvidia-production nut-client nvidia-container-toolkit-lts "
            "nvidia-container-toolkit-production nvidia-fabricmanager-lts "
            "nvidia-fabricmanager-production nvidia-open-gpu-kernel-modules-lts "
            "nvidia-open-gpu-kernel-modules-production qemu-guest-agent qlogic-firmware "
            "realtek-firmware spin stargz-snapshotter tailscale thunderbolt uinput "
            "usb-modem-drivers util-linux-tools v4l-uvc-drivers wasmedge xen-guest-agent zfs"
        ),
        # siderolabs/extensions v1.9.6: 51 extensions
        "v1.9": (
            "amd-ucode amdgpu binfmt-misc bnx2-bnx2x btrfs chelsio-drivers chelsio-firmware "
            "cloudflared crun drbd dvb-cx23885 ecr-credential-provider fuse3 gasket-driver glibc "
            "gvisor gvisor-debug hello-world-service i915 intel-ice-firmware intel-ucode "
            "iscsi-tools kata-containers lldpd mdadm mei mellanox-ofed metal-agent "
            "nonfree-kmod-nvidia-lts nonfree-kmod-nvidia-production nut-client "
            "nvidia-container-toolkit-lts nvidia-container-toolkit-production "
            "nvidia-fabricmanager-lts nvidia-fabricmanager-production "
            "nvidia-open-gpu-kernel-modules-lts nvidia-open-gpu-kernel-modules-production "
            "qemu-guest-agent qlogic-firmware realtek-firmware spin stargz-snapshotter tailscale "
            "thunderbolt uinput usb-modem-drivers util-linux-tools v4l-uvc-drivers wasmedge "
            "xen-guest-agent zfs"
        ),
        # siderolabs/extensions v1.10.9: 62 extensions
        "v1.10": (
            "amazon-ena amd-ucode amdgpu binfmt-misc bnx2-bnx2x btrfs chelsio-drivers "
            "chelsio-firmware cloudflared crun ctr drbd dvb-cx23885 ecr-credential-provider fuse3 "
            "gasket-driver glibc gvisor gvisor-debug hello-world-service i915 intel-ice-firmware "
            "intel-ucode iscsi-tools kata-containers lldpd mdadm mei mellanox-ofed metal-agent "
            "nebula nfsd nonfree-kmod-nvidia-lts nonfree-kmod-nvidia-production nut-client "
            "nvidia-container-toolkit-lts nvidia-container-toolkit-production "
            "nvidia-fabricmanager-lts nvidia-fabricmanager-production "
            "nvidia-open-gpu-kernel-modules-lts nvidia-open-gpu-kernel-modules-production nvme-cli "
            "panfrost qemu-guest-agent qlogic-firmware realtek-firmware revpi-firmware spin "
            "stargz-snapshotter tailscale thunderbolt uinput usb-modem-drivers util-linux-tools "
            "v4l-uvc-drivers vc4 wasmedge xdma-driver xen-guest-agent youki zerotier zfs"
        ),
        # siderolabs/extensions v1.11.6: 67 extensions
        "v1.11": (
            "amazon-ena amd-ucode amdgpu binfmt-misc bnx2-bnx2x btrfs chelsio-drivers "
            "chelsio-firmware cloudflared crun ctr drbd dvb-cx23885 dvb-m88ds3103 "
            "ecr-credential-provider fuse3 gasket-driver glibc gvisor gvisor-debug hailort "
            "hello-world-service i915 intel-ice-firmware intel-ucode iscsi-tools kata-containers "
            "lldpd mdadm mei metal-agent nebula newt nfsd nfsrahead nonfree-kmod-nvidia-lts "
            "nonfree-kmod-nvidia-production nut-client nvidia-container-toolkit-lts "
            "nvidia-container-toolkit-production nvidia-fabricmanager-lts "
            "nvidia-fabricmanager-production nvidia-open-gpu-kernel-modules-lts "
            "nvidia-open-gpu-kernel-modules-production nvme-cli panfrost qemu-guest-agent "
            "qlogic-firmware realtek-firmware revpi-firmware spin stargz-snapshotter tailscale "
            "tenstorrent thunderbolt uinput usb-modem-drivers util-linux-tools v4l-uvc-drivers vc4 "
            "vmtoolsd-guest-agent wasmedge xdma-driver xen-guest-agent youki zerotier zfs"
        ),
        # siderolabs/extensions v1.12.11: 78 extensions
        "v1.12": (
            "amazon-ena amd-ucode amdgpu binfmt-misc bird2 bnx2-bnx2x btrfs chelsio-drivers "
            "chelsio-firmware cloudflared crun ctr drbd dvb-cx23885 dvb-m88ds3103 "
            "ecr-credential-provider fuse3 gasket-driver glibc gpio-pinctrl gvisor gvisor-debug "
            "hailort hello-world-service i915 intel-ice-firmware intel-ucode iscsi-tools "
            "kata-containers lldpd mdadm mei mellanox-mstflint metal-agent multipath-tools nebula "
            "netbird newt nfs-utils nfsd nfsrahead nonfree-kmod-nvidia-lts "
            "nonfree-kmod-nvidia-production nut-client nvidia-container-toolkit-lts "
            "nvidia-container-toolkit-production nvidia-fabricmanager-lts "
            "nvidia-fabricmanager-production nvidia-gdrdrv-device "
            "nvidia-open-gpu-kernel-modules-lts nvidia-open-gpu-kernel-modules-production nvme-cli "
            "panfrost qemu-guest-agent qlogic-firmware realtek-firmware revpi-firmware "
            "soci-snapshotter spin stargz-snapshotter tailscale tenstorrent thunderbolt "
            "trident-iscsi-tools uinput usb-audio-drivers usb-modem-drivers util-linux-tools "
            "v4l-uvc-drivers vc4 vmtoolsd-guest-agent wasmedge xdma-driver xe xen-guest-agent youki "
            "zerotier zfs"
        ),
        # siderolabs/extensions v1.13.9: 83 extensions
        "v1.13": (
            "amazon-ena amd-ucode amdgpu binfmt-misc bird2 bnx2-bnx2x btrfs chelsio-drivers "
            "chelsio-firmware cloudflared crun ctr drbd dvb-cx23885 dvb-m88ds3103 "
            "ecr-credential-provider fuse3 gasket-driver glibc gpio-pinctrl gvisor gvisor-debug "
            "hailort hello-world-service i915 intel-ice-firmware intel-npu intel-ucode iscsi-tools "
            "joydev kata-containers lldpd mdadm mei mellanox-mstflint metal-agent multipath-tools "
            "nebula netbird newt nfs-utils nfsd nfsrahead nonfree-kmod-nvidia-lts "
            "nonfree-kmod-nvidia-production nut-client nvidia-container-toolkit-lts "
            "nvidia-container-toolkit-production nvidia-fabricmanager-lts "
            "nvidia-fabricmanager-production nvidia-gdrdrv-device "
            "nvidia-open-gpu-kernel-modules-lts nvidia-open-gpu-kernel-modules-production nvme-cli "
            "panfrost px-fuse qemu-guest-agent qlogic-firmware realtek-firmware revpi-firmware "
            "rockchip-rknn soci-snapshotter spin stargz-snapshotter tailscale tenstorrent "
            "thunderbolt trident-iscsi-tools uhid uinput usb-audio-drivers usb-modem-drivers "
            "util-linux-tools v4l-uvc-drivers vc4 vmtoolsd-guest-agent wasmedge xdma-driver xe "
            "xen-guest-agent youki zerotier zfs"
        ),
        # siderolabs/extensions v1.14.0-rc.1: 87 extensions
        "v1.14": (
            "amazon-ena amd-ucode amdgpu binfmt-misc bird2 bnx2-bnx2x btrfs chelsio-drivers "
            "chelsio-firmware cloudflared crun ctr drbd dvb-cx23885 dvb-m88ds3103 "
            "ecr-credential-provider fuse3 gasket-driver glibc gpio-pinctrl gvisor gvisor-debug "
            "hailort harbor-credential-provider hello-world-service hyperv-guest-agent i915 "
            "intel-ice-firmware intel-npu intel-ucode iscsi-tools joydev kata-containers "
            "kata-containers-snp lldpd mdadm mei mellanox-mstflint metal-agent multipath-tools "
            "nebula netbird newt nfs-utils nfsd nfsrahead nonfree-kmod-nvidia-lts "
            "nonfree-kmod-nvidia-production nut-client nvidia-container-toolkit-lts "
            "nvidia-container-toolkit-production nvidia-fabricmanager-lts "
            "nvidia-fabricmanager-production nvidia-gdrdrv-device "
            "nvidia-open-gpu-kernel-modules-lts nvidia-open-gpu-kernel-modules-production nvme-cli "
            "panfrost px-fuse qemu qemu-guest-agent qlogic-firmware realtek-firmware revpi-firmware "
            "rockchip-rknn soci-snapshotter spin stargz-snapshotter tailscale tenstorrent "
            "thunderbolt trident-iscsi-tools uhid uinput usb-audio-drivers usb-modem-drivers "
            "util-linux-tools v4l-uvc-drivers vc4 vmtoolsd-guest-agent wasmedge xdma-driver xe "
            "xen-guest-agent youki zerotier zfs"
        ),
    }.items()
}
"""Talos minor -> the official system extensions the Image Factory builds for it: the
``metadata.name`` of every ``manifest.yaml`` of siderolabs/extensions at the tag named."""

HELPER_CHART_NEWEST: dict[str, dict[str, str]] = {
    "cilium": {
        # cilium/cilium releases (1.20.2: the Go module proxy, github.com/cilium/cilium)
        # renovate: datasource=helm registryUrl=https://helm.cilium.io depName=cilium allowedVersions=/^1\.18\./
        "1.18": "1.18.5",
        # renovate: datasource=helm registryUrl=https://helm.cilium.io depName=cilium allowedVersions=/^1\.19\./
        "1.19": "1.19.3",
        # renovate: datasource=helm registryUrl=https://helm.cilium.io depName=cilium allowedVersions=/^1\.20\./
        "1.20": "1.20.2",
    },
    "coredns": {
        # coredns/helm tags coredns-<version>
        # renovate: datasource=helm registryUrl=https://coredns.github.io/helm depName=coredns
        "1": "1.46.2",
    },
    "flux-operator": {
        # controlplaneio-fluxcd/flux-operator tags (up to v0.58.1 in its repository snapshot;
        # v0.60.0: issue 23's current versions); the flux-instance chart shares its version
        # renovate: datasource=docker depName=ghcr.io/controlplaneio-fluxcd/charts/flux-operator
        "0": "0.60.0",
    },
}
"""Chart -> the newest release known here of each line: a minor for cilium, which keeps
several minors patched (any patch of a known minor passes), the whole chart for the others
(any version up to the newest passes)."""
HELPER_CHART_NEWEST["flux-instance"] = HELPER_CHART_NEWEST["flux-operator"]
