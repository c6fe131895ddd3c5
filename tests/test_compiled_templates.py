"""The compiled templates (``homeops_gen/compiled_templates/``) are the templates' own code:
current, used while current, and ignored once the template changes.

``make regen`` rewrites them after a template changes (``tools/compiled_templates.py``).
"""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from homeops_gen import templating
from homeops_gen.render import render
from tests.conftest import ROOT, loaded

from tools.compiled_templates import on_disk


def test_every_template_is_compiled_and_current() -> None:
    assert (
        on_disk() == templating.compiled_modules()
    ), "compiled templates out of date: run make regen"


def test_templates_load_from_their_compiled_modules() -> None:
    env = templating.environment()
    for name in env.list_templates(extensions=["j2"]):
        template = env.get_template(name)
        module = template.root_render_func.__globals__["__name__"]
        assert module == f"{templating.COMPILED_PACKAGE}.{templating.module_name(name)}"
        assert template.filename == str(ROOT / "templates" / name)


def test_rendering_is_the_same_with_and_without_compiled_templates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    templating.environment.cache_clear()
    compiled = {name: render(loaded(name)) for name in ("nova", "homelab", "talosctl-1-14")}
    monkeypatch.setattr(templating, "_compiled_module", lambda template: None)
    templating.environment.cache_clear()
    try:
        assert {name: render(loaded(name)) for name in compiled} == compiled
    finally:
        templating.environment.cache_clear()


def test_a_changed_template_is_compiled_from_its_text(tmp_path: Path) -> None:
    """A template edited after its module was compiled renders as edited."""
    name = "talos/gitignore.j2"
    (tmp_path / "talos").mkdir()
    (tmp_path / name).write_text("edited {{ clusterconfig }}\n")
    env = templating.environment().overlay(loader=templating._Loader(str(tmp_path)))
    assert env.get_template(name).render(clusterconfig="x") == "edited x\n"


def test_another_jinja_version_compiles_from_the_text(monkeypatch: pytest.MonkeyPatch) -> None:
    env = templating.environment().overlay()
    before = templating.fingerprint(env, "text")
    monkeypatch.setattr(jinja2, "__version__", "9.9.9")
    assert templating.fingerprint(env, "text") != before
    template = env.get_template("talos/gitignore.j2")
    assert template.root_render_func.__globals__.get("__name__") is None  # compiled from text


def test_a_compiled_module_serves_one_environment() -> None:
    templating.environment().get_template("talos/gitignore.j2")
    other = templating.environment().overlay()
    template = other.get_template("talos/gitignore.j2")
    assert template.root_render_func.__globals__.get("__name__") is None
    assert template.render(clusterconfig="x") == (
        templating.environment().get_template("talos/gitignore.j2").render(clusterconfig="x")
    )


def test_module_names_follow_the_template_path() -> None:
    assert templating.module_name("talos/gen.sh.j2") == "talos_gen_sh"
    assert (
        templating.module_name("infrastructure/shared/proxmox/main.tf.j2")
        == "infrastructure_shared_proxmox_main_tf"
    )
