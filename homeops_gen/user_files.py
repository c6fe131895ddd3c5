"""Reading the files a model refers to (the apps' manifests and SOPS secrets, the Git pull
secret, the Talos secrets): each read once, and checked to be what the model says it is."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import yaml

from homeops_gen.deployment import WEBHOOK_SECRET, WEBHOOK_TOKEN_KEY, helper_secrets, webhook_app
from homeops_gen.layout import FLUX_NAMESPACE, TALSECRET
from homeops_gen.model import Cluster
from homeops_gen.problems import Problem, warning
from homeops_gen.rules import NAMESPACE_RESOURCE, unsubstituted
from homeops_gen.secrets import (
    ENCRYPT_HOW,
    age_recipients_of,
    credential_problem,
    is_sops_encrypted,
    sops_problem,
)


def read_user_files(root: Path, cluster: Cluster) -> tuple[dict[str, str], list[Problem]]:
    """The manifests and secrets the apps ship, read once; each must be what it claims."""
    files: dict[str, str] = {}
    problems: list[Problem] = []
    entries = [
        (f"apps[{i}].{entry}", rel, is_secret, app)
        for i, app in enumerate(cluster.apps)
        for entry, rel, is_secret in app.user_file_fields()
    ]
    webhook = cluster.gitops.webhook
    if webhook is not None:
        # not the Deployment: deriving the other apps' values needs rules not run yet
        entries.append(("gitops.webhook.token", webhook.token, True, webhook_app(cluster, webhook)))
    for where, rel, is_secret, app in entries:
        if outside := _outside_the_project(root, rel):
            problems.append(Problem(where, outside))
            continue
        try:
            text = (root / rel).read_text(encoding="utf-8")
        except FileNotFoundError:
            problems.append(Problem(where, f"{rel} does not exist"))
            continue
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(where, f"cannot read {rel}: {exc}"))
            continue
        reason = _secret_problem(rel, text) if is_secret else _manifest_problem(rel, text)
        if reason:
            problems.append(Problem(where, reason))
            continue
        if is_secret and (problem := recipients_problem(where, rel, text, cluster)):
            problems.append(problem)
        files[rel] = text
        if not is_secret and (problem := unsubstituted(where, text, app)):
            problems.append(problem)
    problems += _named_secret_problems(cluster, files)
    return files, problems


def _named_secret_problems(cluster: Cluster, files: Mapping[str, str]) -> list[Problem]:
    """The SOPS files generated objects refer to by Secret name and key (a helper's API
    token, the webhook's token) hold exactly that Secret and key."""
    wanted = [
        (f"apps[{i}].made_by.{option}", path, name, key)
        for i, app in enumerate(cluster.apps)
        for option, path, name, key in helper_secrets(app)
    ]
    if cluster.gitops.webhook is not None:
        wanted.append(
            (
                "gitops.webhook.token",
                cluster.gitops.webhook.token,
                WEBHOOK_SECRET,
                WEBHOOK_TOKEN_KEY,
            )
        )
    problems = []
    for where, path, name, key in wanted:
        text = files.get(path)
        if text is None:
            continue  # unreadable: reported where the file is listed
        documents = [d for d in yaml.safe_load_all(text) if d is not None]
        secret = documents[0] if len(documents) == 1 and isinstance(documents[0], dict) else {}
        keys = {
            str(k)
            for field in ("data", "stringData")
            if isinstance(secret.get(field), dict)
            for k in secret[field]
        }
        found = (secret.get("metadata") or {}).get("name")
        if secret.get("kind") != "Secret" or found != name or key not in keys:
            problems.append(
                Problem(
                    where,
                    f"{path} must hold one Secret named {name!r} with the key {key!r} (it holds "
                    f"{'a Secret named ' + repr(found) if secret.get('kind') == 'Secret' else 'no Secret'}"
                    f" with the keys: {', '.join(sorted(keys)) or 'none'}): what is generated "
                    "refers to it by that name and key",
                )
            )
    return problems


def _outside_the_project(root: Path, rel: str) -> str | None:
    """Why ``rel`` (a project path) reaches outside the project through a symbolic link."""
    try:
        real = (root / rel).resolve()
        inside = real.is_relative_to(root.resolve())
    except (OSError, RuntimeError) as exc:  # a loop of links
        return f"{rel} cannot be resolved: {exc}"
    if inside:
        return None
    return (
        f"{rel} is a symbolic link to {real}, outside the project: homeops-gen copies only "
        "files of the repository (copy the file in instead of linking it)"
    )


def read_pull_secret(root: Path, cluster: Cluster) -> tuple[str | None, Problem | None]:
    """The ``metadata.name`` of ``gitops.pull_secret``: an encrypted Secret for flux-system."""
    rel = cluster.gitops.pull_secret
    if rel is None or not rel.endswith((".sops.yaml", ".sops.yml")):
        return None, None
    if outside := _outside_the_project(root, rel):
        return None, Problem("gitops.pull_secret", outside)
    try:
        text = (root / rel).read_text(encoding="utf-8")
    except FileNotFoundError:
        reason: str | None = f"{rel} does not exist"
    except (OSError, UnicodeDecodeError) as exc:
        reason = f"cannot read {rel}: {exc}"
    else:
        name, reason = _flux_secret_name(rel, text)
        if reason is None:
            reason = _pull_secret_keys(rel, text, cluster.gitops.repository)
        if reason is None:
            return name, recipients_problem("gitops.pull_secret", rel, text, cluster)
    return None, Problem("gitops.pull_secret", str(reason))


def _flux_secret_name(rel: str, text: str) -> tuple[str | None, str | None]:
    """The name of the one encrypted Secret for flux-system in ``text``, or why it is not."""
    if reason := _secret_problem(rel, text):
        return None, reason
    documents = [d for d in yaml.safe_load_all(text) if d is not None]
    secret = documents[0] if len(documents) == 1 else None
    if not isinstance(secret, dict) or secret.get("kind") != "Secret":
        return None, f"{rel} must hold exactly one Kubernetes Secret"
    metadata = secret.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    name = metadata.get("name")
    if not isinstance(name, str) or not name or name.startswith("ENC["):
        return None, (
            f"{rel} needs a plain metadata.name (encrypt only data/stringData, as .sops.yaml's "
            "rule does): the FluxInstance names the Secret"
        )
    if metadata.get("namespace") not in (None, FLUX_NAMESPACE):
        return None, (
            f"{rel} is in namespace {metadata.get('namespace')!r}: Flux reads it from "
            f"{FLUX_NAMESPACE!r} (leave metadata.namespace out or set it to flux-system)"
        )
    return name, None


def _pull_secret_keys(rel: str, text: str, repository: str) -> str | None:
    """Why Flux could not authenticate with the pull secret's keys, or None.

    SOPS encrypts the values only, so the keys can be read. fluxcd/pkg ``git/options.go``
    (``NewAuthOptions``, ``Validate``): ssh needs ``identity`` and ``known_hosts``; https takes
    ``bearerToken``, or ``username`` and ``password`` (a password without a username is refused),
    or a client certificate (``tls.crt`` and ``tls.key``).
    """
    secret = next(d for d in yaml.safe_load_all(text) if d is not None)
    keys = {
        str(key)
        for field in ("data", "stringData")
        if isinstance(secret.get(field), dict)
        for key in secret[field]
    }
    have = ", ".join(sorted(keys)) or "none"
    if repository.startswith("ssh://"):
        missing = [k for k in ("identity", "known_hosts") if k not in keys]
        if missing:
            return (
                f"{rel} has no {' and no '.join(repr(k) for k in missing)} key (it has: {have}): "
                f"Flux refuses an ssh:// sync without them ('{missing[0]}' is required); add the "
                "deploy key as 'identity' and the server's host keys (ssh-keyscan) as "
                "'known_hosts'"
            )
        return None
    if "password" in keys and "username" not in keys and "bearerToken" not in keys:
        return (
            f"{rel} has 'password' but no 'username' (it has: {have}): Flux refuses it "
            "('password' requires 'username' to be set); add 'username' (for GitHub, any "
            "non-empty name such as git)"
        )
    if "bearerToken" in keys or {"username", "password"} <= keys or {"tls.crt", "tls.key"} <= keys:
        return None
    return (
        f"{rel} has no credentials Flux uses for an https:// repository (it has: {have}): give "
        "'username' and 'password' (a token), or 'bearerToken'"
    )


def talos_secrets_recipients(root: Path, cluster: Cluster) -> list[Problem]:
    """The Talos secrets ``talos-gen`` encrypted once are still for the model's recipients."""
    try:
        text = (root / TALSECRET).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []  # not made yet (or unreadable: talos-gen will say so)
    problem = recipients_problem("sops.age_recipients", TALSECRET, text, cluster)
    return [problem] if problem else []


def recipients_problem(where: str, rel: str, text: str, cluster: Cluster) -> Problem | None:
    """A SOPS file encrypted to age recipients other than ``sops.age_recipients``: an error
    when none of them can decrypt it (Flux' key is one of them), else a warning."""
    found = age_recipients_of(text)
    if not found:
        return None  # encrypted with another key type (PGP, KMS): not the model's to judge
    wanted = cluster.sops.age_recipients
    extra = [r for r in found if r not in wanted]
    missing = [r for r in wanted if r not in found]
    if not extra and not missing:
        return None
    fix = f"run sops updatekeys {rel} (the .sops.yaml homeops-gen writes lists the recipients)"
    if not set(found) & set(wanted):
        return Problem(
            where,
            f"{rel} is encrypted to {', '.join(found)}, none of which is in "
            f"sops.age_recipients, so no key the cluster has decrypts it: {fix}",
        )
    parts = [f"also to {', '.join(extra)} (not in sops.age_recipients)"] if extra else []
    parts += [f"not to {', '.join(missing)}"] if missing else []
    return warning(
        "sops-recipients-differ", where, f"{rel} is encrypted {' and '.join(parts)}: {fix}"
    )


def _secret_problem(rel: str, text: str) -> str | None:
    reason = sops_problem(text)
    if reason is None:
        return None
    return f"{rel} is not SOPS-encrypted ({reason}); run: sops encrypt --in-place {rel}"


def _manifest_problem(rel: str, text: str) -> str | None:
    if is_sops_encrypted(text):
        return f"{rel} is SOPS-encrypted: list it under secrets, so Flux decrypts it"
    try:
        documents = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as exc:
        return f"{rel} is not valid YAML: {str(exc).splitlines()[0]}"
    if not documents or not all(
        isinstance(d, dict) and "apiVersion" in d and "kind" in d for d in documents
    ):
        return f"{rel} must hold Kubernetes manifests (apiVersion and kind in every document)"
    if any(d["kind"] == "Namespace" and d["apiVersion"] == "v1" for d in documents):
        return f"{rel} holds a Namespace: {NAMESPACE_RESOURCE}"
    if credential := credential_problem(text):
        return f"{rel} holds {credential}: {ENCRYPT_HOW}"
    return None
