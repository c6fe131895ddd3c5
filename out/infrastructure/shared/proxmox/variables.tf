# Generated from cluster.py by homeops-gen. Do not edit by hand.

variable "proxmox_endpoint" {
  description = "The Proxmox VE API URL of the host."
  type        = string
}

variable "proxmox_insecure" {
  description = "Accept a self-signed TLS certificate on the API."
  type        = bool
  default     = false
}

variable "proxmox_api_token" {
  description = "The API token (user@realm!id=secret), from PROXMOX_<HOST>_API_TOKEN."
  type        = string
  sensitive   = true
}

variable "proxmox_node" {
  description = "The host's node name in Proxmox VE."
  type        = string
}

variable "cluster_name" {
  description = "The Talos cluster the VMs belong to."
  type        = string
}

variable "talos_schematic" {
  description = "The Image Factory schematic (YAML) of the Talos image: its extensions."
  type        = string
}

variable "talos_schematic_id" {
  description = "The schematic's id, computed offline; the ISO URL and the installer image use it."
  type        = string
}

variable "talos_iso_url" {
  description = "The Talos nocloud ISO from the Image Factory, for the model's schematic and version."
  type        = string
}

variable "talos_iso_file_name" {
  description = "The ISO's file name in the ISO datastore."
  type        = string
}

variable "iso_datastore" {
  description = "The datastore holding ISO images."
  type        = string
}

variable "download_iso" {
  description = "Whether this unit downloads the ISO; false when another host's unit owns it on shared storage."
  type        = bool
}

variable "vm_datastore" {
  description = "The datastore for VM disks and cloud-init drives."
  type        = string
}

variable "bridge" {
  description = "The network bridge the VMs attach to."
  type        = string
}

variable "gateway" {
  description = "The IPv4 gateway of the node network, or null."
  type        = string
  default     = null
}

variable "nameservers" {
  description = "DNS servers handed to the VMs through cloud-init."
  type        = list(string)
  default     = []
}

variable "guest_agent" {
  description = "Whether the Talos image runs the QEMU guest agent (the siderolabs/qemu-guest-agent extension)."
  type        = bool
}

variable "nodes" {
  description = "The VMs on this host, by name."
  type = map(object({
    vm_id          = number
    role           = string
    cores          = number
    memory_mib     = number
    disk_gib       = number
    disk_interface = string
    address        = string
    startup_order  = number
    description    = string
  }))
}
