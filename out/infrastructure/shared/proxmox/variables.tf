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

variable "talos_isos" {
  description = "The Talos nocloud ISOs the host's nodes boot (one per schematic): file name in the ISO datastore => Image Factory URL."
  type        = map(string)
}

variable "talos_schematics" {
  description = "The Image Factory schematics (YAML) of those ISOs, by the id computed offline: each is registered with the factory before its ISO is downloaded."
  type        = map(string)
}

variable "download_iso" {
  description = "Whether this unit downloads the ISOs; false when another host's unit owns them on shared storage."
  type        = bool
}

variable "iso_datastore" {
  description = "The datastore holding ISO images."
  type        = string
}

variable "vm_datastore" {
  description = "The datastore for VM disks and cloud-init drives."
  type        = string
}

variable "bridge" {
  description = "The network bridge the VMs attach to."
  type        = string
}

variable "nameservers" {
  description = "DNS servers handed to the VMs through cloud-init."
  type        = list(string)
  default     = []
}

variable "nodes" {
  description = "The VMs on this host, by VM id."
  type = map(object({
    vm_name        = string
    vm_id          = number
    role           = string
    cores          = number
    memory_mib     = number
    disk_gib       = number
    disk_interface = string
    address        = string
    gateway        = string
    startup_order  = number
    description    = string
    iso            = string
    guest_agent    = bool
    mac_address    = string
    vlan_id        = number
    extra_disks = list(object({
      size_gib  = number
      datastore = string
    }))
  }))
}
