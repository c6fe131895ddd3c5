"""Version changes against the output on disk: what ``generate`` says about an upgrade."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run, tree
from tests.models import model, write_model


def _upgrade(tmp_path: Path, before: dict[str, Any], after: dict[str, Any]) -> tuple[Path, Any]:
    root = write_model(tmp_path / "p", model(**before))
    first = run("-C", root)
    assert first.code == 0, first.err
    write_model(tmp_path / "p", model(**after))
    return root, run("-C", root)


def _versions(talos: str, kubernetes: str, **talos_fields: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {"versions": {"talos": talos, "kubernetes": kubernetes}}
    if talos_fields:
        fields["talos"] = talos_fields
    return fields


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (
            _versions("v1.11.5", "v1.33.0", config_contract="v1.11"),
            _versions("v1.13.7", "v1.33.0", config_contract="v1.11"),
            "warning[talos-upgrade-skips-minor]: versions.talos: v1.11.5 -> v1.13.7 skips "
            "Talos 1.12: upgrade one minor at a time",
        ),
        (
            _versions("v1.11.5", "v1.33.0", config_contract="v1.11"),
            _versions("v1.14.0", "v1.33.0", config_contract="v1.11"),
            "warning[talos-upgrade-unsupported]: versions.talos: v1.11.5 -> v1.14.0: Talos 1.14 "
            "upgrades only from 1.12 or later, the cluster runs 1.11",
        ),
        (
            _versions("v1.11.5", "v1.32.3"),
            _versions("v1.11.5", "v1.34.0"),
            "warning[kubernetes-upgrade-skips-minor]: versions.kubernetes: v1.32.3 -> v1.34.0 "
            "skips Kubernetes 1.33",
        ),
        (
            _versions("v1.11.5", "v1.34.0", config_contract="v1.11"),
            _versions("v1.12.0", "v1.35.0", config_contract="v1.11"),
            "warning[kubernetes-ahead-of-talos]: versions.kubernetes: Kubernetes 1.35 does not "
            "run on the cluster's Talos 1.11 (up to 1.34): run talos-upgrade before k8s-upgrade",
        ),
    ],
)
def test_version_changes_warn(
    before: dict[str, Any], after: dict[str, Any], expected: str, tmp_path: Path
) -> None:
    code = expected.split("[", 1)[1].split("]", 1)[0]
    accepted = ["cilium-kubernetes-untested", "flux-kubernetes-unsupported"]
    root = write_model(tmp_path / "p", model(**before, accept_warnings=accepted))
    assert run("-C", root).code == 0
    # --strict refuses the change and writes nothing.
    write_model(root, model(**after, accept_warnings=accepted))
    unchanged = tree(root)
    strict = run("-C", root, "--strict")
    assert strict.code == 2 and expected.removeprefix(f"warning[{code}]: ") in strict.err
    assert tree(root) == unchanged
    # Accepting the id silences it.
    upgrades = [
        "talos-upgrade-skips-minor",
        "talos-upgrade-unsupported",
        "kubernetes-upgrade-skips-minor",
        "kubernetes-ahead-of-talos",
    ]
    assert code in upgrades
    write_model(root, model(**after, accept_warnings=[*accepted, *upgrades]))
    quiet = run("-C", root, "--strict", "--check")
    assert quiet.code == 1 and "warning[" not in quiet.err, quiet.err
    # Without --strict it is printed and the output is written.
    write_model(root, model(**after, accept_warnings=accepted))
    result = run("-C", root)
    assert result.code == 0, result.err
    assert expected in result.err


def test_a_one_minor_upgrade_with_a_pinned_contract_is_quiet(tmp_path: Path) -> None:
    _, result = _upgrade(
        tmp_path,
        _versions("v1.11.5", "v1.33.0", config_contract="v1.11"),
        _versions("v1.12.0", "v1.33.0", config_contract="v1.11"),
    )
    assert result.code == 0, result.err
    assert "warning[" not in result.err


def test_bumping_talos_never_changes_the_contract_by_accident(tmp_path: Path) -> None:
    root = write_model(tmp_path / "p", model(**_versions("v1.11.5", "v1.34.0")))
    assert run("-C", root).code == 0
    before = tree(root)
    write_model(root, model(**_versions("v1.12.0", "v1.34.0")))
    result = run("-C", root)
    assert result.code == 2
    assert (
        "talos.config_contract: v1.11.5 -> v1.12.0 would change the machine-config version "
        "contract from v1.11 to v1.12" in result.err
    )
    assert "Talos(config_contract='v1.11')" in result.err
    assert {k: v for k, v in tree(root).items() if k != "cluster.py"} == {
        k: v for k, v in before.items() if k != "cluster.py"
    }, "nothing written"
    # Pinning the old contract is the deliberate answer: the output keeps it.
    write_model(root, model(**_versions("v1.12.0", "v1.34.0", config_contract="v1.11")))
    assert run("-C", root).code == 0
    talconfig = (root / "out/talos/talconfig.yaml").read_text()
    assert "talosVersion: v1.11.0" in talconfig
    assert "{{.Mode}}-installer/{{.ID}}:v1.12.0" in talconfig and "mode: nocloud" in talconfig
    assert "configContract: v1.11" in (root / "out/talos/versions.yaml").read_text()


def test_the_talosctl_backend_pins_the_contract_too(tmp_path: Path) -> None:
    root = write_model(
        tmp_path / "p",
        model(**_versions("v1.12.0", "v1.34.0", config_contract="v1.11", backend="talosctl")),
    )
    assert run("-C", root).code == 0, "generate"
    script = (root / "out/talos/gen.sh").read_text()
    assert "contract=v1.11\n" in script and "--install-image" in script
    node = (root / "out/talos/nodes/cp-1.yaml").read_text()
    assert "kind: HostnameConfig" not in node, "a 1.11 contract keeps .machine.network"
    assert "hostname: cp-1" in node


def test_output_from_before_the_versions_record_is_compared_through_talconfig(
    tmp_path: Path,
) -> None:
    """A project whose committed output predates out/talos/versions.yaml still gets the checks."""
    root = write_model(tmp_path / "p", model(**_versions("v1.11.5", "v1.33.0")))
    assert run("-C", root).code == 0
    (root / "out/talos/versions.yaml").unlink()
    write_model(root, model(**_versions("v1.12.0", "v1.33.0")))
    result = run("-C", root, "--force")
    assert result.code == 2
    assert "contract from v1.11 to v1.12" in result.err


def test_a_record_homeops_gen_did_not_write_is_not_compared(tmp_path: Path) -> None:
    root = write_model(tmp_path / "p", model(**_versions("v1.11.5", "v1.33.0")))
    assert run("-C", root).code == 0
    (root / "out/talos/versions.yaml").write_text("not: [a, record]\n")
    (root / "out/talos/talconfig.yaml").write_text("talosVersion: latest\n")
    write_model(root, model(**_versions("v1.12.0", "v1.33.0")))
    result = run("-C", root, "--force")
    assert result.code == 0, result.err
