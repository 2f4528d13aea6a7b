"""The structural performance model: what each datapath stage costs a packet, and the physics.

A flow is limited either by the wire or by the CPU (survey Sec. VI). Every
stage a packet crosses costs CPU time per packet and per byte and adds delay;
the host's own stack (``kernel-stack``) and the socket calls (``socket``) are
costed the same way, and a VM layer is one more stage (``virtio-vhost``).
Throughput is the lower of

* the **link rate**: the NIC's speed times the share of wire bytes that are
  payload, with TCP segmented at the MSS of the effective MTU (a TCP stream is
  a byte stream: the write size does not change the segments) and a UDP
  datagram split into IP fragments; and
* the **CPU rate**: the cores the flows may use divided by the time one
  message costs: per message (socket calls), per packet the CPU sees, and per
  byte (copies, checksums, crypto). TCP coalesces segments into 64 KiB GSO/GRO
  super-packets; each stage has an *offload loss*, the share of a stream's bytes
  it hands the CPU as MTU-sized packets instead (1 for WireGuard, IPsec and a
  user-space forwarder; fitted for the other kinds: a tunnel without NIC tunnel
  offload, or a forwarding path that loses GRO).

So a small packet is CPU-bound (a packet-rate regime) and a bulk transfer
line-rate-bound, and a new CNI gets a prediction from the stages it names.
This module is numpy only: it evaluates fitted parameters at prediction time.
Fitting lives in :mod:`cnadvisor.model.fitting` (scikit-learn and SciPy).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..physics import ETHERNET_FRAMING_BYTES, ETHERNET_MIN_PAYLOAD, IP_HEADER, L4_HEADER
from ..stages import STAGES, PacketIO, StageKind, stage

GSO_BYTES = 65536  # the largest GSO/GRO super-packet Linux builds (skb limit, 64 KiB)
SOCKET = "socket"  # one send and one receive call per message
KERNEL = "kernel-stack"  # the host's own IP/TCP/UDP stack, both ends of a flow
VM_LAYER = "virtio-vhost"  # a virtual NIC: guest virtio driver and host vhost worker
PACKET_IO = tuple(framework.value for framework in PacketIO)  # kernel-bypass frameworks
EXTRA_TERMS = (KERNEL, SOCKET, VM_LAYER, *PACKET_IO)
# A stage a plugin registers has no data of its own: it is priced at its kind's fitted level
# through one stand-in term per kind, which no training row uses.
KIND_TERMS = tuple(f"kind:{kind.value}" for kind in StageKind)
TERMS: tuple[str, ...] = (*STAGES, *EXTRA_TERMS, *KIND_TERMS)
INDEX = {name: i for i, name in enumerate(TERMS)}
PARAMETERS = ("ns_per_packet", "ns_per_byte", "delay_us")

# Stages that always hand the CPU MTU-sized packets even when the host would coalesce them
# (offload loss 1):
# WireGuard segments GSO packets before encrypting each (drivers/net/wireguard/device.c,
# wg_xmit: skb_gso_segment); IPsec without ESP hardware offload segments before the
# transform (net/xfrm/xfrm_output.c, xfrm_output_gso); a user-space forwarder reads and
# writes packets one at a time.
DEFEATS_OFFLOAD = frozenset({"wireguard", "ipsec-esp-tunnel", "ipsec-esp-transport",
                             "userspace-proxy"})  # fmt: skip
# A registered stage of these kinds is taken to defeat offload as the built-in ones do.
DEFEATS_OFFLOAD_KINDS = frozenset({f"kind:{StageKind.ENCRYPT}", f"kind:{StageKind.USERSPACE}"})


def term_for(name: str) -> str:
    """The model term a datapath stage is priced by: itself, or its kind's stand-in for a
    stage a plugin registered."""
    return name if name in INDEX else f"kind:{stage(name).kind.value}"


# Columns of an encoded workload matrix (after the per-term counts).
WORKLOAD_COLUMNS = (
    "message_size",  # application bytes per message (write size, datagram size)
    "udp",  # 1 for UDP datagrams, 0 for a TCP byte stream
    "cores",  # cores the flows can use: min(streams, cores given)
    "link_gbps",  # NIC speed; inf where the traffic never reaches a wire
    "mtu",  # the container's effective MTU
    "encap_bytes",  # tunnel and encryption bytes added to every packet on the wire
    "ipv6",
)
WORKLOAD = {name: len(TERMS) + i for i, name in enumerate(WORKLOAD_COLUMNS)}
WIDTH = len(TERMS) + len(WORKLOAD_COLUMNS)


@dataclass(frozen=True, slots=True)
class PathSpec:
    """One datapath under one workload, as the model sees it."""

    terms: tuple[str, ...]
    message_size: float
    udp: bool
    cores: float
    link_gbps: float
    mtu: float
    encap_bytes: float
    ipv6: bool = False

    def encode(self) -> np.ndarray:
        row = np.zeros(WIDTH)
        for name in self.terms:
            row[INDEX[term_for(name)]] += 1.0
        values = {
            "message_size": self.message_size,
            "udp": float(self.udp),
            "cores": self.cores,
            "link_gbps": self.link_gbps,
            "mtu": self.mtu,
            "encap_bytes": self.encap_bytes,
            "ipv6": float(self.ipv6),
        }
        for name, value in values.items():
            row[WORKLOAD[name]] = value
        return row


def host_terms(*, vm: bool, packet_io: str | None = None) -> list[str]:
    """The terms every flow pays: the host stack and socket calls (or a kernel-bypass
    framework in their place), and a virtual NIC inside a VM."""
    terms = [packet_io] if packet_io else [KERNEL, SOCKET]
    if vm:
        terms.append(VM_LAYER)
    return terms


def encode(specs: Sequence[PathSpec]) -> np.ndarray:
    return np.array([spec.encode() for spec in specs]).reshape(len(specs), WIDTH)


def default_offload_loss() -> np.ndarray:
    """Offload loss per term before fitting: 1 where documented (WireGuard, IPsec, a
    user-space forwarder), 0 elsewhere."""
    defeats = DEFEATS_OFFLOAD | DEFEATS_OFFLOAD_KINDS
    return np.array([1.0 if term in defeats else 0.0 for term in TERMS])


@dataclass(frozen=True)
class StageCosts:
    """Fitted costs: one row per term of :data:`TERMS`, one column per :data:`PARAMETERS`;
    and per term the share of a TCP stream it hands the CPU unsegmented (offload loss)."""

    table: np.ndarray  # shape (len(TERMS), 3), all >= 0
    offload_loss: np.ndarray | None = None  # shape (len(TERMS),), each in [0, 1]

    def __post_init__(self) -> None:
        table = np.asarray(self.table, dtype=float)
        if table.shape != (len(TERMS), len(PARAMETERS)):
            raise ValueError(f"stage-cost table has shape {table.shape}, expected "
                             f"{(len(TERMS), len(PARAMETERS))}")  # fmt: skip
        if not np.all(np.isfinite(table)) or np.any(table < 0):
            raise ValueError("stage costs must be finite and non-negative")
        loss = default_offload_loss() if self.offload_loss is None else self.offload_loss
        loss = np.asarray(loss, dtype=float)
        if loss.shape != (len(TERMS),) or not np.all((loss >= 0) & (loss <= 1)):
            raise ValueError(f"offload losses must be {len(TERMS)} shares between 0 and 1")
        object.__setattr__(self, "offload_loss", loss)

    @property
    def per_packet(self) -> np.ndarray:
        return self.table[:, 0]

    @property
    def per_byte(self) -> np.ndarray:
        return self.table[:, 1]

    @property
    def delay(self) -> np.ndarray:
        return self.table[:, 2]

    def of(self, term: str) -> dict[str, float]:
        values = dict(zip(PARAMETERS, map(float, self.table[INDEX[term]]), strict=True))
        return {**values, "offload_loss": float(self.offload_loss[INDEX[term]])}


def _column(x: np.ndarray, name: str) -> np.ndarray:
    return x[:, WORKLOAD[name]]


def packets_per_message(x: np.ndarray) -> np.ndarray:
    """Wire packets per message: TCP segments at the MSS (a stream: fractional), UDP
    fragments of the datagram."""
    ip = np.where(_column(x, "ipv6") > 0, IP_HEADER["ipv6"], IP_HEADER["ipv4"])
    size, mtu, udp = _column(x, "message_size"), _column(x, "mtu"), _column(x, "udp") > 0
    mss = np.maximum(mtu - ip - L4_HEADER["tcp"], 8)
    fragment = np.maximum((mtu - ip) // 8 * 8, 8)
    udp_packets = np.ceil((size + L4_HEADER["udp"]) / fragment)
    return np.where(udp, udp_packets, size / mss)


def wire_bytes_per_message(x: np.ndarray, packets: np.ndarray | None = None) -> np.ndarray:
    """Bytes on the wire (framing, preamble and gap included) to carry one message;
    ``packets`` is ``packets_per_message(x)`` where the caller has it already."""
    ip = np.where(_column(x, "ipv6") > 0, IP_HEADER["ipv6"], IP_HEADER["ipv4"])
    size, udp = _column(x, "message_size"), _column(x, "udp") > 0
    encap = _column(x, "encap_bytes")
    packets = packets_per_message(x) if packets is None else packets
    headers = np.where(udp, ip, ip + L4_HEADER["tcp"]) + encap
    carried = np.where(udp, size + L4_HEADER["udp"], size)
    frames = np.maximum(carried / packets + headers, ETHERNET_MIN_PAYLOAD)
    return packets * (frames + ETHERNET_FRAMING_BYTES)


def path_offload_loss(x: np.ndarray, costs: StageCosts) -> np.ndarray:
    """Share of a TCP stream the CPU sees as MTU-sized packets: a byte escapes only if every
    stage on the path keeps it coalesced, so the losses combine as 1 - prod(1 - loss)."""
    counts = x[:, : len(TERMS)]
    loss = costs.offload_loss
    total = _rows(counts, (loss >= 1.0).astype(float)) > 0
    kept = np.exp(_rows(counts, np.log1p(-np.minimum(loss, 1.0 - 1e-12))))
    return np.where(total, 1.0, 1.0 - kept)


def stream_packets(
    x: np.ndarray, *, alone: bool = False, packets: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Packets the CPU would see per TCP message with offload lost (MSS segments) and kept
    (GSO super-packets). A stream coalesces small writes (fractional packets); a message
    ``alone`` on an idle connection (a request/response test) is at least one packet."""
    segments = packets_per_message(x) if packets is None else packets
    coalesced = _column(x, "message_size") / GSO_BYTES
    if alone:
        segments, coalesced = np.ceil(segments), np.maximum(np.ceil(coalesced), 1.0)
    return segments, coalesced


@dataclass(frozen=True, slots=True)
class Known:
    """What a caller already worked out for its rows: wire packets per message and the
    path's offload loss (`rates` asks several functions about the same rows at once)."""

    packets: np.ndarray
    loss: np.ndarray

    @classmethod
    def of(cls, x: np.ndarray, costs: StageCosts) -> Known:
        return cls(packets_per_message(x), path_offload_loss(x, costs))


def cpu_packets_per_message(
    x: np.ndarray, costs: StageCosts, *, alone: bool = False, known: Known | None = None
) -> np.ndarray:
    """Packets the CPU handles per message: UDP one per fragment; a TCP stream in GSO
    super-packets, except the share the path's offload loss hands over in MSS segments."""
    known = Known.of(x, costs) if known is None else known
    segments, coalesced = stream_packets(x, alone=alone, packets=known.packets)
    tcp = known.loss * segments + (1.0 - known.loss) * coalesced
    return np.where(_column(x, "udp") > 0, known.packets, tcp)


def cost_matrices(
    x: np.ndarray, costs: StageCosts, *, alone: bool = False, known: Known | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """How many times each term's per-packet and per-byte cost is paid for one message.

    The message's CPU time is linear in the costs: ``packet @ ns_per_packet + byte @
    ns_per_byte`` (a socket call is paid once per message, the other per-packet costs
    once per packet the CPU sees; how many packets that is depends on the offload losses)."""
    counts = x[:, : len(TERMS)]
    seen = cpu_packets_per_message(x, costs, alone=alone, known=known)
    packet = counts * seen[:, None]
    packet[:, INDEX[SOCKET]] = counts[:, INDEX[SOCKET]]
    byte = counts * _column(x, "message_size")[:, None]
    return packet, byte


def message_time_ns(
    x: np.ndarray, costs: StageCosts, *, alone: bool = False, known: Known | None = None
) -> np.ndarray:
    """CPU nanoseconds one message costs along the whole path (all terms counted)."""
    packet, byte = cost_matrices(x, costs, alone=alone, known=known)
    return _rows(packet, costs.per_packet) + _rows(byte, costs.per_byte)


def cpu_bound(x: np.ndarray, costs: StageCosts, scale: np.ndarray | float = 1.0) -> np.ndarray:
    """Rows whose throughput the CPU limits (the link does not)."""
    return cpu_gbps(x, costs, scale) < link_gbps(x)


def cpu_gbps(
    x: np.ndarray,
    costs: StageCosts,
    scale: np.ndarray | float = 1.0,
    *,
    time_ns: np.ndarray | None = None,
) -> np.ndarray:
    """The CPU rate; ``scale`` multiplies every CPU time (a slower or faster CPU);
    ``time_ns`` is ``message_time_ns(x, costs)`` where the caller has it already."""
    time_ns = message_time_ns(x, costs) if time_ns is None else time_ns
    time = np.maximum(time_ns * scale, 1e-6)
    return _column(x, "cores") * 8.0 * _column(x, "message_size") / time


def link_gbps(x: np.ndarray, wire_bytes: np.ndarray | None = None) -> np.ndarray:
    link = _column(x, "link_gbps")
    wire_bytes = wire_bytes_per_message(x) if wire_bytes is None else wire_bytes
    share = _column(x, "message_size") / wire_bytes
    return np.where(np.isfinite(link), link * share, np.inf)


def throughput_gbps(
    x: np.ndarray, costs: StageCosts, scale: np.ndarray | float = 1.0
) -> np.ndarray:
    """Goodput in Gbit/s: the lower of the CPU rate and the link rate."""
    return np.minimum(cpu_gbps(x, costs, scale), link_gbps(x))


def packet_rate_mpps(
    x: np.ndarray, costs: StageCosts, scale: np.ndarray | float = 1.0
) -> np.ndarray:
    """Wire packets per second (millions) at that goodput."""
    messages = throughput_gbps(x, costs, scale) * 1e9 / 8.0 / _column(x, "message_size")
    return messages * packets_per_message(x) / 1e6


def one_way_latency_us(
    x: np.ndarray, costs: StageCosts, scale: np.ndarray | float = 1.0
) -> np.ndarray:
    """One-way latency of a single message on an idle path: each term's CPU time for the
    message plus its delay; serialisation on the wire where there is one."""
    processing = message_time_ns(x, costs, alone=True) * scale / 1000.0
    return _latency_from(x, costs, processing, wire_bytes_per_message(x))


def _latency_from(
    x: np.ndarray, costs: StageCosts, processing_us: np.ndarray, wire_bytes: np.ndarray
) -> np.ndarray:
    delay = _rows(x[:, : len(TERMS)], costs.delay)
    link = _column(x, "link_gbps")
    wire = np.where(np.isfinite(link), wire_bytes * 8.0 / (link * 1000.0), 0.0)
    return processing_us + delay + wire


@dataclass(frozen=True)
class Rates:
    """What one prediction reports for each row: goodput, wire packet rate, latency."""

    gbps: np.ndarray
    mpps: np.ndarray
    latency_us: np.ndarray
    link_gbps: np.ndarray


def rates(x: np.ndarray, costs: StageCosts) -> Rates:
    """Throughput, packet rate, one-way latency and the link's goodput together, each the
    same as its own function gives, with the costs-free geometry (packets, wire bytes)
    and the offload loss worked out once: the prediction path asks for all four."""
    known = Known.of(x, costs)
    wire = wire_bytes_per_message(x, known.packets)
    link = link_gbps(x, wire)
    stream = message_time_ns(x, costs, known=known)
    gbps = np.minimum(cpu_gbps(x, costs, time_ns=stream), link)
    mpps = gbps * 1e9 / 8.0 / _column(x, "message_size") * known.packets / 1e6
    alone = message_time_ns(x, costs, alone=True, known=known)
    return Rates(gbps, mpps, _latency_from(x, costs, alone * 1.0 / 1000.0, wire), link)


def added_latency_us(
    x: np.ndarray, host: np.ndarray, costs: StageCosts, scale: np.ndarray | float = 1.0
) -> np.ndarray:
    """One-way latency the datapath adds over host networking under the same workload."""
    added = one_way_latency_us(x, costs, scale) - one_way_latency_us(host, costs, scale)
    return np.maximum(added, 0.0)


def _rows(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """matrix @ vector, each row summed on its own: the same bits however many rows (a BLAS
    product rounds a row differently with the number of rows around it)."""
    return np.einsum("ij,j->i", matrix, vector)
