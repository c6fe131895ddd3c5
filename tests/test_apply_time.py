"""Values that look right and break when applied: each fault alone, on an otherwise valid model,
is refused (or warned about) naming the field, the bad value and the fix; nothing is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run
from tests.models import BASE, DEFAULT_APPS, model, write_model
from tests.test_references import assert_reported

CP, WORKER = BASE["nodes"][0], BASE["nodes"][3]
COREDNS_APPS = DEFAULT_APPS[:-1] + ', coredns("1.45.0")]'

# (overrides of the base model, apps, exit code, the line's start, more words of the line)
FAULTS: dict[str, tuple[dict[str, Any], str, int, str, list[str]]] = {
    "control plane with too little memory": (
        {"nodes__0": {**CP, "memory_mib": 1536}},
        DEFAULT_APPS,
        2,
        "nodes[0].memory_mib: 1536 MiB is less than Talos needs on a controlplane node",
        ["2048 or more", "(node 'cp-1', "],
    ),
    "worker with too little memory": (
        {"nodes__3": {**WORKER, "memory_mib": 768}},
        DEFAULT_APPS,
        2,
        "nodes[3].memory_mib: 768 MiB",
        ["worker", "1024 or more"],
    ),
    "node named localhost": (
        {"nodes__3": {**WORKER, "name": "localhost"}},
        DEFAULT_APPS,
        2,
        "nodes[3].name: 'localhost' cannot name a node",
        ["127.0.0.1", "worker-4"],
    ),
    "namespace one letter from an app's": (
        {"namespaces": [{"name": "kube-sytem", "labels": {"team": "core"}}]},
        COREDNS_APPS,
        0,
        "warning[namespace-unused]: namespaces[0].name: no app deploys into 'kube-sytem'",
        ["did you mean 'kube-system'"],
    ),
    "pod security level misspelt": (
        {
            "namespaces": [
                {"name": "web", "labels": {"pod-security.kubernetes.io/enforce": "priviliged"}}
            ]
        },
        DEFAULT_APPS,
        2,
        "namespaces[0].labels['pod-security.kubernetes.io/enforce']: 'priviliged' is not a Pod "
        "Security level; did you mean 'privileged'?",
        ["baseline, restricted"],
    ),
    "pod security mode misspelt": (
        {
            "namespaces": [
                {"name": "web", "labels": {"pod-security.kubernetes.io/enfroce": "baseline"}}
            ]
        },
        DEFAULT_APPS,
        2,
        "namespaces[0].labels: 'pod-security.kubernetes.io/enfroce' is not a Pod Security label",
        ["did you mean 'enforce'?"],
    ),
    "service range too small for the cluster DNS": (
        {"network__service_cidr": "10.43.0.0/29"},
        COREDNS_APPS,
        2,
        "network.service_cidr: 10.43.0.0/29 is too small for cluster DNS",
        ["tenth address", "/28"],
    ),
    "non-canonical network": (
        {"network__node_cidr": "192.168.1.7/24"},
        DEFAULT_APPS,
        2,
        "network.node_cidr: '192.168.1.7/24' is an address, not a network",
        ["did you mean '192.168.1.0/24'?"],
    ),
    "depends_on misspelt": (
        {},
        DEFAULT_APPS + ' + [web(depends_on=["cillium"])]',
        2,
        "apps[3].depends_on[0]: no app named 'cillium'; did you mean 'cilium'?",
        [],
    ),
    "endpoint on one of three control planes": (
        {"endpoint": "192.168.1.10"},
        DEFAULT_APPS,
        0,
        "warning[endpoint-not-ha]: endpoint: 192.168.1.10 is control plane 'cp-1''s own IP",
        ["3 control planes", "VIP"],
    ),
}


@pytest.mark.parametrize("case", sorted(FAULTS))
def test_a_fault_is_named_with_its_fix(case: str, tmp_path: Path) -> None:
    overrides, apps, code, start, words = FAULTS[case]
    assert_reported(write_model(tmp_path, model(**overrides), apps), code, start, words)


KEY = BASE["sops"]["age_recipients"][0]
OTHER = "age1uufdnvkw0darvl867yuk58dd80k7yynag27r2au4vua9hc28y4zsal98g4"


def test_an_age_recipient_with_a_bad_checksum_is_refused(tmp_path: Path) -> None:
    typo = KEY[:-1] + ("q" if KEY[-1] != "q" else "p")  # still 58 valid characters
    root = write_model(tmp_path, model(sops={"age_recipients": [typo]}))
    result = run("-C", root)
    assert result.code == 2
    assert f"  sops.age_recipients[0]: {typo} is not a valid age public key: its checksum" in (
        result.err
    )
    assert "age-keygen -y" in result.err
    assert not (root / "out").exists()


def test_the_checksum_agrees_with_age_itself() -> None:
    pyrage = pytest.importorskip("pyrage", reason="pyrage (the test extra) is not installed")
    from homeops_gen.secrets import bech32_valid

    for key in (KEY, OTHER, KEY[:-1] + "q", KEY[:10] + KEY[11] + KEY[10] + KEY[12:]):
        try:
            pyrage.x25519.Recipient.from_str(key)
            accepted = True
        except Exception:  # pyrage raises its own error types
            accepted = False
        assert bech32_valid(key) is accepted, key


def _secret_to(*recipients: str) -> str:
    entries = "".join(
        f"        - recipient: {r}\n          enc: |\n            -----BEGIN AGE ENCRYPTED FILE-----\n"
        "            eA==\n            -----END AGE ENCRYPTED FILE-----\n"
        for r in recipients
    )
    return (
        "apiVersion: v1\nkind: Secret\nmetadata:\n    name: web\nstringData:\n"
        "    token: ENC[AES256_GCM,data:eA==,iv:aQ==,tag:dA==,type:str]\n"
        f"sops:\n    age:\n{entries}    mac: ENC[AES256_GCM,data:bQ==,iv:aQ==,tag:dA==,type:str]\n"
        "    encrypted_regex: ^(data|stringData)$\n    version: 3.10.2\n"
    )


@pytest.mark.parametrize(
    ("recipients", "code", "words"),
    [
        ((OTHER,), 2, [f"encrypted to {OTHER}, none of which is in sops.age_recipients"]),
        ((KEY, OTHER), 0, ["warning[sops-recipients-differ]", f"also to {OTHER}"]),
        ((KEY,), 0, []),
    ],
)
def test_a_secret_encrypted_to_other_recipients(
    recipients: tuple[str, ...], code: int, words: list[str], tmp_path: Path
) -> None:
    root = write_model(tmp_path, model(), DEFAULT_APPS + ' + [web(secrets=["s/web.sops.yaml"])]')
    (root / "s").mkdir()
    (root / "s/web.sops.yaml").write_text(_secret_to(*recipients))
    result = run("-C", root)
    assert result.code == code, result.err
    line = next((ln for ln in result.err.splitlines() if "apps[3].secrets[0]: " in ln), "")
    for word in words:
        assert word in line, result.err
    assert "sops updatekeys s/web.sops.yaml" in line or not words
    if not words:
        assert "apps[3].secrets[0]" not in result.err


RELEASES: dict[str, tuple[dict[str, Any], str, int, str, list[str]]] = {
    "talos patch that does not exist": (
        {"versions": {"talos": "v1.11.99", "kubernetes": "v1.33.0"}},
        DEFAULT_APPS,
        0,
        "warning[talos-version-unreleased]: versions.talos: v1.11.99 is not a Talos release",
        ["did you mean 'v1.11.6'?", "--online"],
    ),
    "misspelt extension": (
        {"talos": {"extensions": ["siderolabs/qemu-guest-agnet"]}},
        DEFAULT_APPS,
        2,
        "talos.extensions[0]: 'siderolabs/qemu-guest-agnet' is not an official system "
        "extension of Talos v1.11",
        ["did you mean 'siderolabs/qemu-guest-agent'?", "Image Factory"],
    ),
    "extension of a later Talos on a node": (
        {"nodes__3": {**WORKER, "extensions": ["siderolabs/frobnicator-tools"]}},
        DEFAULT_APPS,
        0,
        "warning[talos-extension-unknown]: nodes[3].extensions[0]: 'siderolabs/frobnicator-tools'",
        ["official extensions of Talos v1.11"],
    ),
    "cilium chart that does not exist": (
        {},
        '[cilium("1.91.3"), flux_operator("0.36.0"), flux_instance("0.36.0")]',
        0,
        "warning[helper-version-unknown]: apps[0].chart.version: 1.91.3 is not a cilium chart",
        ["did you mean '1.19.3'?"],
    ),
    "flux-operator chart newer than any release": (
        {},
        '[cilium("1.18.4"), flux_operator("0.99.0"), flux_instance("0.36.0")]',
        0,
        "warning[helper-version-unknown]: apps[1].chart.version: 0.99.0 is not a flux-operator",
        ["newest known: 0.60.0"],
    ),
}


@pytest.mark.parametrize("case", sorted(RELEASES))
def test_a_release_that_does_not_exist(case: str, tmp_path: Path) -> None:
    overrides, apps, code, start, words = RELEASES[case]
    assert_reported(write_model(tmp_path, model(**overrides), apps), code, start, words)


def test_every_fixture_names_known_releases_and_extensions() -> None:
    """The data is consistent with itself: each Talos minor of the support matrix has its
    extensions and newest patch, and the known patches parse."""
    from homeops_gen import compat, known_releases

    for minor in compat.TALOS:
        key = "v{}.{}".format(*minor)
        assert key in known_releases.TALOS_NEWEST_PATCH
        assert "siderolabs/qemu-guest-agent" in known_releases.TALOS_EXTENSIONS[key]
        assert known_releases.TALOS_NEWEST_PATCH[key].startswith(key + ".")


LONGHORN = (
    'App(name="longhorn", namespace="longhorn-system", chart=Chart(url="https://charts.longhorn.io"'
    ', name="longhorn", version="1.10.1")%s)'
)
STORAGE = ["siderolabs/qemu-guest-agent", "siderolabs/iscsi-tools", "siderolabs/util-linux-tools"]


@pytest.mark.parametrize(
    ("overrides", "values", "words"),
    [
        # the workers lack what Longhorn needs on every node
        ({}, "", ["'worker-1' lack siderolabs/iscsi-tools, siderolabs/util-linux-tools"]),
        # control planes run workloads too
        (
            {
                "talos": {"allow_scheduling_on_control_planes": True},
                "nodes__3": {**WORKER, "extensions": STORAGE},
            },
            "",
            ["'cp-1', 'cp-2', 'cp-3' lack"],
        ),
    ],
)
def test_longhorn_needs_its_extensions_on_every_node_it_runs_on(
    overrides: dict[str, Any], values: str, words: list[str], tmp_path: Path
) -> None:
    apps = DEFAULT_APPS + " + [" + LONGHORN % values + "]"
    result = run("-C", write_model(tmp_path, model(**overrides), apps))
    assert result.code == 0, result.err
    line = next(ln for ln in result.err.splitlines() if "warning[app-needs-extensions]" in ln)
    assert "apps[3]: the longhorn chart needs siderolabs/iscsi-tools and " in line
    for word in [*words, "add them to talos.extensions"]:
        assert word in line, line


def test_longhorn_on_nodes_with_its_extensions_or_kept_off_the_others(tmp_path: Path) -> None:
    labelled = {**WORKER, "extensions": STORAGE, "labels": {"storage": "yes"}}
    on_workers = model(nodes__3=labelled, talos={"allow_scheduling_on_control_planes": True})
    selector = ', values={"longhornManager": {"nodeSelector": {"storage": "yes"}}}'
    apps = DEFAULT_APPS + " + [" + LONGHORN % selector + "]"
    result = run("-C", write_model(tmp_path / "a", on_workers, apps), "--strict")
    assert result.code == 0, result.err
    everywhere = model(talos={"extensions": STORAGE})
    apps = DEFAULT_APPS + " + [" + LONGHORN % "" + "]"
    result = run("-C", write_model(tmp_path / "b", everywhere, apps), "--strict")
    assert result.code == 0, result.err


def test_a_node_that_drops_a_cluster_extension_is_told(tmp_path: Path) -> None:
    data = model(
        talos={"extensions": ["siderolabs/qemu-guest-agent"]},
        nodes__3={**WORKER, "extensions": ["siderolabs/iscsi-tools"]},
    )
    result = run("-C", write_model(tmp_path, data))
    assert result.code == 0, result.err
    assert (
        "warning[node-drops-extension]: nodes[3].extensions: a node's extensions replace "
        "talos.extensions (they do not add to them), so 'worker-1' runs without "
        "siderolabs/qemu-guest-agent; list it in this node's extensions too" in result.err
    )


def test_talos_secrets_encrypted_to_a_recipient_no_longer_listed(tmp_path: Path) -> None:
    root = write_model(tmp_path, model())
    secrets = root / "out/talos/talsecret.sops.yaml"
    secrets.parent.mkdir(parents=True)
    secrets.write_text(_secret_to(OTHER).replace("kind: Secret", "kind: Bundle"))
    result = run("-C", root, "generate", "--check")
    assert result.code == 2
    assert (
        f"  sops.age_recipients: out/talos/talsecret.sops.yaml is encrypted to {OTHER}, none of "
        "which is in sops.age_recipients" in result.err
    )
    secrets.write_text(_secret_to(KEY))
    assert "sops.age_recipients" not in run("-C", root, "generate", "--check").err
