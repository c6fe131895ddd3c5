# Generated from cluster.py by homeops-gen. Do not edit by hand.
# Proxmox host "hypnos": 2 Talos VM(s).

include "root" {
  path = find_in_parent_folders("root.hcl")
}

terraform {
  source = "../../shared/proxmox"
}

inputs = {
  proxmox_endpoint = "https://hypnos.zorilla-snares.ts.net:8006/"
  proxmox_insecure = false
  proxmox_node     = "hypnos"
  cluster_name     = "nova"
  talos_isos = {
    "talos-v1.11.5-ce4c980550dd-nocloud-amd64.iso" = "https://factory.talos.dev/image/ce4c980550dd2ab1b17bbf2b08801c7eb59418eafe8f279833297925d67c7515/v1.11.5/nocloud-amd64.iso"
  }
  talos_schematics = {
    ce4c980550dd2ab1b17bbf2b08801c7eb59418eafe8f279833297925d67c7515 = "customization:\n    systemExtensions:\n        officialExtensions:\n            - siderolabs/qemu-guest-agent\n"
  }
  download_iso  = true
  iso_datastore = "local"
  vm_datastore  = "vms1"
  bridge        = "vmbr0"
  nodes = {
    "100" = {
      vm_name        = "controlplane"
      vm_id          = 100
      role           = "controlplane"
      cores          = 2
      memory_mib     = 4096
      disk_gib       = 48
      disk_interface = "scsi0"
      address        = "192.168.2.58/24"
      gateway        = "192.168.2.1"
      startup_order  = 1
      description    = "Talos controlplane of cluster nova. Managed by homeops-gen."
      iso            = "talos-v1.11.5-ce4c980550dd-nocloud-amd64.iso"
      guest_agent    = true
      mac_address    = null
      vlan_id        = null
      extra_disks    = []
    }
    "101" = {
      vm_name        = "workload"
      vm_id          = 101
      role           = "worker"
      cores          = 3
      memory_mib     = 4096
      disk_gib       = 48
      disk_interface = "scsi0"
      address        = "192.168.2.202/24"
      gateway        = "192.168.2.1"
      startup_order  = 2
      description    = "Talos worker of cluster nova. Managed by homeops-gen."
      iso            = "talos-v1.11.5-ce4c980550dd-nocloud-amd64.iso"
      guest_agent    = true
      mac_address    = null
      vlan_id        = null
      extra_disks    = []
    }
  }
}
