"""Values that pass a type check but cannot work: each refused with the field's path."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run, tree
from tests.models import BASE, DEFAULT_APPS, model, write_model

NODE = BASE["nodes"][3]
APPS = DEFAULT_APPS.rstrip("]")
DEEP = "__import__('functools').reduce(lambda inner, _: {'a': inner}, range(5000), {})"
WEB = 'App(name="web", namespace="web", chart=Chart(url="oci://r.io/web", version="1.0.0"), '
"""The start of an app with a chart, written in the list (so errors name ``apps[3]``)."""
SECRET_PATCH = {"machine": {"files": [{"content": "key=${AWS_SECRET_ACCESS_KEY}", "path": "/k"}]}}

# (overrides of the base model, apps expression, expected path, words of the reason)
INVALID: dict[str, tuple[dict[str, Any], str, str, list[str]]] = {
    # 10: talhelper substitutes environment variables in talconfig.yaml.
    "talhelper patch with ${VAR}": (
        {"talos": {"patches": [SECRET_PATCH]}},
        DEFAULT_APPS,
        "talos.patches[0]['machine']['files'][0]['content']",
        ["${AWS_SECRET_ACCESS_KEY}", "talhelper", "$$", "talosctl"],
    ),
    "talhelper node patch with $VAR": (
        {"nodes__3": {**NODE, "patches": [{"machine": {"env": {"HOME_DIR": "$HOME"}}}]}},
        DEFAULT_APPS,
        "nodes[3].patches[0]['machine']['env']['HOME_DIR']",
        ["$HOME", "environment variables"],
    ),
    "talhelper worker patch key with ${VAR}": (
        {"talos": {"worker_patches": [{"machine": {"${KEY}": "x"}}]}},
        DEFAULT_APPS,
        "talos.worker_patches[0]['machine']['${KEY}']",
        ["${KEY}"],
    ),
    # 11: values no tool can read back.
    "nan in values": (
        {},
        APPS + ", " + WEB + 'values={"replicas": float("nan")})]',
        "apps[3].values",
        ["['replicas']", "nan", "JSON"],
    ),
    "infinity in resources": (
        {},
        APPS + ", " + WEB + 'resources=[{**CM, "data": {"x": float("inf")}}])]',
        "apps[3].resources[0]",
        ["['data']['x']", "inf"],
    ),
    "bytes in values": (
        {},
        APPS + ", " + WEB + 'values={"key": b"raw"})]',
        "apps[3].values",
        ["['key']", "bytes"],
    ),
    "set in values": (
        {},
        APPS + ", " + WEB + 'values={"hosts": {"a", "b"}})]',
        "apps[3].values",
        ["['hosts']", "set"],
    ),
    "datetime in release": (
        {},
        APPS + ", " + WEB + 'release={"timeout": __import__("datetime").datetime(2026, 1, 1)})]',
        "apps[3].release",
        ["['timeout']", "datetime", "isoformat"],
    ),
    "values nested thousands deep": (
        {},
        APPS + ", " + WEB + f"values={DEEP})]",
        "apps[3].values",
        ["deeper than 64"],
    ),
    "a patch that contains itself": (
        {},
        APPS + ", " + WEB + "values=(lambda d: (d.update(self=d), d)[1])({}))]",
        "apps[3].values",
        ["deeper than 64", "contains itself"],
    ),
    "talos patch with a set": (
        {"talos": {"patches": [{"machine": {"sysctls": {"a", "b"}}}]}},
        DEFAULT_APPS,
        "talos.patches[0]",
        ["['machine']['sysctls']", "set"],
    ),
    # 12: references their tools refuse.
    "oci url with a shell character": (
        {},
        APPS
        + ', App(name="web", namespace="web", chart=Chart(url="oci://ghcr.io/x/charts/echo;rm", version="1.0.0"))]',
        "apps[3].chart.url",
        ["oci://ghcr.io/x/charts/echo;rm", "OCI chart reference"],
    ),
    "oci url with upper case": (
        {},
        APPS
        + ', App(name="web", namespace="web", chart=Chart(url="oci://ghcr.io/X/Echo", version="1.0.0"))]',
        "apps[3].chart.url",
        ["lower-case"],
    ),
    "oci url with a tag": (
        {},
        APPS
        + ', App(name="web", namespace="web", chart=Chart(url="oci://ghcr.io/x/echo:1.0.0", version="1.0.0"))]',
        "apps[3].chart.url",
        ["no tag"],
    ),
    "branch climbing with ..": (
        {"gitops": {"repository": "https://github.com/example/test", "branch": "a/../../b"}},
        DEFAULT_APPS,
        "gitops.branch",
        ["a/../../b", "check-ref-format"],
    ),
    # 13: Proxmox limits.
    "31 extra disks": (
        {"nodes__3": {**NODE, "extra_disks": [{"size_gib": 10}] * 31}},
        DEFAULT_APPS,
        "nodes[3].extra_disks",
        ["at most 30"],
    ),
    "memory past Proxmox's limit": (
        {"nodes__3": {**NODE, "memory_mib": 5_000_000}},
        DEFAULT_APPS,
        "nodes[3].memory_mib",
        ["4194304"],
    ),
    "system disk of a petabyte": (
        {"nodes__3": {**NODE, "disk_gib": 1_000_000}},
        DEFAULT_APPS,
        "nodes[3].disk_gib",
        ["65536"],
    ),
    "data disk of a petabyte": (
        {"nodes__3": {**NODE, "extra_disks": [{"size_gib": 1_000_000}]}},
        DEFAULT_APPS,
        "nodes[3].extra_disks[0].size_gib",
        ["65536"],
    ),
}


@pytest.mark.parametrize("case", sorted(INVALID))
def test_a_value_that_cannot_work_is_refused_naming_its_field(case: str, tmp_path: Path) -> None:
    overrides, apps, path, words = INVALID[case]
    root = write_model(tmp_path, model(**overrides), apps)
    before = tree(root)
    result = run("-C", root)
    assert result.code == 2, result.err
    assert "Traceback" not in result.err
    line = next((ln for ln in result.err.splitlines() if ln.strip().startswith(f"{path}: ")), None)
    assert line is not None, f"no line for {path} in:\n{result.err}"
    for word in words:
        assert word in line, f"{word!r} missing from {line!r}"
    assert tree(root) == before, "nothing may be written for an invalid model"


@pytest.mark.parametrize(
    ("overrides", "apps"),
    [
        ({"talos": {"backend": "talosctl", "patches": [SECRET_PATCH]}}, DEFAULT_APPS),
        ({"talos": {"patches": [{"machine": {"env": {"PRICE": "$$5 and $$HOME"}}}]}}, DEFAULT_APPS),
        ({}, APPS + ", " + WEB + 'values={"ratio": 0.5, "n": None, "l": [1, "a", True]})]'),
        (
            {},
            APPS
            + ', App(name="web", namespace="web", chart=Chart(url="oci://localhost:5000/my_org/charts/a--b.c", '
            'version="1.0.0"))]',
        ),
        (
            {"gitops": {"repository": "https://github.com/x/y", "branch": "release/v1.2"}},
            DEFAULT_APPS,
        ),
        ({"nodes__3": {**NODE, "extra_disks": [{"size_gib": 10}] * 30}}, DEFAULT_APPS),
    ],
)
def test_values_at_the_limits_are_accepted(
    overrides: dict[str, Any], apps: str, tmp_path: Path
) -> None:
    root = write_model(tmp_path, model(**overrides), apps)
    result = run("-C", root)
    assert result.code == 0, result.err


@pytest.mark.parametrize(
    "branch",
    ["main", "release/v1.2", "a/../../b", "feature/.hidden", "topic.lock", "main/", "a//b", "v1."],
)
def test_branch_names_are_refused_exactly_when_git_refuses_them(
    branch: str, tmp_path: Path
) -> None:
    git = subprocess.run(["git", "check-ref-format", "--branch", branch], capture_output=True)
    root = write_model(
        tmp_path, model(gitops={"repository": "https://github.com/x/y", "branch": branch})
    )
    result = run("-C", root, "generate", "--check")
    refused = "gitops.branch" in result.err
    assert refused == (git.returncode != 0), (branch, result.err)


def test_a_manifest_linked_from_outside_the_project_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")
    root = write_model(
        tmp_path / "p",
        apps=APPS + ", " + WEB + 'manifests=["manifests/x.yaml", "manifests/in.yaml"])]',
    )
    (root / "manifests").mkdir()
    (root / "manifests/x.yaml").symlink_to(outside)
    (root / "own.yaml").write_text(outside.read_text())
    (root / "manifests/in.yaml").symlink_to(root / "own.yaml")
    result = run("-C", root)
    assert result.code == 2
    assert "apps[3].manifests[0]: manifests/x.yaml is a symbolic link to" in result.err
    assert "apps[3].manifests[1]" not in result.err, "a link inside the project is fine"
    assert not (root / "out").exists()
