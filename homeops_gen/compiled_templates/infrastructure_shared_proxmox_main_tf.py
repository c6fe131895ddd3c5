# Compiled from templates/infrastructure/shared/proxmox/main.tf.j2 by `make regen`;
# do not edit (loaded only while the fingerprint matches the template).
FINGERPRINT = 'e0b4b5490b32718fa4c23a0c6d427948f36769dffdbb13513705fee88e413c25'
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'infrastructure/shared/proxmox/main.tf.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_header = resolve('header')
    l_0_network_card_model = resolve('network_card_model')
    l_0_moved = resolve('moved')
    try:
        t_1 = environment.filters['hcl']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'hcl' found.")
    try:
        t_2 = environment.filters['hcl_string']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'hcl_string' found.")
    pass
    yield '# '
    yield str((undefined(name='header') if l_0_header is missing else l_0_header))
    yield '\n\n# The Image Factory serves images only for schematics registered with it (POSTed);\n# this registers each schematic and checks the factory\'s id is the one the ISO URL\n# was computed with. Destroying it deletes nothing at the factory.\nresource "talos_image_factory_schematic" "image" {\n  for_each = var.talos_schematics\n\n  schematic = each.value\n\n  lifecycle {\n    postcondition {\n      condition     = self.id == each.key\n      error_message = "The Image Factory registered the schematic as ${self.id}, not ${each.key}: the ISO URL would not match."\n    }\n  }\n}\n\n# One ISO per Talos image the host\'s nodes boot (nodes with their own extensions\n# have their own schematic). On a shared datastore only the owning host\'s unit\n# downloads: one state per file, and destroying another host\'s unit deletes none.\nresource "proxmox_download_file" "talos_iso" {\n  for_each   = var.download_iso ? var.talos_isos : {}\n  depends_on = [talos_image_factory_schematic.image]\n\n  content_type = "iso"\n  datastore_id = var.iso_datastore\n  node_name    = var.proxmox_node\n  url          = each.value\n  file_name    = each.key\n  overwrite    = false\n}\n\n# Modules written for bpg before 0.100 named the download by its deprecated long name\n# (removed in bpg 1.0): their state moves to the short name instead of downloading anew\n# (bpg\'s upgrade guide; the provider implements the move for this resource).\nmoved {\n  from = proxmox_virtual_environment_download_file.talos_iso\n  to   = proxmox_download_file.talos_iso\n}\n\nresource "proxmox_virtual_environment_vm" "node" {\n  for_each = var.nodes\n\n  name        = each.value.vm_name\n  description = each.value.description\n  tags        = sort(["talos", var.cluster_name, each.value.role])\n  node_name   = var.proxmox_node\n  vm_id       = each.value.vm_id\n\n  on_boot         = true\n  stop_on_destroy = true\n  scsi_hardware   = "virtio-scsi-single"\n  boot_order      = [each.value.disk_interface, "ide3"]\n\n  # Control planes start first, so the API is up when workers join.\n  startup {\n    order      = each.value.startup_order\n    up_delay   = 30\n    down_delay = 30\n  }\n\n  agent {\n    enabled = each.value.guest_agent\n  }\n\n  cpu {\n    cores = each.value.cores\n    type  = "x86-64-v2-AES"\n  }\n\n  memory {\n    dedicated = each.value.memory_mib\n  }\n\n  # The system disk Talos installs to: scsi0 is /dev/sda in the guest, virtio0 /dev/vda.\n  disk {\n    datastore_id = var.vm_datastore\n    interface    = each.value.disk_interface\n    size         = each.value.disk_gib\n    file_format  = "raw"\n    discard      = "on"\n    iothread     = true\n  }\n\n  # Data disks after the system disk: scsi1, scsi2, ...\n  dynamic "disk" {\n    for_each = each.value.extra_disks\n    content {\n      datastore_id = disk.value.datastore\n      interface    = "scsi${disk.key + 1}"\n      size         = disk.value.size_gib\n      file_format  = "raw"\n      discard      = "on"\n      iothread     = true\n    }\n  }\n\n  cdrom {\n    # The download\'s id when this unit owns the ISO (so the VM waits for it), else the file\'s.\n    file_id   = var.download_iso ? proxmox_download_file.talos_iso[each.value.iso].id : "${var.iso_datastore}:iso/${each.value.iso}"\n    interface = "ide3"\n  }\n\n  # The Talos nocloud image reads this, so a new VM answers in maintenance\n  # mode at the model\'s IP, where talos-apply looks for it (a DHCP node\'s\n  # address is "dhcp" and its gateway null: the DHCP server hands out both).\n  initialization {\n    datastore_id = var.vm_datastore\n    interface    = "ide2"\n\n    dynamic "dns" {\n      for_each = length(var.nameservers) > 0 ? [var.nameservers] : []\n      content {\n        servers = dns.value\n      }\n    }\n\n    ip_config {\n      ipv4 {\n        address = each.value.address\n        gateway = each.value.gateway\n      }\n    }\n  }\n\n  network_device {\n    bridge      = var.bridge\n    model       = '
    yield str(t_1((undefined(name='network_card_model') if l_0_network_card_model is missing else l_0_network_card_model)))
    yield '\n    mac_address = each.value.mac_address\n    vlan_id     = each.value.vlan_id\n  }\n\n  operating_system {\n    type = "l26"\n  }\n}\n'
    l_1_loop = missing
    for (l_1_name, l_1_key), l_1_loop in LoopContext((undefined(name='moved') if l_0_moved is missing else l_0_moved), undefined):
        _loop_vars = {}
        pass
        if environment.getattr(l_1_loop, 'first'):
            pass
            yield '\n# VMs are keyed by VM id, so a renamed node keeps its VM. States written while\n# they were keyed by node name move over on the next apply.\n'
        yield '\nmoved {\n  from = proxmox_virtual_environment_vm.node['
        yield str(t_2(l_1_name))
        yield ']\n  to   = proxmox_virtual_environment_vm.node['
        yield str(t_2(l_1_key))
        yield ']\n}\n'
    l_1_loop = l_1_name = l_1_key = missing

blocks = {}
debug_info = '1=27&129=29&138=32&139=35&146=39&147=41'
