"""``renovate.json`` read the way Renovate reads it: its regular expressions, translated from
JavaScript, find every version written in each model's ``cluster.py`` exactly once, and no
generated file.

Renovate (lib/modules/manager/custom/regex) compiles each ``matchStrings`` entry with the
flag ``g`` only, runs it over the whole file, and fills each field from its template
(Handlebars, given the named groups) or else from the group of the same name; files are
picked by ``managerFilePatterns`` (a regular expression between slashes) after dropping
every path that contains an ``ignorePaths`` entry or matches it as a glob.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from homeops_gen.layout import RENOVATE_CONFIG
from homeops_gen.model import Chart, Cluster, Versions
from homeops_gen.layout import MODEL_FILE
from homeops_gen.project import load
from homeops_gen.deployment import Deployment
from tests.conftest import MODELS, ROOT, copy_model, loaded, rendered, run, tree

renovate = import_module("homeops_gen.generators.renovate")

# Keys Renovate accepts in a custom manager (lib/config/validation.ts).
CUSTOM_MANAGER_KEYS = {
    "customType",
    "description",
    "fileFormat",
    "managerFilePatterns",
    "matchStrings",
    "matchStringsStrategy",
    "depNameTemplate",
    "packageNameTemplate",
    "datasourceTemplate",
    "versioningTemplate",
    "registryUrlTemplate",
    "currentValueTemplate",
    "extractVersionTemplate",
    "autoReplaceStringTemplate",
    "depTypeTemplate",
}
FIELDS = ("datasource", "depName", "registryUrl", "versioning", "currentValue")


RENOVATED = sorted(m for m in MODELS if loaded(m).cluster.automation.renovate)
"""The example models that have a Renovate config (``automation.renovate``)."""


def python_regex(pattern: str) -> re.Pattern[str]:
    """A JavaScript (RE2) pattern as Python's ``re``: named groups change spelling.

    Constructs whose meaning differs between the engines are refused, so the translation
    is exact: no lookaround or backreference (RE2 has neither), no ``\\d``/``\\w``/``\\b``
    (Unicode in Python, ASCII in JavaScript), no ``$`` (Python's also matches before a
    final newline), no ``.`` (JavaScript's also stops at U+2028/U+2029).
    """
    for construct in ("(?=", "(?!", "(?<=", "(?<!", "\\k<", "\\d", "\\w", "\\b", "$", "."):
        bare = pattern.replace("\\.", "").replace("\\$", "")
        assert construct not in bare, f"{construct!r} in {pattern}"
    assert not re.search(r"\\[1-9]", pattern), pattern
    return re.compile(pattern.replace("(?<", "(?P<"))


def handlebars(template: str, groups: dict[str, str]) -> str:
    """The two Handlebars forms the config uses: ``{{{name}}}`` and ``{{#if}}..{{else}}..``."""

    def conditional(m: re.Match[str]) -> str:
        return m[2] if groups.get(m[1]) else m[3]

    text = re.sub(r"\{\{#if (\w+)\}\}(.*?)\{\{else\}\}(.*?)\{\{/if\}\}", conditional, template)
    text = re.sub(r"\{\{\{(\w+)\}\}\}", lambda m: groups.get(m[1], ""), text)
    assert "{{" not in text, template
    return text


def ignored(config: dict[str, Any], path: str) -> bool:
    """``ignorePaths``: a substring, or a glob (only ``folder/**`` globs are used here)."""
    for entry in config["ignorePaths"]:
        if entry in path:
            return True
        if entry.endswith("/**"):
            if path.startswith(entry[:-2]):
                return True
        else:
            assert "*" not in entry, f"glob {entry!r} not understood by this test"
    return False


def manager_files(manager: dict[str, Any], config: dict[str, Any], paths: list[str]) -> list[str]:
    found = []
    for pattern in manager["managerFilePatterns"]:
        assert pattern.startswith("/") and pattern.endswith("/"), "a regular expression"
        regex = re.compile(pattern[1:-1].replace("$", r"\Z"))
        found += [p for p in paths if not ignored(config, p) and regex.search(p)]
    return sorted(set(found))


@dataclass(frozen=True)
class Dependency:
    """One dependency Renovate extracts, with where its version is in the file."""

    datasource: str
    dep_name: str
    registry_url: str
    current_value: str
    start: int
    end: int


def extract(config: dict[str, Any], text: str) -> list[Dependency]:
    """Every dependency the custom managers find in ``cluster.py``'s ``text``."""
    deps = []
    for manager in config["customManagers"]:
        assert set(manager) <= CUSTOM_MANAGER_KEYS, manager
        assert manager["customType"] == "regex"
        for match_string in manager["matchStrings"]:
            for match in python_regex(match_string).finditer(text):
                groups = {k: v for k, v in match.groupdict().items() if v is not None}
                values = {}
                for field in FIELDS:
                    template = manager.get(f"{field}Template")
                    values[field] = handlebars(template, groups) if template else groups.get(field)
                deps.append(
                    Dependency(
                        values["datasource"] or "",
                        values["depName"] or "",
                        values["registryUrl"] or "",
                        values["currentValue"] or "",
                        match.start("currentValue"),
                        match.end("currentValue"),
                    )
                )
    return sorted(deps, key=lambda d: d.start)


def config_of(name: str) -> dict[str, Any]:
    # JSON is JSON5: Renovate reads renovate.json with a JSON5 parser too.
    return json.loads(rendered(name)[RENOVATE_CONFIG])  # type: ignore[no-any-return]


def version_fields(model: Any, path: str = "") -> list[tuple[str, str, BaseModel]]:
    """Every version the model holds, with its path and the object holding it: each field
    of ``Versions``, and each field named ``version`` or ``..._version``."""
    found = []
    if isinstance(model, BaseModel):
        for name in type(model).model_fields:
            value = getattr(model, name)
            here = f"{path}.{name}" if path else name
            is_version = (
                isinstance(model, Versions) or name == "version" or name.endswith("_version")
            )
            if is_version and isinstance(value, str):
                found.append((here, value, model))
            else:
                found += version_fields(value, here)
    elif isinstance(model, (list, tuple)):
        for i, item in enumerate(model):
            found += version_fields(item, f"{path}[{i}]")
    return found


def expected_dependency(path: str, value: str, holder: BaseModel) -> tuple[str, str, str]:
    """What Renovate must know to look the version up: datasource, depName, registryUrl."""
    if isinstance(holder, Chart):
        if holder.is_oci:
            return ("docker", holder.url.removeprefix("oci://"), "")
        return ("helm", holder.chart_name, holder.url)
    if isinstance(holder, Versions):
        return ("docker", renovate.VERSIONS[path.rsplit(".", 1)[1]][1], "")
    datasource, dep_name = renovate.ARGUMENTS[path.rsplit(".", 1)[1]]
    return (datasource, dep_name, "")


def written_versions(cluster: Cluster, text: str) -> list[tuple[tuple[str, ...], str, BaseModel]]:
    """The model's versions written in ``cluster.py`` (a default of homeops-gen is not), each
    with every path it has in the model: one object used in several places (a ``Chart``
    shared by two apps) is written once."""
    written: dict[tuple[int, str], tuple[list[str], str, BaseModel]] = {}
    for path, value, holder in version_fields(cluster):
        if f'"{value}"' in text or f"'{value}'" in text:
            key = (id(holder), path.rsplit(".", 1)[1])
            written.setdefault(key, ([], value, holder))[0].append(path)
    return [(tuple(paths), value, holder) for paths, value, holder in written.values()]


def execute(text: str) -> Cluster:
    """The model a ``cluster.py`` text defines (validated by pydantic, no rules)."""
    namespace: dict[str, Any] = {"__name__": "cluster"}
    exec(compile(text, MODEL_FILE, "exec"), namespace)
    cluster = namespace["cluster"]
    assert isinstance(cluster, Cluster)
    return cluster


def bumped(value: str) -> str:
    """The next patch release: the last number plus one."""
    return re.sub(r"(\d+)$", lambda m: str(int(m[1]) + 1), value)


def leaves(data: Any, path: str = "") -> dict[str, Any]:
    if isinstance(data, dict):
        return {
            k: v for key, item in data.items() for k, v in leaves(item, f"{path}.{key}").items()
        }
    if isinstance(data, (list, tuple)):
        return {
            k: v for i, item in enumerate(data) for k, v in leaves(item, f"{path}[{i}]").items()
        }
    return {path: data}


def assert_captures_every_version(config: dict[str, Any], text: str) -> None:
    cluster = execute(text)
    expected = written_versions(cluster, text)
    assert expected, "the model writes no version"
    deps = extract(config, text)
    found = sorted((d.datasource, d.dep_name, d.registry_url, d.current_value) for d in deps)
    wanted = sorted((*expected_dependency(ps[0], v, h), v) for ps, v, h in expected)
    assert found == wanted
    # Renovate writes the new version where it found the old one: that must change exactly
    # the field it stands for (every place the model uses that object).
    before = leaves(cluster.model_dump(mode="json", serialize_as_any=True))
    paths = {(*expected_dependency(ps[0], v, h), v): ps for ps, v, h in expected}
    for dep in deps:
        new = bumped(dep.current_value)
        changed = execute(text[: dep.start] + new + text[dep.end :])
        after = leaves(changed.model_dump(mode="json", serialize_as_any=True))
        diff = {k for k in before if before[k] != after.get(k)}
        fields = {
            f".{p}"
            for p in paths[(dep.datasource, dep.dep_name, dep.registry_url, dep.current_value)]
        }
        assert diff == fields, (dep, diff)
        assert all(after[f] == new for f in fields)


@pytest.mark.parametrize("model", RENOVATED)
def test_every_version_of_cluster_py_is_found_once(model: str) -> None:
    text = (MODELS[model] / MODEL_FILE).read_text()
    assert_captures_every_version(config_of(model), text)


@pytest.mark.parametrize("model", RENOVATED)
def test_only_cluster_py_is_read_and_no_generated_file(model: str) -> None:
    config = config_of(model)
    paths = [MODEL_FILE, *rendered(model)]
    for manager in config["customManagers"]:
        assert manager_files(manager, config, paths) == [MODEL_FILE]
        # Even without ignorePaths, the managers read no generated file.
        assert manager_files(manager, {"ignorePaths": []}, paths) == [MODEL_FILE]
    assert all(ignored(config, p) for p in rendered(model) if p.startswith("out/"))


@pytest.mark.parametrize("model", RENOVATED)
def test_generated_files_with_versions_are_ignored(model: str) -> None:
    """Renovate's own managers (helmfile, flux, github-actions...) must not bump a generated
    file: every one that carries a version is ignored."""
    config = config_of(model)
    versions = {v for _, v, _ in version_fields(loaded(model).cluster)}
    for path, text in rendered(model).items():
        if any(v in text for v in versions) or "uses:" in text:
            assert ignored(config, path), path


def test_a_renovate_comment_names_what_cannot_be_matched() -> None:
    """A chart URL kept in a variable, as the README shows it."""
    text = (MODELS["nova"] / MODEL_FILE).read_text()
    assert 'flux_instance("0.36.0"),\n' in text and "\ncluster = Cluster(" in text
    text = text.replace(
        'flux_instance("0.36.0"),\n',
        'flux_instance("0.36.0"),\n'
        "        App(\n"
        '            name="cert-manager",\n'
        '            namespace="cert-manager",\n'
        "            # renovate: datasource=helm depName=cert-manager"
        " registryUrl=https://charts.jetstack.io\n"
        '            chart=Chart(url=JETSTACK, name="cert-manager", version="1.19.1"),\n'
        "        ),\n",
    ).replace(
        "\ncluster = Cluster(", '\nJETSTACK = "https://charts.jetstack.io"\n\ncluster = Cluster('
    )
    assert_captures_every_version(config_of("nova"), text)
    constant = text.replace("# renovate: datasource=helm", "# datasource=helm")
    with pytest.raises(AssertionError):  # without the comment the version is missed
        assert_captures_every_version(config_of("nova"), constant)


def test_helpers_in_other_forms() -> None:
    """version= by keyword, chart_url= replacing the chart, gateway_api_version=, a
    Versions() with its fields swapped and a Chart() with its arguments in another order."""
    text = (MODELS["ha-vip"] / MODEL_FILE).read_text()
    for old, new in [
        (
            'cilium("1.18.4",',
            'cilium(\n            version="1.18.4",\n            gateway_api_version="v1.2.1",',
        ),
        (
            'coredns("1.45.0")',
            'coredns("1.45.0", chart_url="oci://registry.example.com/mirror/coredns")',
        ),
        (
            'Versions(talos="v1.11.5", kubernetes="v1.33.4")',
            "Versions(kubernetes='v1.33.4', talos='v1.11.5')",
        ),
    ]:
        assert old in text
        text = text.replace(old, new)
    text = text.replace(
        'flux_operator("0.36.0"),',
        'flux_operator("0.36.0"),\n        App(name="x", namespace="x", chart=Chart(version="2.0.0",'
        ' name="x", url="oci://r.example.com/c/x")),',
    ).replace("from homeops_gen import (", "from homeops_gen import (\n    App,\n    Chart,")
    assert_captures_every_version(config_of("ha-vip"), text)


def test_groups() -> None:
    rules = {r["groupName"]: r for r in config_of("nova")["packageRules"]}
    assert set(rules["talos and kubernetes"]["matchDepNames"]) == {
        renovate.TALOS_IMAGE,
        renovate.KUBELET_IMAGE,
    }
    assert rules["talos and kubernetes"]["separateMultipleMinor"] is True
    charts = [
        Deployment(loaded("nova").cluster).app(n).chart for n in ("flux-operator", "flux-instance")
    ]
    flux = {expected_dependency("", "", c)[1] for c in charts if c is not None}
    assert len(flux) == 2
    assert set(rules["flux-operator"]["matchDepNames"]) == flux


def test_renovate_config_is_owned_refused_when_edited_and_pruned(nova: Path) -> None:
    assert run("-C", nova).code == 0
    config = nova / RENOVATE_CONFIG
    original = config.read_text()
    config.write_text(original.replace("config:recommended", "config:base"))
    result = run("-C", nova)
    assert result.code == 1 and RENOVATE_CONFIG in result.err
    config.write_text(original)
    model = nova / MODEL_FILE
    model.write_text(
        model.read_text()
        .replace("    App,\n", "    App,\n    Automation,\n", 1)
        .replace(
            "    apps=[",
            "    automation=Automation(renovate=False, github_actions=False),\n    apps=[",
        )
    )
    assert run("-C", nova).code == 0
    assert not config.exists() and not (nova / ".github").exists()
    assert run("-C", nova, "generate", "--check").code == 0


def test_a_chart_bump_changes_exactly_the_files_naming_that_chart(tmp_path: Path) -> None:
    """The Renovate pull request changes cluster.py; regenerating changes exactly the
    generated files that name the bumped chart (and the manifest of hashes)."""
    for model, app in [("many-apps", "grafana"), ("nova", "cilium"), ("homelab", "gatus")]:
        root = copy_model(model, tmp_path / model)
        assert run("-C", root).code == 0
        before = tree(root)
        chart = Deployment(loaded(model).cluster).app(app).chart
        assert chart is not None
        text = (root / MODEL_FILE).read_text()
        [dep] = [
            d
            for d in extract(config_of(model), text)
            if d.dep_name == chart.url.removeprefix("oci://")
        ]
        new = bumped(dep.current_value)
        (root / MODEL_FILE).write_text(text[: dep.start] + new + text[dep.end :])
        assert run("-C", root).code == 0
        after = tree(root)
        changed = {p for p in after if before.get(p) != after[p]}
        naming = {
            p
            for p, data in before.items()
            if p != MODEL_FILE
            and chart.url.removeprefix("oci://") in data.decode()
            and chart.version in data.decode()
        }
        assert naming, "some generated file names the chart and its version"
        assert changed == {MODEL_FILE, "out/.homeops-gen.json"} | naming
        assert all(new.encode() in after[p] for p in naming)


def test_the_starter_of_init_is_covered(tmp_path: Path) -> None:
    root = tmp_path / "home-ops"
    assert run("init", root).code == 0
    config = json.loads(renovate.render(load(root))[RENOVATE_CONFIG])
    assert_captures_every_version(config, (root / MODEL_FILE).read_text())


def test_the_readme_example_of_a_renovate_comment_is_found() -> None:
    readme = (ROOT / "README.md").read_text()
    [example] = [b for b in readme.split("```python\n")[1:] if "# renovate:" in b]
    example = example.split("```")[0]
    deps = extract(config_of("nova"), example)
    assert [(d.datasource, d.dep_name, d.registry_url, d.current_value) for d in deps] == [
        ("helm", "cert-manager", "https://charts.jetstack.io", "1.19.1")
    ]


REQUIRED_OPTIONS: dict[str, dict[str, Any]] = {
    "cert_manager": {
        "email": "ops@example.com",
        "dns_zones": ["example.com"],
        "api_token": "secrets/token.sops.yaml",
    },
    "external_dns": {"domain_filters": ["example.com"], "api_token": "secrets/token.sops.yaml"},
}
"""The options a helper cannot make an app without."""


def test_every_app_helper_is_matched_with_the_chart_it_installs() -> None:
    """A new helper in homeops_gen.apps needs its own manager, or its version is missed."""
    import inspect

    from homeops_gen import apps
    from homeops_gen.model import App

    helpers = {h.function: h for h in renovate.HELPERS}
    for name in apps.__all__:
        function = getattr(apps, name)
        if inspect.signature(function).return_annotation not in (App, "App"):
            continue
        helper = helpers.pop(name)
        app = function("1.0.0", **REQUIRED_OPTIONS.get(name, {}))
        assert helper.chart == app.chart.url
        assert helper.chart_name == (None if app.chart.is_oci else app.chart.chart_name)
        assert helper.chart_url_argument == ("chart_url" in inspect.signature(function).parameters)
    assert not helpers, "managers for helpers that do not exist"
