# Generated from cluster.py by homeops-gen. Do not edit by hand.

# The Image Factory serves images only for schematics registered with it (POSTed);
# this registers the model's schematic and checks the factory's id is the one the
# ISO URL was computed with. Destroying it deletes nothing at the factory.
resource "talos_image_factory_schematic" "image" {
  schematic = var.talos_schematic

  lifecycle {
    postcondition {
      condition     = self.id == var.talos_schematic_id
      error_message = "The Image Factory registered the schematic as ${self.id}, not ${var.talos_schematic_id}: the ISO URL would not match."
    }
  }
}

# One owner per ISO: on a shared datastore only the owning host's unit downloads it.
resource "proxmox_virtual_environment_download_file" "talos_iso" {
  count      = var.download_iso ? 1 : 0
  depends_on = [talos_image_factory_schematic.image]

  content_type = "iso"
  datastore_id = var.iso_datastore
  node_name    = var.proxmox_node
  url          = var.talos_iso_url
  file_name    = var.talos_iso_file_name
  overwrite    = false
}

moved {
  from = proxmox_virtual_environment_download_file.talos_iso
  to   = proxmox_virtual_environment_download_file.talos_iso[0]
}

locals {
  # The download's id when this unit owns the ISO (so VMs wait for it), else the file's id.
  talos_iso_id = var.download_iso ? proxmox_virtual_environment_download_file.talos_iso[0].id : "${var.iso_datastore}:iso/${var.talos_iso_file_name}"
}

resource "proxmox_virtual_environment_vm" "node" {
  for_each = var.nodes

  name        = each.key
  description = each.value.description
  tags        = sort(["talos", var.cluster_name, each.value.role])
  node_name   = var.proxmox_node
  vm_id       = each.value.vm_id

  on_boot         = true
  stop_on_destroy = true
  scsi_hardware   = "virtio-scsi-single"
  boot_order      = [each.value.disk_interface, "ide3"]

  # Control planes start first, so the API is up when workers join.
  startup {
    order      = each.value.startup_order
    up_delay   = 30
    down_delay = 30
  }

  agent {
    enabled = var.guest_agent
  }

  cpu {
    cores = each.value.cores
    type  = "x86-64-v2-AES"
  }

  memory {
    dedicated = each.value.memory_mib
  }

  # The system disk Talos installs to: scsi0 is /dev/sda in the guest, virtio0 /dev/vda.
  disk {
    datastore_id = var.vm_datastore
    interface    = each.value.disk_interface
    size         = each.value.disk_gib
    file_format  = "raw"
    discard      = "on"
    iothread     = true
  }

  cdrom {
    file_id   = local.talos_iso_id
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
    bridge = var.bridge
    model  = "virtio"
  }

  operating_system {
    type = "l26"
  }
}
