"""References Flux resolves at apply time (substituteFrom, valuesFrom, secretRef) and the Git
pull secret's keys: each fault alone is refused or warned about, naming the field and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import MODELS, run, tree
from tests.models import DEFAULT_APPS, model, write_model


def encrypted(name: str, keys: tuple[str, ...] = ("value",), namespace: str | None = None) -> str:
    """A SOPS-encrypted Secret as sops writes it: names in clear, values encrypted."""
    ns = f"\n    namespace: {namespace}" if namespace else ""
    data = "".join(f"    {k}: ENC[AES256_GCM,data:eA==,iv:aQ==,tag:dA==,type:str]\n" for k in keys)
    return (
        f"apiVersion: v1\nkind: Secret\nmetadata:\n    name: {name}{ns}\ntype: Opaque\n"
        f"stringData:\n{data}sops:\n    mac: ENC[AES256_GCM,data:bQ==,iv:aQ==,tag:dA==,type:str]\n"
        "    encrypted_regex: ^(data|stringData)$\n    version: 3.10.2\n"
    )


def _project(tmp_path: Path, apps: str, secrets: dict[str, str]) -> Path:
    root = write_model(tmp_path, model(), DEFAULT_APPS + f" + [{apps}]")
    (root / "secrets").mkdir()
    for name, text in secrets.items():
        (root / "secrets" / name).write_text(text)
    return root


SUBSTITUTE = '"postBuild": {"substituteFrom": [{"kind": "Secret", "name": "tunnel-vars"%s}]}'

CASES: dict[str, tuple[str, dict[str, str], int, str, list[str]]] = {
    # The issue's case: the Kustomization (flux-system) reads its own Secret, which it creates
    # in network through targetNamespace.
    "substituteFrom a Secret the app creates in its namespace": (
        'web(namespace="network", secrets=["secrets/tunnel-vars.sops.yaml"], '
        "kustomization={%s})" % (SUBSTITUTE % ""),
        {"tunnel-vars.sops.yaml": encrypted("tunnel-vars")},
        2,
        "apps[3].kustomization.postBuild.substituteFrom[0]: Secret 'tunnel-vars'",
        ["from namespace 'flux-system'", "own Kustomization creates it in 'network'", "Create it"],
    ),
    "substituteFrom a Secret the same Kustomization creates": (
        'web(namespace="flux-system", secrets=["secrets/tunnel-vars.sops.yaml"], '
        "kustomization={%s})" % (SUBSTITUTE % ""),
        {"tunnel-vars.sops.yaml": encrypted("tunnel-vars")},
        2,
        "apps[3].kustomization.postBuild.substituteFrom[0]: Secret 'tunnel-vars'",
        ["own Kustomization", "before applying anything", "depends_on"],
    ),
    "valuesFrom a Secret nothing creates": (
        'web(release={"valuesFrom": [{"kind": "Secret", "name": "web-valeus"}]}, '
        'secrets=["secrets/web-values.sops.yaml"])',
        {"web-values.sops.yaml": encrypted("web-values")},
        0,
        "warning[reference-unresolved]: apps[3].release.valuesFrom[0]: nothing in the model "
        "creates Secret 'web-valeus' in namespace 'web'",
        ["did you mean 'web-values'?", "optional: true"],
    ),
    "valuesFrom a Secret another app creates, not in depends_on": (
        'web(release={"valuesFrom": [{"kind": "Secret", "name": "shared"}]}), '
        'App(name="shared", namespace="web", secrets=["secrets/shared.sops.yaml"])',
        {"shared.sops.yaml": encrypted("shared")},
        0,
        "warning[reference-not-ready]: apps[3].release.valuesFrom[0]: Secret 'shared' is "
        "created by app 'shared'",
        ["add 'shared' to depends_on"],
    ),
    "kubeConfig secretRef in the wrong namespace": (
        'web(kustomization={"kubeConfig": {"secretRef": {"name": "remote"}}}), '
        'App(name="remote", namespace="web", secrets=["secrets/remote.sops.yaml"])',
        {"remote.sops.yaml": encrypted("remote")},
        2,
        "apps[3].kustomization.kubeConfig.secretRef: Secret 'remote'",
        ["app 'remote' creates it in 'web'"],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_reference_that_cannot_resolve_is_reported(case: str, tmp_path: Path) -> None:
    apps, secrets, code, start, words = CASES[case]
    assert_reported(_project(tmp_path, apps, secrets), code, start, words)


def assert_reported(root: Path, code: int, start: str, words: list[str]) -> None:
    """Generating ``root`` exits ``code`` with a line holding ``start`` and every word; a
    refusal writes nothing, and a warning is one."""
    before = tree(root)
    result = run("-C", root)
    assert result.code == code, result.err
    line = next((ln for ln in result.err.splitlines() if start in ln), None)
    assert line is not None, result.err
    for word in words:
        assert word in line, line
    assert "Traceback" not in result.err
    if code:
        assert tree(root) == before, "nothing may be written"
    else:
        assert "warning[" in line


@pytest.mark.parametrize(
    "apps",
    [
        # optional references are exempt
        'web(release={"valuesFrom": [{"kind": "Secret", "name": "none", "optional": True}]}, '
        'kustomization={"postBuild": {"substituteFrom": '
        '[{"kind": "ConfigMap", "name": "none", "optional": True}]}})',
        # a release reads its own Secret after its Kustomization applied it
        'web(release={"valuesFrom": [{"kind": "Secret", "name": "shared"}]}, '
        'secrets=["secrets/shared.sops.yaml"])',
        # another app's Secret, waited for
        'web(release={"valuesFrom": [{"kind": "Secret", "name": "shared"}]}, depends_on=["s"]), '
        'App(name="s", namespace="web", secrets=["secrets/shared.sops.yaml"])',
        # the variables live in flux-system, in an app the others depend on
        "web(kustomization={%s}, depends_on=['vars']), "
        'App(name="vars", namespace="flux-system", secrets=["secrets/tunnel-vars.sops.yaml"])'
        % (SUBSTITUTE % ""),
        # an ExternalSecret makes the Secret of its target name
        'web(release={"valuesFrom": [{"kind": "Secret", "name": "made"}]}, resources=[{'
        '"apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret", '
        '"metadata": {"name": "es"}, "spec": {"target": {"name": "made"}}}])',
    ],
)
def test_references_that_resolve_are_not_reported(apps: str, tmp_path: Path) -> None:
    secrets = {
        "shared.sops.yaml": encrypted("shared"),
        "tunnel-vars.sops.yaml": encrypted("tunnel-vars"),
    }
    result = run("-C", _project(tmp_path, apps, secrets), "--strict")
    assert result.code == 0, result.err
    assert "reference-" not in result.err


PULL_SECRET = "secrets/flux-git-auth.sops.yaml"


@pytest.mark.parametrize(
    ("repository", "keys", "words"),
    [
        (
            "ssh://git@github.com/example/ops.git",
            ("identity",),
            ["no 'known_hosts'", "ssh-keyscan"],
        ),
        ("ssh://git@github.com/example/ops.git", ("known_hosts",), ["no 'identity'"]),
        ("https://github.com/example/ops", ("password",), ["'password' but no 'username'"]),
        ("https://github.com/example/ops", ("identity", "known_hosts"), ["'bearerToken'"]),
    ],
)
def test_pull_secret_keys_flux_needs(
    repository: str, keys: tuple[str, ...], words: list[str], tmp_path: Path
) -> None:
    source = (MODELS["private-repo"] / "cluster.py").read_text()
    source = source.replace("ssh://git@github.com/example/hearth-ops.git", repository)
    tmp_path.joinpath("cluster.py").write_text(source)
    (tmp_path / "secrets").mkdir()
    (tmp_path / PULL_SECRET).write_text(encrypted("flux-git-auth", keys))
    before = tree(tmp_path)
    result = run("-C", tmp_path)
    assert result.code == 2, result.err
    line = next(ln for ln in result.err.splitlines() if "gitops.pull_secret: " in ln)
    for word in [PULL_SECRET, *words]:
        assert word in line, line
    assert tree(tmp_path) == before


@pytest.mark.parametrize(
    ("repository", "keys"),
    [
        ("ssh://git@github.com/example/ops.git", ("identity", "known_hosts")),
        ("https://github.com/example/ops", ("username", "password")),
        ("https://github.com/example/ops", ("bearerToken",)),
    ],
)
def test_pull_secret_with_the_keys_flux_needs(
    repository: str, keys: tuple[str, ...], tmp_path: Path
) -> None:
    source = (MODELS["private-repo"] / "cluster.py").read_text()
    source = source.replace("ssh://git@github.com/example/hearth-ops.git", repository)
    tmp_path.joinpath("cluster.py").write_text(source)
    (tmp_path / "secrets").mkdir()
    (tmp_path / PULL_SECRET).write_text(encrypted("flux-git-auth", keys))
    result = run("-C", tmp_path, "diff")
    assert result.code == 0, result.err


CM_WITH = (
    '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "site"}, '
    '"data": {"url": "%s"}}'
)


@pytest.mark.parametrize(
    ("apps", "words"),
    [
        (
            'web(resources=[%s], kustomization={"postBuild": {"substitute": {"DOMAIN": "x.io"}}})'
            % (CM_WITH % "https://${DOMIAN}"),
            ["apps[3].resources[0]: ${DOMIAN} is provided by none", "did you mean 'DOMAIN'?"],
        ),
        (
            'web(values={"host": "${SECRET_DOMIAN}"}, depends_on=["vars"], kustomization={%s}), '
            'App(name="vars", namespace="flux-system", secrets=["secrets/tunnel-vars.sops.yaml"])'
            % (SUBSTITUTE % ""),
            ["apps[3].values: ${SECRET_DOMIAN}", "it provides: SECRET_DOMAIN", "empty string"],
        ),
    ],
)
def test_a_variable_no_postbuild_variable_provides_is_a_warning(
    apps: str, words: list[str], tmp_path: Path
) -> None:
    secrets = {"tunnel-vars.sops.yaml": encrypted("tunnel-vars", ("SECRET_DOMAIN",))}
    result = run("-C", _project(tmp_path, apps, secrets))
    assert result.code == 0, result.err
    line = next(ln for ln in result.err.splitlines() if "warning[unsubstituted-variable]" in ln)
    for word in words:
        assert word in line, line


def test_variables_with_a_provider_or_a_default_are_not_reported(tmp_path: Path) -> None:
    apps = (
        'web(values={"host": "${SECRET_DOMAIN}", "port": "${PORT:=80}"}, depends_on=["vars"], '
        'kustomization={%s}), App(name="vars", namespace="flux-system", '
        'secrets=["secrets/tunnel-vars.sops.yaml"])' % (SUBSTITUTE % "")
    )
    secrets = {"tunnel-vars.sops.yaml": encrypted("tunnel-vars", ("SECRET_DOMAIN",))}
    result = run("-C", _project(tmp_path, apps, secrets), "--strict")
    assert result.code == 0, result.err


def test_a_variable_in_helmrelease_fields_is_checked_too(tmp_path: Path) -> None:
    # The HelmRelease is one of the manifests the Kustomization builds and substitutes.
    bare = write_model(
        tmp_path / "bare",
        model(),
        DEFAULT_APPS + ' + [web(release={"serviceAccountName": "${T}"})]',
    )
    assert "warning[unsubstituted-variable]: apps[3].release: ${T} is deployed literally" in (
        run("-C", bare).err
    )
    given = DEFAULT_APPS + (
        ' + [web(release={"serviceAccountName": "${T}"}, kustomization={"postBuild": {"substitute": '
        '{"T": "deployer"}}})]'
    )
    assert run("-C", write_model(tmp_path / "given", model(), given), "--strict").code == 0
