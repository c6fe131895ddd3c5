"""Every model string is emitted safely: YAML, HCL, shell and Nix parse back to the same value."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import hcl2
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homeops_gen.formats import hcl_string, hcl_value, nix_string, shell_quote, to_yaml, yaml_file
from homeops_gen.model import App, Chart, Cluster
from homeops_gen.project import Project
from homeops_gen.render import render
from tests.consumers.checks import tool
from tests.models import BASE

TRICKY = [
    "yes",
    "no",
    "on",
    "off",
    "true",
    "null",
    "~",
    "",
    "0755",
    "0x1F",
    "1e3",
    "1_000",
    ".inf",
    ".5",
    ".",
    "..",
    "...",
    "...x",
    "./app",
    "../x",
    "./x:",
    ".nan",
    "10.0.0.1",
    "10.10.0.0/16",
    "1.18.4",
    "1:20",
    "190:20:30",
    "0o17",
    "0b101",
    "2001-12-14",
    "2001-12-14t21:59:43.10-05:00",
    "1.5",
    "-1",
    "12e03",
    "1,000",
    "a\nb",
    "a\n\nb\n",
    "a\n  b\n",
    "a \nb\n",
    "a\n\n",
    " a\nb\n",
    "a\nb ",
    "a\n\tb\n",
    "- a\n# b\n",
    "a\n...\n---\n",
    "a: b",
    "#x",
    "*x",
    "&x",
    "!tag",
    "- item",
    "[list]",
    "{map}",
    "|",
    ">",
    "%x",
    "@x",
    "`x",
    " leading",
    "trailing ",
    "new\nline",
    "trailing newline\n",
    "\ttab",
    "quote'\"",
    "back\\slash",
    "unicode ✓ é 日本",
    "${x}",
    "%{if x}",
    "$${x}",
    "x${",
    "'; rm -rf / #",
    "$(id)",
    "`id`",
    "''",
    "\\${x}",
    "---",
    "...",
    "key: [1, 2]",
]


def decode_hcl_string(literal: str) -> str:
    """The value of a quoted HCL string literal (HCL's escapes, doubled ``$${`` and ``%%{``)."""
    assert literal.startswith('"') and literal.endswith('"'), literal
    body, out, i = literal[1:-1], [], 0
    simple = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
    while i < len(body):
        char = body[i]
        if char == "\\":
            code = body[i + 1]
            if code in simple:
                out.append(simple[code])
                i += 2
            elif code == "u":
                out.append(chr(int(body[i + 2 : i + 6], 16)))
                i += 6
            elif code == "U":
                out.append(chr(int(body[i + 2 : i + 10], 16)))
                i += 10
            else:
                raise ValueError(f"bad escape in {literal}")
        elif body.startswith(("$${", "%%{"), i):
            out.append(body[i] + "{")
            i += 3
        elif body.startswith(("${", "%{"), i):
            raise ValueError(f"unescaped template sequence in {literal}")
        else:
            out.append(char)
            i += 1
    return "".join(out)


def decode_nix_string(literal: str) -> str:
    """The value of a double-quoted Nix string without interpolations."""
    assert literal.startswith('"') and literal.endswith('"')
    body, out, i = literal[1:-1], [], 0
    while i < len(body):
        if body[i] == "\\":
            out.append({"n": "\n", "r": "\r", "t": "\t"}.get(body[i + 1], body[i + 1]))
            i += 2
        elif body.startswith("${", i):
            raise ValueError("unescaped interpolation")
        elif body[i] == '"':
            raise ValueError("unescaped quote")
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


@pytest.mark.parametrize("value", TRICKY)
def test_yaml_keeps_tricky_strings(value: str) -> None:
    assert yaml.safe_load(to_yaml({"k": value, value: [value]})) == {"k": value, value: [value]}


@pytest.mark.parametrize("value", TRICKY)
def test_hcl_keeps_tricky_strings(value: str) -> None:
    parsed = hcl2.loads(f"a = {hcl_string(value)}\n")
    assert decode_hcl_string(parsed["a"]) == value


@pytest.mark.parametrize("value", TRICKY)
def test_shell_keeps_tricky_strings(value: str) -> None:
    out = subprocess.run(
        ["bash", "-c", f"printf %s {shell_quote(value)}"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout == value


@pytest.mark.parametrize("value", TRICKY)
def test_nix_keeps_tricky_strings(value: str) -> None:
    assert decode_nix_string(nix_string(value)) == value


text = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)


@given(st.dictionaries(text, st.one_of(text, st.integers(), st.booleans(), st.none()), max_size=5))
def test_yaml_round_trips_any_mapping(data: dict[str, Any]) -> None:
    assert yaml.safe_load(to_yaml(data)) == data


@given(text)
def test_hcl_round_trips_any_string(value: str) -> None:
    parsed = hcl2.loads(f"a = {hcl_value({'k': value})}\n")
    assert decode_hcl_string(parsed["a"]["k"] if isinstance(parsed["a"], dict) else "") == value


@given(text)
def test_shell_quote_is_one_word(value: str) -> None:
    value = value.replace("\x00", "")
    out = subprocess.run(
        ["bash", "-c", f"printf %s {shell_quote(value)}"], capture_output=True, check=True
    )
    assert out.stdout.decode("utf-8", "surrogateescape") == value


@given(text)
def test_nix_round_trips_any_string(value: str) -> None:
    assert decode_nix_string(nix_string(value)) == value


def _project(**changes: Any) -> Project:
    data = {**BASE, **changes}
    return Project(cluster=Cluster.model_validate(data))


label_value = st.from_regex(r"\A([A-Za-z0-9]([-A-Za-z0-9_.]{0,20}[A-Za-z0-9])?)?\Z")
label_key = st.from_regex(
    r"\A([a-z0-9]([-a-z0-9]{0,8}[a-z0-9])?\.)?[a-z0-9]{1,10}/?[A-Za-z0-9]{1,8}\Z"
)

SLOW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SLOW
@given(st.dictionaries(text, text, min_size=1, max_size=4), text)
def test_app_values_reach_helmrelease_and_helmfile_unchanged(
    values: dict[str, str], nested: str
) -> None:
    from homeops_gen.apps import cilium, flux_instance, flux_operator

    app = App(
        name="web",
        namespace="web",
        chart=Chart(url="oci://registry.example.com/web", version="1.0.0"),
        values={"top": values, "list": [nested]},
        bootstrap=True,
    )
    files = render(
        _project(apps=[cilium("1.18.4"), flux_operator("0.36.0"), flux_instance("0.36.0"), app])
    )
    release = yaml.safe_load(files["out/kubernetes/apps/web/web/app/helmrelease.yaml"])
    assert release["spec"]["values"] == {"list": [nested], "top": values}
    helmfile = yaml.safe_load(files["out/bootstrap/helmfile.yaml"])
    web = next(r for r in helmfile["releases"] if r["name"] == "web")
    assert web["values"] == [{"list": [nested], "top": values}]


@SLOW
@given(st.dictionaries(label_key, label_value, max_size=3), text)
def test_labels_and_descriptions_round_trip(labels: dict[str, str], description: str) -> None:
    nodes = [dict(BASE["nodes"][0], labels=labels, description=description), *BASE["nodes"][1:]]
    try:
        project = _project(nodes=nodes)
    except ValueError:
        return  # a key the model refuses (e.g. too long) never reaches a file
    files = render(project)
    talconfig = yaml.safe_load(files["out/talos/talconfig.yaml"])
    assert talconfig["nodes"][0].get("nodeLabels", {}) == labels
    hcl = hcl2.loads(files["out/infrastructure/hosts/pve/terragrunt.hcl"])
    inputs = hcl["inputs"]
    node = inputs["nodes"]['"100"']
    expected = description or "Talos controlplane of cluster test. Managed by homeops-gen."
    assert decode_hcl_string(node["description"]) == expected


def test_yaml_file_layout() -> None:
    text = yaml_file({"a": [1, {"b": "x"}]}, {"c": "multi\nline\n"}, schema="https://s")
    assert text.splitlines()[:2] == [
        "# Generated from cluster.py by homeops-gen. Do not edit by hand.",
        "# yaml-language-server: $schema=https://s",
    ]
    assert "---\na:\n  - 1\n  - b: x\n---\nc: |\n  multi\n  line\n" in text


def test_hcl_objects_align_like_terraform_fmt() -> None:
    # A multi-line attribute joins no alignment group: it ends the run before it
    # (hclwrite's formatter gives a line whose brackets do not close no "assign" cell).
    text = hcl_value({"a": 1, "long_name": {"x": 1}, "b": "s", "cc": True})
    assert text == '{\n  a = 1\n  long_name = {\n    x = 1\n  }\n  b  = "s"\n  cc = true\n}'
    text = hcl_value({"a": 1, "bb": 2, "nodes": {"x": 1, "yy": [{"z": 1}]}})
    assert text == (
        "{\n  a  = 1\n  bb = 2\n  nodes = {\n    x = 1\n    yy = [\n      {\n"
        "        z = 1\n      },\n    ]\n  }\n}"
    )


@pytest.mark.parametrize("name", ["a b", "UPPER", "-x", "x" * 64, "under_score"])
def test_names_that_no_target_can_hold_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="DNS-1123"):
        _project(nodes=[dict(BASE["nodes"][0], name=name)])


def test_no_unquoted_template_sequence_in_hcl() -> None:
    assert not re.search(r"(?<!\\u0024)\$\{", hcl_string("${a} ${b}"))


paths = st.from_regex(r"\A[./0-9][A-Za-z0-9_./:@+=-]{0,12}\Z")
yaml_scalars = st.one_of(
    text, paths, st.integers(), st.booleans(), st.none(), st.sampled_from(TRICKY)
)
yaml_keys = st.one_of(
    st.from_regex(r"\A[A-Za-z_][A-Za-z0-9_./-]{0,12}\Z"), text, st.sampled_from(TRICKY)
)
yaml_data = st.recursive(
    yaml_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(yaml_keys, inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)  # a property, not a timing: load must not fail it
@given(st.dictionaries(yaml_keys, yaml_data, min_size=1, max_size=5))
def test_fast_yaml_path_writes_exactly_what_pyyaml_writes(data: dict[str, Any]) -> None:
    from homeops_gen.formats import _pyyaml

    assert to_yaml(data) == _pyyaml(data)
    assert yaml.safe_load(to_yaml(data)) == data


def test_a_yaml_file_carries_the_documents_it_was_written_from() -> None:
    from homeops_gen.formats import Generated

    first, second = {"a": "./x", "b": [1, 2]}, {"c": "multi\nline\n"}
    text = yaml_file(first, second)
    assert isinstance(text, Generated) and text.data == (first, second)
    assert list(yaml.safe_load_all(text)) == [first, second]
    edited = text.replace("./x", "./y")  # edited text no longer claims the data
    assert type(edited) is str and not isinstance(text + "", Generated)


mac = st.builds(
    lambda first, rest: ":".join([f"{first * 2:02X}", *(f"{b:02X}" for b in rest)]),
    st.integers(0, 127),
    st.lists(st.integers(0, 255), min_size=5, max_size=5),
)


@SLOW
@given(
    st.dictionaries(label_key, label_value, max_size=3),
    text,
    st.dictionaries(st.from_regex(r"\A[A-Z_][A-Z0-9_]{0,8}\Z"), text, min_size=1, max_size=3),
    text,
)
def test_namespaces_flux_options_and_talos_patches_round_trip(
    labels: dict[str, str], annotation: str, substitute: dict[str, str], sysctl: str
) -> None:
    from homeops_gen.apps import cilium, flux_instance, flux_operator

    app = App(
        name="web",
        namespace="web",
        chart=Chart(url="oci://registry.example.com/web", version="v1.0.0"),
        kustomization={"postBuild": {"substitute": substitute}},
        release={"valuesFrom": [{"kind": "ConfigMap", "name": "web", "valuesKey": "values.yaml"}]},
    )
    try:
        project = _project(
            apps=[cilium("1.18.4"), flux_operator("0.36.0"), flux_instance("0.36.0"), app],
            namespaces=[
                {"name": "web", "labels": labels, "annotations": {"example.com/note": annotation}}
            ],
            talos={"patches": [{"machine": {"sysctls": {"vm.example": sysctl}}}]},
        )
    except ValueError:
        return  # a key the model refuses never reaches a file
    files = render(project)
    namespace = yaml.safe_load(files["out/kubernetes/apps/web/namespace.yaml"])["metadata"]
    assert namespace.get("labels", {}) == labels
    assert namespace["annotations"] == {"example.com/note": annotation}
    ks = yaml.safe_load(files["out/kubernetes/apps/web/web/ks.yaml"])
    assert ks["spec"]["postBuild"]["substitute"] == substitute
    talconfig = yaml.safe_load(files["out/talos/talconfig.yaml"])
    assert yaml.safe_load(talconfig["patches"][-1]) == {
        "machine": {"sysctls": {"vm.example": sysctl}}
    }


@SLOW
@given(
    mac,
    st.integers(1, 4094),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=20),
    st.integers(1, 4096),
)
def test_per_node_vm_settings_round_trip(
    mac_address: str, vlan: int, vm_name: str, size: int
) -> None:
    node = dict(
        BASE["nodes"][0],
        mac_address=mac_address,
        vlan_id=vlan,
        vm_name=vm_name,
        extra_disks=[{"size_gib": size, "datastore": "data-1"}, {"size_gib": size}],
    )
    try:
        project = _project(nodes=[node, *BASE["nodes"][1:]])
    except ValueError:
        return  # a name the model refuses (e.g. ending with '-') never reaches a file
    inputs = hcl2.loads(render(project)["out/infrastructure/hosts/pve/terragrunt.hcl"])["inputs"]
    written = inputs["nodes"]['"100"']
    assert decode_hcl_string(written["mac_address"]) == mac_address
    assert written["vlan_id"] == vlan
    assert decode_hcl_string(written["vm_name"]) == vm_name
    assert [(d["size_gib"], decode_hcl_string(d["datastore"])) for d in written["extra_disks"]] == [
        (size, "data-1"),
        (size, "local-lvm"),
    ]


@pytest.mark.parametrize("key", ["on", "off", "yes", "No", "null", "true", "y", "_", "a.b/c-d"])
def test_keys_yaml_reads_as_other_types_are_written_as_pyyaml_writes_them(key: str) -> None:
    from homeops_gen.formats import _pyyaml

    data = {key: {"nested": [key, {key: 1}]}}
    assert to_yaml(data) == _pyyaml(data)
    assert yaml.safe_load(to_yaml(data)) == data


GO_NUMBER_LOOKALIKES = ["03932249", "915268e0", "0x1F", "1e3", "1E-2", "0o17", "0b101", ".5", "+1",
                        "-0", "1.", "007"]  # fmt: skip
"""Strings PyYAML writes plain but go-yaml (YAML 1.2) reads as numbers, unless quoted."""


def test_strings_go_yaml_would_read_as_numbers_stay_strings_for_helm(tmp_path: Path) -> None:
    """The real consumer: Helm (go-yaml) reads values homeops-gen wrote and renders them back
    as JSON, where a string must still be a string (an annotation ``0393...`` read as a number
    made a DaemonSet patch invalid in the end-to-end run)."""
    chart = tmp_path / "probe"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: probe\nversion: 0.1.0\n")
    (chart / "templates" / "values.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: probe\n"
        "data:\n  values.json: {{ toJson .Values | quote }}\n"
    )
    values = {f"k{i}": v for i, v in enumerate(GO_NUMBER_LOOKALIKES)}
    (tmp_path / "values.yaml").write_text(to_yaml(values))
    proc = subprocess.run(
        [str(tool("helm")), "template", "probe", str(chart), "-f", str(tmp_path / "values.yaml")],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    rendered = yaml.safe_load(proc.stdout)
    assert json.loads(rendered["data"]["values.json"]) == values
