"""Weave Net: an L2 overlay for Docker and Kubernetes with the kernel fast datapath (OVS +
VXLAN), the user-space sleeve fallback, and encryption.

Weave Net is archived upstream (Weaveworks closed in 2024); only community forks continue it.
Its documentation survives in the repository's site/ folder, cited here.
"""

from __future__ import annotations

from cnadvisor import hookimpl

WEAVE_FASTDP_HOW = {
    "id": "weave-fastdp-how",
    "title": "Weave Net docs: Fast Datapath & Weave Net",
    "url": "https://github.com/weaveworks/weave/blob/master/site/concepts/fastdp-how-it-works.md",
}
WEAVE_FASTDP_USE = {
    "id": "weave-fastdp-use",
    "title": "Weave Net docs: Using Fast Datapath (sleeve fallback, MTU)",
    "url": "https://github.com/weaveworks/weave/blob/master/site/tasks/manage/fastdp.md",
}
WEAVE_SLEEVE = {
    "id": "weave-sleeve",
    "title": "Weave Net docs: Weave Net Router Sleeve Encapsulation",
    "url": "https://github.com/weaveworks/weave/blob/master/site/concepts/router-encapsulation.md",
}
WEAVE_ENCRYPTION = {
    "id": "weave-encryption",
    "title": "Weave Net docs: Encryption and Weave Net",
    "url": "https://github.com/weaveworks/weave/blob/master/site/concepts/encryption.md",
}
WEAVE_ENCRYPTION_IMPL = {
    "id": "weave-encryption-impl",
    "title": "Weave Net docs: How Weave Net Implements Encryption",
    "url": "https://github.com/weaveworks/weave/blob/master/site/concepts/encryption-implementation.md",
    "locator": "fastdp: ESP in transport mode, AES-GCM",
}
WEAVE_README = {
    "id": "weave-readme",
    "title": "Weave Net README",
    "url": "https://github.com/weaveworks/weave/blob/master/README.md",
}
WEAVE_KUBE = {
    "id": "weave-kube-addon",
    "title": "Weave Net docs: Integrating Kubernetes via the Addon (Network Policy)",
    "url": "https://github.com/weaveworks/weave/blob/master/site/kubernetes/kube-addon.md",
}
WEAVE_PLUGIN = {
    "id": "weave-docker-plugin",
    "title": "Weave Net docs: Using the Weave Net Docker Network Plugin",
    "url": "https://github.com/weaveworks/weave/blob/master/site/install/plugin/plugin.md",
}
WEAVE_ARCHIVED = {
    "id": "cncf-landscape-weave-removal",
    "title": "cncf/landscape PR #4023: Remove weave products (repositories archived)",
    "url": "https://github.com/cncf/landscape/pull/4023",
}
WEAVE_DOCS_GONE = {
    "id": "weave-issue-4003",
    "title": "weaveworks/weave issue #4003: Documentation access (site gone with Weaveworks)",
    "url": "https://github.com/weaveworks/weave/issues/4003",
}

_REFS = [
    WEAVE_FASTDP_HOW,
    WEAVE_FASTDP_USE,
    WEAVE_SLEEVE,
    WEAVE_README,
    WEAVE_KUBE,
    WEAVE_PLUGIN,
    WEAVE_ARCHIVED,
    WEAVE_DOCS_GONE,
]

_ARCHIVED_NOTE = (
    "Archived upstream: Weaveworks closed in 2024 and its repositories were archived; "
    "a community fork (rajch/weave) does maintenance only."
)
_NPC_NOTE = "NetworkPolicy is enforced by the weave-npc container of the Kubernetes addon."


def _path(
    path: str,
    label: str,
    summary: str,
    notes: list[str],
    *,
    inter_host: list[str],
    datapath_cite: list[str],
    extra_references: tuple[dict, ...] = (),
) -> dict:
    """One Weave Net path: only the inter-host datapath differs, the rest is the product's."""
    return {
        "id": f"weave-{path}",
        "name": f"Weave Net ({label})",
        "family": "kubernetes-cni",
        "variant_of": "Weave Net",
        "summary": summary,
        "references": [*_REFS, *extra_references],
        "datapath": {
            "intra_host": ["veth", "linux-bridge", "veth"],
            "inter_host": inter_host,
            "cite": datapath_cite,
        },
        "security": {
            "isolation": "namespace",
            "network_policy": "l3-l4",
            "cite": ["weave-kube-addon"],
        },
        "mobility": {
            "cross_datacenter": True,
            "needs_kv_store": False,
            "external_access": [],
            "cite": ["weave-readme", "weave-fastdp-use", "weave-docker-plugin"],
        },
        "operations": {
            "orchestrators": ["docker", "kubernetes"],
            "underlay": "ip",
            "mac_per_container": False,
            "maintained": False,
            "cite": [
                "weave-docker-plugin",
                "weave-kube-addon",
                "weave-fastdp-how",
                "cncf-landscape-weave-removal",
                "weave-issue-4003",
            ],
        },
        "notes": notes,
    }


def _fastdp() -> dict:
    return _path(
        "fastdp",
        "fast datapath",
        "Weave Net's default path: the router programs the kernel Open vSwitch "
        "datapath, which VXLAN-encapsulates frames in the kernel. A simple L2 overlay that "
        "spans data centres without a cluster store, but the project is archived.",
        [
            _ARCHIVED_NOTE,
            "Chosen per connection; falls back to sleeve across NAT, blocked UDP 6784 or a "
            "too-small path MTU (needs WEAVE_MTU + about 84-87 bytes; default MTU 1376).",
            "Needs kernel >= 3.12 with the OVS datapath and VXLAN modules.",
            _NPC_NOTE,
        ],
        inter_host=["veth", "linux-bridge", "ovs", "vxlan"],
        datapath_cite=["weave-fastdp-how"],
    )


def _sleeve() -> dict:
    return _path(
        "sleeve",
        "sleeve, user-space router",
        "Weave Net's fallback path: the user-space router captures frames and "
        "batches them into its own UDP encapsulation. Works through NAT and odd MTUs, but "
        "every packet crosses into user space, so it is much slower.",
        [
            _ARCHIVED_NOTE,
            "Sleeve's own UDP encapsulation (sender and per-frame peer names, lengths) has "
            "no stage of its own and no byte count in the docs: its header bytes are not "
            "counted here.",
            "Forced with WEAVE_NO_FASTDP=true, else used only where fastdp cannot work.",
            _NPC_NOTE,
        ],
        inter_host=["veth", "linux-bridge", "userspace-proxy"],
        datapath_cite=["weave-fastdp-how", "weave-sleeve"],
    )


def _encrypted() -> dict:
    return _path(
        "encrypted",
        "encrypted fast datapath",
        "Weave Net with a password: fast-datapath VXLAN packets are wrapped in "
        "kernel IPsec ESP (transport mode, AES-GCM), so traffic across untrusted networks "
        "is protected at the cost of extra headers; the project is archived.",
        [
            _ARCHIVED_NOTE,
            "Profile describes fastdp encryption (ESP transport mode over each VXLAN "
            "packet); connections that fall back to sleeve are encrypted in user space with "
            "NaCl instead.",
            "ESP must be allowed through firewalls (GCP denies it by default).",
            "Every peer must be given the same password.",
            _NPC_NOTE,
        ],
        inter_host=["veth", "linux-bridge", "ovs", "vxlan", "ipsec-esp-transport"],
        datapath_cite=["weave-fastdp-how", "weave-encryption", "weave-encryption-impl"],
        extra_references=(WEAVE_ENCRYPTION, WEAVE_ENCRYPTION_IMPL),
    )


@hookimpl
def cnadvisor_solutions() -> list[dict]:
    return [_fastdp(), _sleeve(), _encrypted()]
