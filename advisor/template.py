"""The commented requirements template that ``cnadvisor init`` writes.

Every value below is the default, so the template evaluates as written; the
comments say why each question matters, in the survey's terms.
"""

TEMPLATE = """\
# cnadvisor requirements: describe the system you are moving into containers.
# Check it: cnadvisor evaluate THIS-FILE      Schema for editors: cnadvisor schema
#
# A constraint is either a bare value (meaning: required; options that miss it
# are excluded, and the report says which key excluded them) or
#   {value: ..., need: preferred}   (missing it costs points instead).
# `null` means "not known": options that depend on it are kept and flagged.

name: my system
description: ""

workload:
  # Where do containers' peers live? Shares of traffic volume, each 0..1.
  # Intra-host traffic never reaches a wire; inter-host traffic pays for
  # tunnels (overlays) or needs a routed/L2 underlay.
  traffic:
    intra_host: 0.5
    inter_host: 0.5
    cross_datacenter: 0.0
  protocol: tcp            # tcp | udp
  # Typical application message or packet size in bytes. Small packets are
  # limited by packets per second, not Gbit/s: headers and per-packet work
  # dominate at 64 bytes (survey Sec. VI).
  message_size: 1400
  # Throughput one host must sustain: {value: 10, unit: gbps|mpps, need: preferred|required}
  throughput: null
  # Added latency the system tolerates, in microseconds: 50 or {value: 50, need: preferred}
  latency_budget_us: null
  # Does the application drive its own interface with DPDK, AF_XDP or netmap?
  # Only some options give the pod such an interface (a CNI's own XDP
  # acceleration does not count).
  packet_io: null
  # Does that high-rate traffic run on its own interface, apart from the pods'
  # control traffic? Then a primary CNI plus a secondary network may be ranked.
  separate_data_plane: false
  # Do containers find devices or each other by LAN multicast or broadcast
  # (mDNS, SSDP/DLNA)? Those do not cross NAT or routed hops.
  discovery: null
  # Do several containers on one host listen on the same port number?
  same_port: false

environment:
  orchestrator: kubernetes # kubernetes (or k8s) | docker | swarm | standalone
  # Containers inside VMs pay for every extra virtualization layer (one study
  # measured 42 % less TCP throughput in a VM, survey ref. [1]).
  virtualization: bare-metal   # bare-metal | vm
  platform: on-premises        # on-premises | aws | azure | gcp | other-cloud | eks | aks | gke
  containers_per_host: 10      # containers compete for CPU spent on NAT and tunnels
  nic_gbps: 10.0
  cpu_pinning: false
  windows_nodes: false
  ip_family: ipv4              # ipv4 | ipv6 | dual-stack
  underlay:
    mtu: 1500                  # tunnels subtract their headers from this
    l2_adjacent: null          # do all hosts share one L2 segment? (host-gw, macvlan)
    bgp_peering: null          # may hosts peer BGP with the fabric? (native routing)
    promiscuous_allowed: null  # macvlan puts the host NIC in promiscuous mode
    mac_limit_per_port: null   # switch port MAC limit; macvlan shows one MAC per container

security:
  # Weakest acceptable isolation: host-stack < shared-namespace < namespace < no-network
  isolation: null
  network_policy: null         # none | l3-l4 | l7
  encryption: null             # encrypt traffic between hosts: true or {value: true, need: ...}
  multi_tenant: null           # tenants need separate networks with overlapping ranges

mobility:
  ip_kept_on_move: null        # a container keeps its IP when it moves to another host
  routable_ips: null           # container addresses reachable from outside without NAT
  external_access: null        # clients outside the hosts must reach the containers

# Relative weights of the four criteria (any non-negative numbers).
priorities:
  performance: 1
  security: 1
  mobility: 1
  operability: 1
"""
