# Generated from cluster.py by homeops-gen. Do not edit by hand.

# One ISO per Talos image the host's nodes boot (nodes with their own extensions
# have their own schematic).
resource "proxmox_virtual_environment_download_file" "talos_iso" {
  for_each = var.talos_isos

  content_type = "iso"
  datastore_id = var.iso_datastore
  node_name    = var.proxmox_node
  url          = each.value
  file_name    = each.key
  overwrite    = false
}

resource "proxmox_virtual_environment_vm" "node" {
  for_each = var.nodes

  name        = each.value.vm_name
  description = each.value.description
  tags        = sort(["talos", var.cluster_name, each.value.role])
  node_name   = var.proxmox_node
  vm_id       = each.value.vm_id

  on_boot         = true
  stop_on_destroy = true
  scsi_hardware   = "virtio-scsi-single"
  boot_order      = ["scsi0", "ide3"]

  # Control planes start first, so the API is up when workers join.
  startup {
    order      = each.value.startup_order
    up_delay   = 30
    down_delay = 30
  }

  agent {
    enabled = each.value.guest_agent
  }

  cpu {
    cores = each.value.cores
    type  = "x86-64-v2-AES"
  }

  memory {
    dedicated = each.value.memory_mib
  }

  disk {
    datastore_id = var.vm_datastore
    interface    = "scsi0"
    size         = each.value.disk_gib
    file_format  = "raw"
    discard      = "on"
    iothread     = true
  }

  # Data disks after the system disk: scsi1, scsi2, ...
  dynamic "disk" {
    for_each = each.value.extra_disks
    content {
      datastore_id = disk.value.datastore
      interface    = "scsi${disk.key + 1}"
      size         = disk.value.size_gib
      file_format  = "raw"
      discard      = "on"
      iothread     = true
    }
  }

  cdrom {
    file_id   = proxmox_virtual_environment_download_file.talos_iso[each.value.iso].id
    interface = "ide3"
  }

  # The Talos nocloud image reads this, so a new VM answers in maintenance
  # mode at the model's IP, where talos-apply looks for it.
  initialization {
    datastore_id = var.vm_datastore
    interface    = "ide2"

    dynamic "dns" {
      for_each = length(var.nameservers) > 0 ? [var.nameservers] : []
      content {
        servers = dns.value
      }
    }

    ip_config {
      ipv4 {
        address = each.value.address
        gateway = var.gateway
      }
    }
  }

  network_device {
    bridge      = var.bridge
    model       = "virtio"
    mac_address = each.value.mac_address
    vlan_id     = each.value.vlan_id
  }

  operating_system {
    type = "l26"
  }
}
