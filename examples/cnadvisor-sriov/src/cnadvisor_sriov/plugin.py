"""SR-IOV CNI: each pod gets a virtual function (VF) of an SR-IOV capable NIC.

The VF is moved into the pod's network namespace, so packets skip the host's
software switching; the NIC's embedded switch forwards between VFs and the
wire. In Kubernetes it is attached as a secondary network through Multus.
"""

from __future__ import annotations

import csv
from importlib import resources

from cnadvisor import hookimpl

SRIOV_CNI = {
    "id": "sriov-cni",
    "title": "SR-IOV CNI plugin (k8snetworkplumbingwg/sriov-cni): README",
    "url": "https://github.com/k8snetworkplumbingwg/sriov-cni",
}
SRIOV_CONFIG = {
    "id": "sriov-cni-config",
    "title": "SR-IOV CNI: configuration reference (vlan, spoofchk, trust, mac)",
    "url": "https://github.com/k8snetworkplumbingwg/sriov-cni/blob/master/docs/configuration-reference.md",
}
MULTUS = {
    "id": "multus",
    "title": "Multus CNI: attaching additional networks to pods",
    "url": "https://github.com/k8snetworkplumbingwg/multus-cni",
}
KERNEL_SRIOV = {
    "id": "kernel-sriov",
    "title": "Linux kernel docs: PCI Express I/O Virtualization Howto",
    "url": "https://docs.kernel.org/PCI/pci-iov-howto.html",
}

PROFILE = {
    "id": "sriov",
    "name": "SR-IOV CNI (VF per pod, via Multus)",
    "family": "kubernetes-cni",
    "variant_of": "SR-IOV CNI",
    "summary": "Moves an SR-IOV virtual function of the NIC into each pod: the host's "
    "software switching is skipped and DPDK can drive the VF, but it needs SR-IOV hardware "
    "and shows one MAC per pod on the wire.",
    "references": [SRIOV_CNI, SRIOV_CONFIG, MULTUS, KERNEL_SRIOV],
    "datapath": {
        "intra_host": ["sriov-vf"],
        "inter_host": ["sriov-vf"],
        "cite": ["sriov-cni", "kernel-sriov"],
    },
    "security": {
        "isolation": "namespace",
        "cite": ["sriov-cni", "sriov-cni-config"],
    },
    "mobility": {
        "external_access": ["l2"],
        "cite": ["sriov-cni", "sriov-cni-config"],
    },
    "operations": {
        "orchestrators": ["kubernetes"],
        "underlay": "l2",
        "mac_per_container": True,
        "packet_io": ["dpdk"],
        "cite": ["sriov-cni", "multus"],
    },
    "notes": [
        "Needs an SR-IOV capable NIC with VFs enabled on every node, and Multus to attach "
        "the VF as a secondary pod interface.",
        "A VF bound to a userspace driver (vfio-pci) serves DPDK applications in the pod.",
    ],
}


@hookimpl
def cnadvisor_solutions() -> list[dict]:
    return [PROFILE]


@hookimpl
def cnadvisor_benchmarks() -> list[dict]:
    """Figures for this profile transcribed from a published report (see benchmarks.csv)."""
    text = resources.files(__package__).joinpath("benchmarks.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))
