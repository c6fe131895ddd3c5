# Generated from cluster.py by homeops-gen. Do not edit by hand.

# The Image Factory serves images only for schematics registered with it (POSTed);
# this registers each schematic and checks the factory's id is the one the ISO URL
# was computed with. Destroying it deletes nothing at the factory.
resource "talos_image_factory_schematic" "image" {
  for_each = var.talos_schematics

  schematic = each.value

  lifecycle {
    postcondition {
      condition     = self.id == each.key
      error_message = "The Image Factory registered the schematic as ${self.id}, not ${each.key}: the ISO URL would not match."
    }
  }
}

# One ISO per Talos image the host's nodes boot (nodes with their own extensions
# have their own schematic). On a shared datastore only the owning host's unit
# downloads: one state per file, and destroying another host's unit deletes none.
resource "proxmox_download_file" "talos_iso" {
  for_each   = var.download_iso ? var.talos_isos : {}
  depends_on = [talos_image_factory_schematic.image]

  content_type = "iso"
  datastore_id = var.iso_datastore
  node_name    = var.proxmox_node
  url          = each.value
  file_name    = each.key
  overwrite    = false
}

# Modules written for bpg before 0.100 named the download by its deprecated long name
# (removed in bpg 1.0): their state moves to the short name instead of downloading anew
# (bpg's upgrade guide; the provider implements the move for this resource).
moved {
  from = proxmox_virtual_environment_download_file.talos_iso
  to   = proxmox_download_file.talos_iso
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
  boot_order      = [each.value.disk_interface, "ide3"]

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

  # The system disk Talos installs to: scsi0 is /dev/sda in the guest, virtio0 /dev/vda.
  disk {
    datastore_id = var.vm_datastore
    interface    = each.value.disk_interface
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
    # The download's id when this unit owns the ISO (so the VM waits for it), else the file's.
    file_id   = var.download_iso ? proxmox_download_file.talos_iso[each.value.iso].id : "${var.iso_datastore}:iso/${each.value.iso}"
    interface = "ide3"
  }

  # The Talos nocloud image reads this, so a new VM answers in maintenance
  # mode at the model's IP, where talos-apply looks for it (a DHCP node's
  # address is "dhcp" and its gateway null: the DHCP server hands out both).
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
        gateway = each.value.gateway
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

# VMs are keyed by VM id, so a renamed node keeps its VM. States written while
# they were keyed by node name move over on the next apply.

moved {
  from = proxmox_virtual_environment_vm.node["controlplane"]
  to   = proxmox_virtual_environment_vm.node["100"]
}

moved {
  from = proxmox_virtual_environment_vm.node["workload"]
  to   = proxmox_virtual_environment_vm.node["101"]
}
