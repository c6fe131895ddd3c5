"""Output checks: each catches the breakage it exists for, and every example model passes them all."""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from typing import Any

import pytest

from homeops_gen import validate as v
from homeops_gen.errors import ValidationFailed
from homeops_gen.formats import Generated
from tests.conftest import MODELS, loaded, rendered

Files = dict[str, str]
CILIUM = "out/kubernetes/apps/kube-system/cilium"


@pytest.mark.parametrize("model", sorted(MODELS))
def test_every_model_passes_every_check(model: str) -> None:
    v.validate(rendered(model), loaded(model).cluster, v.ALL_CHECKS)


def _broken(change: Callable[[Files], object]) -> Files:
    files = dict(rendered("nova"))
    change(files)
    return files


def _problems(check: v.Check, files: Files) -> list[str]:
    return check(v.Outputs(files, loaded("nova").cluster))


def test_invalid_yaml_is_caught() -> None:
    files = _broken(lambda f: f.update({"out/talos/talconfig.yaml": "a: [1, 2\n"}))
    assert any(
        p.startswith("out/talos/talconfig.yaml: not valid YAML")
        for p in _problems(v.parse_yaml, files)
    )


def test_invalid_hcl_is_caught() -> None:
    files = _broken(lambda f: f.update({"out/infrastructure/root.hcl": 'locals {\n  a = "x\n}\n'}))
    assert any(
        p.startswith("out/infrastructure/root.hcl: not valid HCL")
        for p in _problems(v.parse_hcl, files)
    )


def test_terragrunt_unknown_and_missing_inputs_are_caught() -> None:
    unit = "out/infrastructure/hosts/hypnos/terragrunt.hcl"

    def change(files: Files) -> None:
        files[unit] = (
            files[unit]
            .replace("  bridge ", "  bridges")
            .replace("  vm_datastore ", "  # vm_datastore ")
        )

    problems = _problems(v.terragrunt_inputs, _broken(change))
    assert (
        f"{unit}: input 'bridges' is not a variable of out/infrastructure/shared/proxmox"
        in problems
    )
    assert (
        f"{unit}: required variable 'bridge' of out/infrastructure/shared/proxmox has no input"
        in problems
    )
    assert (
        f"{unit}: required variable 'vm_datastore' of out/infrastructure/shared/proxmox has no input"
        in problems
    )


def test_missing_kustomization_resource_is_caught() -> None:
    files = _broken(lambda f: f.pop(f"{CILIUM}/app/ocirepository.yaml"))
    problems = _problems(v.references, files)
    assert f"{CILIUM}/app/kustomization.yaml: ./ocirepository.yaml does not exist" in problems
    assert any("chart source" in p and "not generated beside it" in p for p in problems)


def test_flux_path_and_dependency_are_checked() -> None:
    ks = "out/kubernetes/apps/flux-system/flux-instance/ks.yaml"

    def change(files: Files) -> None:
        files[ks] = (
            files[ks]
            .replace("name: flux-operator", "name: flux-operatorr")
            .replace("flux-instance/app", "flux-instance/apps")
        )

    problems = _problems(v.references, _broken(change))
    assert f"{ks}: dependsOn flux-operatorr is not a generated Kustomization" in problems
    assert any(
        p.startswith(f"{ks}: path ./out/kubernetes/apps/flux-system/flux-instance/apps")
        for p in problems
    )


def test_helmfile_hook_and_sync_path_are_checked() -> None:
    def change(files: Files) -> None:
        files.pop(f"{CILIUM}/resources/ciliumloadbalancerippool-pool.yaml")
        files.pop("out/kubernetes/flux/cluster/kustomization.yaml")

    problems = _problems(v.references, _broken(change))
    assert any("hook of cilium applies missing" in p for p in problems)
    assert any("FluxInstance sync path out/kubernetes/flux/cluster" in p for p in problems)


def test_script_paths_are_checked() -> None:
    files = _broken(lambda f: f.pop("out/talos/apply.sh"))
    assert "devenv.nix: refers to out/talos/apply.sh, which is not generated" in _problems(
        v.references, files
    )


def test_kustomize_build_failure_names_the_folder() -> None:
    def change(files: Files) -> None:
        files[f"{CILIUM}/app/kustomization.yaml"] += "  - ./missing.yaml\n"

    problems = _problems(v.kustomize_builds, _broken(change))
    assert len(problems) == 1
    assert problems[0].startswith(f"{CILIUM}/app/kustomization.yaml: kubectl kustomize failed")


def test_core_kinds_are_validated_strictly() -> None:
    path = "out/kubernetes/apps/kube-system/namespace.yaml"
    files = _broken(lambda f: f.update({path: f[path] + "spec:\n  bogus: 1\n"}))
    problems = _problems(v.kubernetes_schemas, files)
    assert any(p.startswith(f"{path}: Namespace spec") and "bogus" in p for p in problems)


def test_validator_is_built_once_per_kind() -> None:
    v._core_validator.cache_clear()
    files, cluster = rendered("many-apps"), loaded("many-apps").cluster
    kinds = {(o["apiVersion"], o["kind"]) for _, o in v.Outputs(files, cluster).objects()}
    v.kubernetes_schemas(v.Outputs(files, cluster))
    assert v._core_validator.cache_info().misses == len(kinds)
    v.kubernetes_schemas(v.Outputs(files, cluster))
    assert v._core_validator.cache_info().misses == len(kinds), "no validator is built twice"


def test_validate_raises_with_every_problem() -> None:
    files = _broken(lambda f: f.update({"a.yaml": "[", "b.tf": "{"}))
    with pytest.raises(ValidationFailed) as caught:
        v.validate(files, loaded("nova").cluster, [v.parse_yaml, v.parse_hcl])
    assert {p.split(":")[0] for p in caught.value.problems} == {"a.yaml", "b.tf"}


def test_terragrunt_unit_without_source_or_module_is_caught() -> None:
    unit = "out/infrastructure/hosts/hypnos/terragrunt.hcl"
    no_source = _broken(
        lambda f: f.update({unit: f[unit].replace('source = "../../shared/proxmox"', "")})
    )
    assert f"{unit}: no terraform.source" in _problems(v.terragrunt_inputs, no_source)

    def drop_module(files: Files) -> None:
        for path in [p for p in files if p.startswith("out/infrastructure/shared/")]:
            del files[path]

    problems = _problems(v.terragrunt_inputs, _broken(drop_module))
    assert any("has no variables (missing module?)" in p for p in problems)


def _with_data(files: Files, path: str, data: Any) -> Files:
    """``files`` where ``path`` keeps its text but claims to be generated from ``data``."""
    return {**files, path: Generated(str(files[path]), data)}


def test_generate_checks_read_the_generated_data_without_parsing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parse_yaml = v.Outputs.yaml

    def user_yaml_only(self: v.Outputs, path: str) -> Any:
        # The user's own manifests are copied, so they carry no data: only they are parsed.
        assert not isinstance(self.files[path], Generated), f"{path} was parsed"
        return parse_yaml(self, path)

    def no_hcl(self: v.Outputs, path: str) -> Any:
        raise AssertionError(f"{path} was parsed")

    monkeypatch.setattr(v.Outputs, "yaml", user_yaml_only)
    monkeypatch.setattr(v.Outputs, "hcl_tree", no_hcl)
    for model in MODELS:
        v.validate(rendered(model), loaded(model).cluster)


def test_references_are_checked_on_the_generated_data() -> None:
    ks = "out/kubernetes/apps/flux-system/flux-instance/ks.yaml"
    files = rendered("nova")
    (document,) = files[ks].data  # type: ignore[attr-defined]
    spec = {**document["spec"], "dependsOn": [{"name": "flux-operatorr"}]}
    broken = _with_data(files, ks, ({**document, "spec": spec},))
    assert f"{ks}: dependsOn flux-operatorr is not a generated Kustomization" in _problems(
        v.references, broken
    )
    # validate reads the text instead, and says the text is not what the data claims.
    assert f"{ks}: does not read back as the data it was written from" in _problems(
        v.parse_yaml, broken
    )


def test_terragrunt_inputs_are_checked_on_the_generated_data() -> None:
    unit = "out/infrastructure/hosts/hypnos/terragrunt.hcl"
    files = rendered("nova")
    data = files[unit].data  # type: ignore[attr-defined]
    inputs = {k: val for k, val in data["inputs"].items() if k != "bridge"}
    broken = _with_data(files, unit, {**data, "inputs": {**inputs, "mac_address": "x"}})
    problems = _problems(v.terragrunt_inputs, broken)
    module = "out/infrastructure/shared/proxmox"
    assert f"{unit}: input 'mac_address' is not a variable of {module}" in problems
    assert f"{unit}: required variable 'bridge' of {module} has no input" in problems


@pytest.mark.parametrize("model", sorted(MODELS))
def test_the_module_files_carry_the_variables_python_hcl2_reads(model: str) -> None:
    files = rendered(model)
    cluster = loaded(model).cluster
    from_data, from_text = v.Outputs(files, cluster), v.Outputs(files, cluster, from_text=True)
    terraform = [p for p in files if p.endswith(".tf")]
    assert any(from_data.variables(p) for p in terraform)
    for path in terraform:
        assert isinstance(files[path], Generated), path
        assert from_data.variables(path) == from_text.variables(path), path


def test_every_generated_yaml_and_terragrunt_file_carries_its_data() -> None:
    for model in MODELS:
        files = rendered(model)
        user_files = set(loaded(model).user_files)
        for path, text in files.items():
            if path.endswith((".yaml", ".tf", "/terragrunt.hcl")) and not any(
                path.endswith("/" + posixpath.basename(u)) for u in user_files
            ):
                assert isinstance(text, Generated), path


def test_a_custom_resource_beside_a_helmrelease_is_caught() -> None:
    pool = "ciliumloadbalancerippool-pool.yaml"

    def change(files: Files) -> None:
        # The layout the many-apps model had before: the pool beside Cilium's release.
        files[f"{CILIUM}/app/{pool}"] = files.pop(f"{CILIUM}/resources/{pool}")
        files[f"{CILIUM}/app/kustomization.yaml"] += f"  - ./{pool}\n"

    problems = _problems(v.custom_resources_apart, _broken(change))
    assert len(problems) == 1
    assert problems[0].startswith(
        f"{CILIUM}/ks.yaml: Kustomization cilium applies CiliumLoadBalancerIPPool "
        f"({CILIUM}/app/{pool}) together with a HelmRelease"
    )
    assert _problems(v.custom_resources_apart, dict(rendered("nova"))) == []
