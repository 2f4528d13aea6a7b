"""Profiles as data files: the built-ins' YAML files, the loader's merge rule and errors,
and the JSON Schema editors use (`cnadvisor schema --profile`)."""

from __future__ import annotations

import ast
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml
from cnadvisor.profile_files import (
    ProfileFileError,
    load_profiles,
    merge,
    profile_file_schema,
    profiles_from_text,
)

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted((ROOT / "plugins" / "profiles").glob("*.yaml")) + sorted(
    (ROOT / "examples").glob("*/src/*/profiles/*.yaml")
)

BASE = """\
references:
  docs: {title: Acme docs, url: "https://example.org/acme"}
  more: {title: Acme design, url: "https://example.org/acme/design", locator: Data path}
profiles:
- id: acme-native
  name: Acme (native)
  family: kubernetes-cni
  summary: Acme's native routing mode, no tunnel.
  notes: [first note]
  references: [docs]
  datapath:
    intra_host: [veth, routed-hop, veth]
    inter_host: [veth, routed-hop]
    cite: [docs]
  security: {isolation: namespace, network_policy: l3-l4, cite: [docs]}
  mobility: {routable_ips: true, cite: [docs]}
  operations:
    orchestrators: [kubernetes]
    underlay: l2-or-bgp
    ip_families: [ipv4, ipv6]
    cite: [docs]
- id: acme-vxlan
  extends: acme-native
  name: Acme (VXLAN)
  references: [docs, more]
  datapath:
    inter_host: [veth, routed-hop, vxlan]
  mobility: {routable_ips: false}
  operations: {underlay: ip, ip_families: [ipv4]}
"""


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_every_shipped_profile_file_passes_the_published_schema(path):
    validator = jsonschema.Draft202012Validator(profile_file_schema())
    errors = [error.message for error in validator.iter_errors(yaml.safe_load(path.read_text()))]
    assert errors == []


def test_schema_is_valid_and_rejects_what_the_loader_rejects():
    schema = profile_file_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    data = yaml.safe_load(BASE)
    assert validator.is_valid(data)
    del data["profiles"][0]["datapath"]  # a complete profile needs its datapath
    assert not validator.is_valid(data)
    data = yaml.safe_load(BASE)
    data["profiles"][1]["operations"]["underlay"] = "carrier-pigeon"
    assert not validator.is_valid(data)


def test_variant_changes_only_what_it_names():
    native, vxlan = profiles_from_text(BASE, "acme.yaml")
    assert vxlan.datapath.intra_host == native.datapath.intra_host  # inherited
    assert vxlan.datapath.inter_host == ["veth", "routed-hop", "vxlan"]
    assert vxlan.security == native.security
    assert vxlan.mobility.routable_ips is False
    assert vxlan.operations.orchestrators == native.operations.orchestrators
    assert vxlan.operations.ip_families == ["ipv4"]  # lists replace, never append
    assert [ref.id for ref in vxlan.references] == ["docs", "more"]
    assert vxlan.reference("more").locator == "Data path"
    assert vxlan.notes == ["first note"] and vxlan.name == "Acme (VXLAN)"


def test_merge_rule_is_one_level_and_lists_replace():
    base = {"id": "a", "notes": ["x"], "datapath": {"intra_host": ["veth"], "cite": ["d"]}}
    out = merge(base, {"extends": "a", "notes": [], "datapath": {"cite": ["e"]}})
    assert out == {"id": "a", "notes": [], "datapath": {"intra_host": ["veth"], "cite": ["e"]}}
    assert base["datapath"]["cite"] == ["d"]  # the base is not changed


def test_null_clears_a_field_the_base_sets():
    text = BASE.replace("  mobility: {routable_ips: false}", "  mobility: {routable_ips: null}")
    _, vxlan = profiles_from_text(text, "acme.yaml")
    assert vxlan.mobility.routable_ips is None


def _error(text: str) -> tuple[str, str]:
    with pytest.raises(ProfileFileError) as caught:
        profiles_from_text(text, "acme.yaml")
    message = str(caught.value)
    line = int(message.split(":")[1])
    return message, text.splitlines()[line - 1]


@pytest.mark.parametrize(
    ("old", "new", "key", "line_has"),
    [
        ("underlay: ip,", "underlay: sky,", "acme-vxlan.operations.underlay", "underlay: sky"),
        ("[veth, routed-hop, vxlan]", "[veth, vxlna]", "acme-vxlan.datapath.inter_host", "vxlna"),
        ("references: [docs, more]", "references: [docs, mroe]", "references[1]", "mroe"),
        ("extends: acme-native", "extends: acme-nativ", "extends", "acme-nativ"),
        ("  name: Acme (VXLAN)\n", "  name: Acme (VXLAN)\n  colour: blue\n", "colour", "colour"),
        ('url: "https://example.org/acme"', "url: ftp://x", "references.docs", "ftp://x"),
        ("network_policy: l3-l4", "network_policy: l9", "security.network_policy", "l9"),
    ],
)
def test_a_bad_file_names_the_file_the_line_and_the_key(old, new, key, line_has):
    text = BASE.replace(old, new, 1)
    assert text != BASE
    message, line = _error(text)
    assert message.startswith("acme.yaml:")
    assert key in message
    assert line_has in line


def test_an_error_in_an_inherited_field_points_at_the_base_that_wrote_it():
    text = BASE.replace("isolation: namespace", "isolation: shared-nothing")
    message, line = _error(text)
    assert "acme-native.security.isolation" in message and "shared-nothing" in line


def test_syntax_errors_and_cycles_are_reported_with_a_line():
    message, _ = _error(BASE.replace("  datapath:\n    intra_host", "  datapath: [\n    intra", 1))
    assert "not valid YAML" in message
    cyclic = BASE.replace("- id: acme-native\n", "- id: acme-native\n  extends: acme-vxlan\n")
    message, line = _error(cyclic)
    assert "cycle" in message and "extends" in line


def test_built_in_files_are_read_from_the_installed_package():
    folder = resources.files("cnadvisor_plugins") / "profiles"
    names = sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))
    assert "references" in names
    profiles = load_profiles("cnadvisor_plugins", *(n for n in names if n != "references"))
    assert len(profiles) >= 45 and len({p.id for p in profiles}) == len(profiles)
    with pytest.raises(ProfileFileError, match="no-such-file"):
        load_profiles("cnadvisor_plugins", "no-such-file")


def test_a_reference_is_declared_once_per_package():
    shared = yaml.safe_load((ROOT / "plugins" / "profiles" / "references.yaml").read_text())
    for path in FILES:
        if path.parent == ROOT / "plugins" / "profiles" and path.name != "references.yaml":
            own = yaml.safe_load(path.read_text()).get("references") or {}
            assert not set(own) & set(shared["references"]), path.name


@pytest.mark.parametrize(
    "path", sorted((ROOT / "plugins").glob("*.py")), ids=lambda path: path.name
)
def test_plugin_modules_are_small_and_import_no_other_plugin(path):
    tree = ast.parse(path.read_text())
    imported = [
        node.module or ""
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    ] + [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    ]
    assert not [name for name in imported if name.startswith("cnadvisor_plugins")]
    solutions = [
        node
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name == "cnadvisor_solutions"
    ]
    for hook in solutions:
        assert hook.end_lineno - hook.lineno <= 4, "a solutions hook only loads its files"


def test_schema_command_prints_the_profile_file_schema(capsys):
    import json

    from cnadvisor.cli import main

    assert main(["schema", "--profile"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads(json.dumps(profile_file_schema()))
    assert "Variant" in printed["$defs"]


MISSING_LIST = {  # issue 14: what users looked for, each a cited built-in profile
    "aws-vpc-cni": None,
    "cilium-eni": None,
    "azure-cni-node-subnet": "aks",
    "azure-cni-pod-subnet": "aks",
    "azure-cni-overlay": "aks",
    "azure-cni-cilium": "aks",
    "gke-dataplane-v2": "gke",
    "sriov": None,
    "ovs-dpdk": None,
    "calico-vpp": None,
    "cilium-netkit": None,
    "sriov-rdma": None,
    "rdma-shared": None,
    "netavark-bridge": None,
}


@pytest.mark.parametrize("solution_id", sorted(MISSING_LIST))
def test_the_options_people_run_are_built_in_and_cited(plugin_set, solution_id):
    item = plugin_set.solutions[solution_id]
    assert item.plugin != "api" and item.profile.references
    managed = MISSING_LIST[solution_id]
    if managed:
        assert managed in item.profile.operations.managed_platforms
