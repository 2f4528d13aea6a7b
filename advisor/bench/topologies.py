"""One builder per topology of the survey, each from scratch in namespaces of one Sandbox.

A builder returns the two ends a test needs (where the server listens, where the client
runs, which address it dials). Support is detected by trying: :func:`probe` builds the
topology and tears it down; the kernel's own error becomes the reason.

Fair baselines. Every ratio compares a topology with host networking under the same
conditions, never with a path whose MTU is 40 times larger:

- ``host-loopback`` (intra-host topologies): two processes of one namespace over its loopback, as
  host-mode processes talk on one host, with the loopback's MTU set to the containers'
  1500 bytes. At loopback's own MTU of 65536 a 1400-byte TCP writer sends one packet per
  ~46 writes instead of one per write, which is the MTU, not any stage.
- ``host-wire`` (inter-host topologies): two emulated hosts' own namespaces joined by the
  same wire veth (MTU 1500, kernel default offloads) that carries the inter-host
  topologies, processes in the host namespaces: host networking across the same wire.

Address plan (all inside 198.18.0.0/15, all inside our namespaces): containers and
bridges use 198.18.<n>.0/24, the emulated underlay between two emulated hosts uses
198.19.0.0/24, the NAT topology's "outside" network 198.19.3.0/24.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .limits import IPERF_PORT, SOCKPERF_PORT
from .netns import NetnsError, Sandbox

MAPPED_PORTS = f"{{ {IPERF_PORT}, {SOCKPERF_PORT} }}"  # the measurement tools' ports


@dataclass(frozen=True, slots=True)
class Endpoints:
    server_ns: str
    server_addr: str  # the server binds here
    client_ns: str
    target_addr: str  # the client dials here (differs from server_addr behind NAT)


@dataclass(frozen=True, slots=True)
class Topology:
    name: str
    label: str
    scenario: str  # dataset scenario: intra-host or inter-host (emulated on this host)
    description: str
    build: Callable[[Sandbox], Endpoints]
    tools: tuple[str, ...] = field(default=())  # extra binaries the builder runs
    modules: tuple[str, ...] = field(default=())  # kernel modules the builder needs
    # the topology every ratio of this one is taken against ("" for the baselines)
    baseline: str = ""
    # Set from the plugins' declarations (see .emulations), never here: the solution id
    # this topology's rows carry, and the other solutions declared for it.
    solution_id: str = ""
    also_emulates: tuple[str, ...] = field(default=())

    @property
    def baseline_name(self) -> str:
        return self.baseline or self.name


CONTAINER_MTU = 1500  # every veth-based container path here; the baselines match it


# --- single-namespace baselines -------------------------------------------------------


def _loopback(role: str) -> Callable[[Sandbox], Endpoints]:
    def build(sb: Sandbox) -> Endpoints:
        ns = sb.namespace(role)
        sb.address(ns, "lo", "198.18.0.1/32")  # our range on the namespace's own loopback
        sb.ip(ns, "link", "set", "lo", "mtu", str(CONTAINER_MTU))  # the containers' MTU
        return Endpoints(ns, "198.18.0.1", ns, "198.18.0.1")

    return build


def _host_wire(sb: Sandbox) -> Endpoints:
    """Host networking across the emulated wire: the two host namespaces themselves."""
    a, b = _two_hosts(sb)
    return Endpoints(b, UNDERLAY["b"], a, UNDERLAY["b"])


# --- one host, two containers ----------------------------------------------------------


def _veth(sb: Sandbox) -> Endpoints:
    a, b = sb.namespace("va"), sb.namespace("vb")
    sb.veth(a, "eth0", b, "eth0")
    sb.address(a, "eth0", "198.18.1.1/24")
    sb.address(b, "eth0", "198.18.1.2/24")
    return Endpoints(b, "198.18.1.2", a, "198.18.1.2")


def _bridge(sb: Sandbox) -> Endpoints:
    host, c1, c2 = sb.namespace("bh"), sb.namespace("b1"), sb.namespace("b2")
    sb.ip(host, "link", "add", "br0", "type", "bridge")
    sb.ip(host, "link", "set", "br0", "up")
    for index, ctr in ((1, c1), (2, c2)):
        sb.veth(ctr, "eth0", host, f"p{index}")
        sb.ip(host, "link", "set", f"p{index}", "master", "br0")
        sb.address(ctr, "eth0", f"198.18.2.{index}/24")
    return Endpoints(c2, "198.18.2.2", c1, "198.18.2.2")


NAT_RULES = f"""
table ip cnab {{
  chain pre {{
    type nat hook prerouting priority dstnat;
    iifname "uplink" meta l4proto {{ tcp, udp }} th dport {MAPPED_PORTS} dnat to 198.18.3.2
  }}
  chain post {{
    type nat hook postrouting priority srcnat;
    ip saddr 198.18.3.0/24 oifname != "br0" masquerade
  }}
  chain forward_filter {{
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    oifname "br0" ip daddr 198.18.3.2 meta l4proto {{ tcp, udp }} th dport {MAPPED_PORTS} accept
    iifname "br0" oifname != "br0" accept
  }}
}}
"""


def _bridge_nat(sb: Sandbox) -> Endpoints:
    """Docker's port mapping: outside client -> host address -> DNAT -> container on br0."""
    host, ctr, outside = sb.namespace("nh"), sb.namespace("nc"), sb.namespace("nx")
    sb.ip(host, "link", "add", "br0", "type", "bridge")
    sb.ip(host, "link", "set", "br0", "up")
    sb.address(host, "br0", "198.18.3.1/24")
    sb.veth(ctr, "eth0", host, "p1")
    sb.ip(host, "link", "set", "p1", "master", "br0")
    sb.address(ctr, "eth0", "198.18.3.2/24")
    sb.route(ctr, "default", "198.18.3.1")
    sb.veth(outside, "eth0", host, "uplink")
    sb.address(host, "uplink", "198.19.3.1/24")
    sb.address(outside, "eth0", "198.19.3.2/24")
    sb.sysctl(host, "net.ipv4.ip_forward", "1")
    done = sb.run_in(host, ["nft", "-f", "-"], NAT_RULES)
    if done.returncode != 0:
        raise NetnsError(f"nft -f (DNAT/masquerade rules): {done.stderr.strip()}")
    return Endpoints(ctr, "198.18.3.2", outside, "198.19.3.1")


# --- macvlan / ipvlan on a parent inside our namespaces ----------------------------------


def _parent(sb: Sandbox, tag: str) -> tuple[str, str]:
    """A 'host' namespace whose eth0 is the parent, its veth peer in a 'lan' namespace.

    The parent is a veth because this tool needs no dummy module, and the peer stands in
    for the rest of the LAN (another host) so modes that talk to the wire can be measured.
    """
    host, lan = sb.namespace(f"{tag}h"), sb.namespace(f"{tag}l")
    sb.veth(host, "eth0", lan, "eth0")
    return host, lan


def _child(sb: Sandbox, host: str, ctr: str, name: str, kind: list[str], address: str) -> None:
    sb.ip(host, "link", "add", name, "link", "eth0", "type", *kind)
    sb.ip(host, "link", "set", name, "netns", ctr)
    sb.ip(ctr, "link", "set", name, "up")
    sb.address(ctr, name, address)


def _macvlan_pair(mode: str) -> Callable[[Sandbox], Endpoints]:
    """Two containers on one parent talking to each other (bridge; vepa via a hairpin switch)."""

    def build(sb: Sandbox) -> Endpoints:
        host, lan = _parent(sb, "m")
        if mode == "vepa":  # the 'external switch' reflects frames back (802.1Qbg hairpin)
            sb.ip(lan, "link", "add", "sw0", "type", "bridge")
            sb.ip(lan, "link", "set", "eth0", "master", "sw0")
            sb.ip(lan, "link", "set", "eth0", "type", "bridge_slave", "hairpin", "on")
            sb.ip(lan, "link", "set", "sw0", "up")
        c1, c2 = sb.namespace("m1"), sb.namespace("m2")
        _child(sb, host, c1, "mv1", ["macvlan", "mode", mode], "198.18.4.1/24")
        _child(sb, host, c2, "mv2", ["macvlan", "mode", mode], "198.18.4.2/24")
        return Endpoints(c2, "198.18.4.2", c1, "198.18.4.2")

    return build


def _macvlan_wire(mode: str) -> Callable[[Sandbox], Endpoints]:
    """One container reached from the LAN side: the path private/passthru/source carry."""

    def build(sb: Sandbox) -> Endpoints:
        host, lan = _parent(sb, "m")
        c1 = sb.namespace("m1")
        kind = ["macvlan", "mode", mode]
        if mode == "source":  # accept frames from the LAN peer's MAC only
            mac = _mac(lan, "eth0")
            kind += ["macaddr", "add", mac]
        _child(sb, host, c1, "mv1", kind, "198.18.4.1/24")
        sb.address(lan, "eth0", "198.18.4.3/24")
        return Endpoints(c1, "198.18.4.1", lan, "198.18.4.1")

    return build


def _mac(ns: str, device: str) -> str:
    out = subprocess.run(
        ["ip", "-n", ns, "-br", "link", "show", device], capture_output=True, text=True
    ).stdout.split()
    return out[2]


def _ipvlan(mode: str) -> Callable[[Sandbox], Endpoints]:
    def build(sb: Sandbox) -> Endpoints:
        host, _ = _parent(sb, "i")
        c1, c2 = sb.namespace("i1"), sb.namespace("i2")
        _child(sb, host, c1, "iv1", ["ipvlan", "mode", mode], "198.18.5.1/24")
        _child(sb, host, c2, "iv2", ["ipvlan", "mode", mode], "198.18.5.2/24")
        return Endpoints(c2, "198.18.5.2", c1, "198.18.5.2")

    return build


# --- two emulated hosts over an underlay veth --------------------------------------------

UNDERLAY = {"a": "198.19.0.1", "b": "198.19.0.2"}


def _two_hosts(sb: Sandbox) -> tuple[str, str]:
    a, b = sb.namespace("ha"), sb.namespace("hb")
    sb.veth(a, "eth0", b, "eth0")
    sb.address(a, "eth0", f"{UNDERLAY['a']}/24")
    sb.address(b, "eth0", f"{UNDERLAY['b']}/24")
    for host in (a, b):
        sb.sysctl(host, "net.ipv4.ip_forward", "1")
    return a, b


def _routed_container(sb: Sandbox, host: str, side: str, subnet: int, mtu: int | None) -> str:
    ctr = sb.namespace(f"c{side}")
    sb.veth(ctr, "eth0", host, "vc", mtu=mtu)
    sb.address(host, "vc", f"198.18.{subnet}.1/24")
    sb.address(ctr, "eth0", f"198.18.{subnet}.2/24")
    sb.route(ctr, "default", f"198.18.{subnet}.1")
    return ctr


# wires a container to its host: (sandbox, host, side, subnet, MTU) -> container namespace
Attach = Callable[[Sandbox, str, str, int, int | None], str]


def _hosts_routed(sb: Sandbox, attach: Attach, first: int, second: int) -> Endpoints:
    """Two emulated hosts, a container on each (``attach`` wires it to its host), and each
    host's route to the other's container subnet through the other's underlay address."""
    a, b = _two_hosts(sb)
    ca = attach(sb, a, "a", first, None)
    cb = attach(sb, b, "b", second, None)
    sb.route(a, f"198.18.{second}.0/24", UNDERLAY["b"])
    sb.route(b, f"198.18.{first}.0/24", UNDERLAY["a"])
    return Endpoints(cb, f"198.18.{second}.2", ca, f"198.18.{second}.2")


def _routed(sb: Sandbox) -> Endpoints:
    return _hosts_routed(sb, _routed_container, 11, 12)


def _l3_tunnel(kind: str, mtu: int) -> Callable[[Sandbox], Endpoints]:
    """Routed containers whose cross-host route goes through an IPIP/GRE/WireGuard device."""

    def build(sb: Sandbox) -> Endpoints:
        a, b = _two_hosts(sb)
        ca = _routed_container(sb, a, "a", 11, mtu)
        cb = _routed_container(sb, b, "b", 12, mtu)
        if kind == "wireguard":  # the kernel first, then the wg tool (its error names it)
            sb.ip(a, "link", "add", "tun0", "type", "wireguard")
            sb.ip(a, "link", "del", "tun0")
        keys = _wireguard_keys() if kind == "wireguard" else {}
        for host, me, peer, remote_net in (
            (a, "a", "b", "198.18.12.0/24"),
            (b, "b", "a", "198.18.11.0/24"),
        ):
            if kind == "wireguard":
                sb.ip(host, "link", "add", "tun0", "type", "wireguard")
                _wireguard_peer(sb, host, keys, me, peer, remote_net)
            else:
                sb.ip(host, "link", "add", "tun0", "type", kind,
                      "local", UNDERLAY[me], "remote", UNDERLAY[peer])  # fmt: skip
            sb.ip(host, "link", "set", "tun0", "mtu", str(mtu), "up")
            sb.ip(host, "route", "add", remote_net, "dev", "tun0")
        return Endpoints(cb, "198.18.12.2", ca, "198.18.12.2")

    return build


def _wireguard_keys() -> dict[str, tuple[str, str]]:
    keys = {}
    for side in ("a", "b"):
        private = subprocess.run(["wg", "genkey"], capture_output=True, text=True).stdout.strip()
        public = subprocess.run(
            ["wg", "pubkey"], input=private, capture_output=True, text=True
        ).stdout.strip()
        keys[side] = (private, public)
    return keys


def _wireguard_peer(sb: Sandbox, host: str, keys: dict, me: str, peer: str, nets: str) -> None:
    done = sb.run_in(
        host,
        ["wg", "set", "tun0", "listen-port", "51820", "private-key", "/dev/stdin",
         "peer", keys[peer][1], "allowed-ips", nets, "endpoint", f"{UNDERLAY[peer]}:51820"],
        keys[me][0],
        secret=True,
    )  # fmt: skip
    if done.returncode != 0:
        raise NetnsError(f"wg set tun0: {done.stderr.strip()}")


def _l2_overlay(kind: str) -> Callable[[Sandbox], Endpoints]:
    """Bridge + VXLAN/Geneve on each emulated host; containers share one subnet, MTU 1450."""

    def build(sb: Sandbox) -> Endpoints:
        a, b = _two_hosts(sb)
        ends = []
        for index, (host, me, peer) in enumerate(((a, "a", "b"), (b, "b", "a")), start=1):
            args = ["id", "42", "remote", UNDERLAY[peer]]
            if kind == "vxlan":
                args += ["local", UNDERLAY[me], "dstport", "4789", "dev", "eth0"]
            sb.ip(host, "link", "add", "tun0", "type", kind, *args)
            sb.ip(host, "link", "add", "br0", "type", "bridge")
            sb.ip(host, "link", "set", "tun0", "mtu", "1450", "master", "br0", "up")
            sb.ip(host, "link", "set", "br0", "up")
            ctr = sb.namespace(f"c{me}")
            sb.veth(ctr, "eth0", host, "vc", mtu=1450)
            sb.ip(host, "link", "set", "vc", "master", "br0")
            sb.address(ctr, "eth0", f"198.18.21.{index}/24")
            ends.append(ctr)
        return Endpoints(ends[1], "198.18.21.2", ends[0], "198.18.21.2")

    return build


def _bridged_container(sb: Sandbox, host: str, side: str, subnet: int, mtu: int | None) -> str:
    """A container on the host's bridge, which holds the subnet's gateway (the CNI bridge
    plugin's ``cni0``, as Flannel delegates to it)."""
    sb.ip(host, "link", "add", "br0", "type", "bridge")
    if mtu is not None:
        sb.ip(host, "link", "set", "br0", "mtu", str(mtu))
    sb.ip(host, "link", "set", "br0", "up")
    sb.address(host, "br0", f"198.18.{subnet}.1/24")
    ctr = sb.namespace(f"c{side}")
    sb.veth(ctr, "eth0", host, "vc", mtu=mtu)
    sb.ip(host, "link", "set", "vc", "master", "br0")
    sb.address(ctr, "eth0", f"198.18.{subnet}.2/24")
    sb.route(ctr, "default", f"198.18.{subnet}.1")
    return ctr


def _bridge_routed(sb: Sandbox) -> Endpoints:
    """Flannel host-gw's datapath: bridge on each host, a route to the peer's pod subnet
    through the peer's underlay address, no encapsulation."""
    return _hosts_routed(sb, _bridged_container, 31, 32)


FLANNEL_VXLAN_MTU = 1450  # Flannel's pod MTU on a 1500-byte underlay with its VXLAN backend


def _vxlan_routed(sb: Sandbox) -> Endpoints:
    """Flannel's VXLAN backend: bridge on each host, the peer's pod subnet routed (onlink)
    to the peer's VTEP address on an L3 VXLAN device, whose neighbour and forwarding
    entries are static (``nolearning``), as flanneld programs them."""
    a, b = _two_hosts(sb)
    ends = {}
    for host, me, subnet in ((a, "a", 31), (b, "b", 32)):
        sb.ip(host, "link", "add", "vx0", "type", "vxlan", "id", "1", "local", UNDERLAY[me],
              "dev", "eth0", "dstport", "8472", "nolearning")  # fmt: skip
        sb.ip(host, "link", "set", "vx0", "mtu", str(FLANNEL_VXLAN_MTU), "up")
        sb.address(host, "vx0", f"198.18.{subnet}.0/32")
        ends[me] = _bridged_container(sb, host, me, subnet, FLANNEL_VXLAN_MTU)
    macs = {"a": _mac(a, "vx0"), "b": _mac(b, "vx0")}
    for host, peer, subnet in ((a, "b", 32), (b, "a", 31)):
        vtep = f"198.18.{subnet}.0"
        sb.ip(host, "neigh", "add", vtep, "lladdr", macs[peer], "dev", "vx0", "nud", "permanent")
        fdb = ["bridge", "fdb", "append", macs[peer], "dev", "vx0", "dst", UNDERLAY[peer]]
        done = sb.run_in(host, fdb)
        if done.returncode != 0:
            raise NetnsError(f"bridge fdb append (VXLAN forwarding entry): {done.stderr.strip()}")
        sb.ip(host, "route", "add", f"198.18.{subnet}.0/24", "via", vtep, "dev", "vx0",
              "onlink")  # fmt: skip
    return Endpoints(ends["b"], "198.18.32.2", ends["a"], "198.18.32.2")


_INTER = "inter-host"
_INTRA = "intra-host"

TOPOLOGIES: dict[str, Topology] = {
    t.name: t
    for t in (
        Topology("host-loopback", "host baseline (loopback of one namespace, MTU 1500)", _INTRA,
                 "both ends in one namespace over its loopback at the containers' MTU 1500: "
                 "the baseline of every intra-host ratio", _loopback("lo")),
        Topology("host-wire", "host baseline across the emulated wire (veth, MTU 1500)",
                 _INTER, "two emulated hosts' own namespaces joined by the wire veth: the "
                 "baseline of every inter-host ratio", _host_wire, modules=("veth",)),
        Topology("shared-netns", "container mode (two processes, one namespace)",
                 _INTRA, "Docker's container mode: the same datapath as host, own namespace",
                 _loopback("ctr"), baseline="host-loopback"),
        Topology("veth", "veth pair", _INTRA,
                 "two namespaces joined by one veth pair", _veth,
                 modules=("veth",), baseline="host-loopback"),
        Topology("veth-bridge", "Linux bridge", _INTRA,
                 "two containers' veths in a bridge of a host namespace", _bridge,
                 modules=("veth", "bridge"), baseline="host-loopback"),
        Topology("veth-bridge-nat", "bridge + NAT port mapping (nftables)", _INTER,
                 "outside client -> DNAT on the host -> container on the bridge, like Docker -p",
                 _bridge_nat, ("nft",), ("veth", "bridge", "nf_tables", "nft_chain_nat"),
                 baseline="host-wire"),
        Topology("macvlan-pair", "macvlan bridge mode", _INTRA,
                 "two macvlans on one veth parent, container to container",
                 _macvlan_pair("bridge"), modules=("veth", "macvlan"), baseline="host-loopback"),
        Topology("macvlan-hairpin", "macvlan VEPA (hairpin switch)", _INTRA,
                 "two macvlans, frames reflected by a hairpin bridge on the parent's peer",
                 _macvlan_pair("vepa"), modules=("veth", "macvlan", "bridge"),
                 baseline="host-loopback"),
        Topology("macvlan-lan-private", "macvlan private mode (LAN peer)", _INTER,
                 "private isolates macvlans of one parent, so the LAN peer is the client",
                 _macvlan_wire("private"), modules=("veth", "macvlan"), baseline="host-wire"),
        Topology("macvlan-lan-passthru", "macvlan passthru (LAN peer)", _INTER,
                 "one macvlan owns the parent; the LAN peer is the client",
                 _macvlan_wire("passthru"), modules=("veth", "macvlan"), baseline="host-wire"),
        Topology("macvlan-lan-source", "macvlan source mode (LAN peer)", _INTER,
                 "accepts frames from the LAN peer's MAC only; the LAN peer is the client",
                 _macvlan_wire("source"), modules=("veth", "macvlan"), baseline="host-wire"),
        Topology("ipvlan-pair-l2", "ipvlan L2", _INTRA,
                 "two ipvlan L2 slaves of one veth parent", _ipvlan("l2"),
                 modules=("veth", "ipvlan"), baseline="host-loopback"),
        Topology("ipvlan-pair-l3", "ipvlan L3", _INTRA,
                 "two ipvlan L3 slaves of one veth parent", _ipvlan("l3"),
                 modules=("veth", "ipvlan"), baseline="host-loopback"),
        Topology("routed", "routed (static routes between two emulated hosts)",
                 _INTER, "BGP's datapath: veth to the host, a route over the underlay; "
                 "the BGP control plane is replaced by static routes", _routed,
                 modules=("veth",), baseline="host-wire"),
        Topology("vxlan", "VXLAN overlay (bridge + vxlan, MTU 1450)", _INTER,
                 "two emulated hosts, bridge + vxlan on each", _l2_overlay("vxlan"),
                 modules=("veth", "bridge", "vxlan"), baseline="host-wire"),
        Topology("bridge-routed", "bridge + routes between hosts (no encapsulation)",
                 _INTER, "bridge on each emulated host, the peer's container subnet routed "
                 "over the underlay (Flannel host-gw's datapath)", _bridge_routed,
                 modules=("veth", "bridge"), baseline="host-wire"),
        Topology("vxlan-routed", "bridge + routes to an L3 VXLAN device (MTU 1450)", _INTER,
                 "bridge on each emulated host, the peer's subnet routed through a VXLAN "
                 "device with static neighbour and FDB entries (Flannel VXLAN's datapath)",
                 _vxlan_routed, modules=("veth", "bridge", "vxlan"), baseline="host-wire"),
        Topology("geneve", "Geneve overlay (bridge + geneve, MTU 1450)",
                 _INTER, "two emulated hosts, bridge + geneve on each", _l2_overlay("geneve"),
                 modules=("veth", "bridge", "geneve"), baseline="host-wire"),
        Topology("ipip", "IP-in-IP tunnel (MTU 1480)", _INTER,
                 "routed containers, cross-host route through ipip", _l3_tunnel("ipip", 1480),
                 modules=("veth", "ipip"), baseline="host-wire"),
        Topology("gre", "GRE tunnel (MTU 1476)", _INTER,
                 "routed containers, cross-host route through gre", _l3_tunnel("gre", 1476),
                 modules=("veth", "ip_gre"), baseline="host-wire"),
        Topology("wireguard", "WireGuard tunnel (MTU 1420)", _INTER,
                 "routed containers over wireguard",
                 _l3_tunnel("wireguard", 1420), ("wg",), ("veth", "wireguard"),
                 baseline="host-wire"),
    )
}  # fmt: skip
BASELINES = ("host-loopback", "host-wire")

# Names used up to 0.1.0, which equalled built-in solution ids (solutions belong to the
# plugins): accepted for one more release on the command line and in stored bench files,
# mapped to today's names.
# A name that is also a solution id a plugin declared a topology for resolves as that id
# first (see .emulations.resolve), which measures the same topology.
RENAMED: dict[str, str] = {
    "host": "host-loopback",
    "container": "shared-netns",
    "bridge": "veth-bridge",
    "bridge-nat": "veth-bridge-nat",
    "macvlan-bridge": "macvlan-pair",
    "macvlan-vepa": "macvlan-hairpin",
    "macvlan-private": "macvlan-lan-private",
    "macvlan-passthru": "macvlan-lan-passthru",
    "macvlan-source": "macvlan-lan-source",
    "ipvlan-l2": "ipvlan-pair-l2",
    "ipvlan-l3": "ipvlan-pair-l3",
}


def current_name(name: str) -> str:
    """Today's name of a topology, for a name stored or typed before the rename."""
    return RENAMED.get(name, name)


INSTALL_HINT = {"nft": "apt-get install nftables", "wg": "apt-get install wireguard-tools"}


def missing_tool(topology: Topology) -> str | None:
    """The reason a builder cannot run at all: a setup tool is not installed."""
    for tool in topology.tools:
        if shutil.which(tool) is None:
            return f"unsupported: {tool} not installed ({INSTALL_HINT.get(tool, tool)})"
    return None


def probe(topology: Topology, sandbox_prefix: str) -> str | None:
    """None when the topology builds here, else the reason (built and torn down at once)."""
    missing = missing_tool(topology)
    if missing:
        return missing
    sb = Sandbox(f"{sandbox_prefix}p{topology.name[:6]}-")
    try:
        topology.build(sb)
    except (NetnsError, subprocess.CalledProcessError, OSError) as error:
        return support_reason(error, topology)
    finally:
        sb.close()
    return None


_OUR_NAMES = re.compile(r"cnab-[0-9a-f]{6}-[\w.-]*")


def modules_root() -> Path:
    return Path("/lib/modules") / platform.release()


def unloaded_modules(names: tuple[str, ...], root: Path | None = None) -> list[str]:
    """Modules this kernel has as files under /lib/modules/<release> but not loaded (or
    built in): the ones a ``modprobe`` would make available."""
    root = root or modules_root()
    if not root.is_dir():
        return []
    present = {
        path.name.split(".ko")[0].replace("-", "_")
        for path in root.rglob("*.ko*")
        if path.name.split(".ko")[0].replace("-", "_") in names
    }
    return [m for m in names if m in present and not Path("/sys/module", m).exists()]


def support_reason(
    error: BaseException, topology: Topology | None = None, root: Path | None = None
) -> str:
    """Why a topology cannot be built here, in words a user can act on: a missing tool,
    a permission problem, a module to load, or the kernel's own error. The internal
    namespace names of the attempt are never shown."""
    if isinstance(error, FileNotFoundError):
        tool = str(error.filename)
        return f"unsupported: {tool} not installed ({INSTALL_HINT.get(tool, tool)})"
    text = _OUR_NAMES.sub("<namespace>", str(error))
    if "Operation not permitted" in text or isinstance(error, PermissionError):
        return f"not permitted (needs root with CAP_NET_ADMIN): {text}"
    for tool, hint in INSTALL_HINT.items():
        if f'exec of "{tool}" failed' in text or f"{tool}: command not found" in text:
            return f"unsupported: {tool} not installed ({hint})"
    hint = ""
    if topology is not None:
        unloaded = unloaded_modules(topology.modules, root)
        if unloaded:
            hint = f" (module present but not loaded: sudo modprobe {' '.join(unloaded)})"
    return f"unsupported on this kernel: {text}{hint}"


def needs_capability() -> str | None:
    """None when this process may create network namespaces, else why not (a root shell
    without CAP_NET_ADMIN, as in an unprivileged container, is refused up front)."""
    name = f"cnab-cap{os.getpid():x}"[:15]
    done = subprocess.run(["ip", "netns", "add", name], capture_output=True, text=True)
    if done.returncode != 0:
        reason = (done.stderr or done.stdout).strip().splitlines()
        return (
            "cannot create network namespaces (needs CAP_NET_ADMIN and CAP_SYS_ADMIN, e.g. "
            f"sudo on the host, not an unprivileged container): {reason[-1] if reason else ''}"
        )
    subprocess.run(["ip", "netns", "delete", name], capture_output=True)
    return None
