"""The questionnaire as plain Python: questions, help texts, answers, validation.

No Textual import here: the TUI renders this state and sends edits back, and
the tests drive it without a terminal. Answers are kept as the text or choice
the user gave; `requirements()` turns them into the same `Requirements` a YAML
file gives, so the TUI and `cnadvisor evaluate` cannot disagree.

The questions are a plain table (defaults, bounds and choices included) that imports
neither pydantic nor YAML, so the first screen paints without them (issue 16): the
`Requirements` model is built only when answers are checked across questions, turned into
requirements or saved. `tests/test_tui_questions.py` checks the table against the model
and `cnadvisor init`'s template, so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .safetext import unsafe_characters

if TYPE_CHECKING:
    from .requirements import Requirements

NOT_NEEDED = "not needed"
NEEDS = (NOT_NEEDED, "required", "preferred")
UNKNOWN, YES, NO = "unknown", "yes", "no"


@dataclass(frozen=True)
class Question:
    path: str  # dotted requirements key
    label: str
    help: str  # why it matters, in the survey's terms
    kind: str  # number | integer | optional-integer | choice | bool | tristate | need-bool |
    # need-choice | need-number | need-throughput | text. A need-bool's value is yes or no: "no"
    # with "required" is a file's `key: false`, kept as it was written.
    choices: tuple[str, ...] = ()
    default: str = ""  # the answer `cnadvisor init`'s template gives, as text
    low: float | None = None  # a number's bounds, as the requirements model has them
    high: float | None = None
    low_excluded: bool = False  # the lowest value itself is not allowed (> rather than >=)

    @property
    def has_need(self) -> bool:
        return self.kind.startswith("need-")


@dataclass(frozen=True)
class Section:
    title: str
    intro: str
    questions: tuple[Question, ...]


def _q(path: str, label: str, kind: str, help: str, choices: tuple[str, ...] = (),
       **details: Any) -> Question:  # fmt: skip
    """A question; `details` are its default, its bounds (low, high, low_excluded)."""
    return Question(path, label, help, kind, choices, **details)


# What raising each weight buys and what it costs, with an example (weights are relative:
# only their ratios matter).
TRADE_OFFS = {
    "performance": "Higher favours short datapaths (no NAT, no tunnel) over policy, mobility "
    "and ease: at 3 against 1 for the rest, macvlan or host routing can beat an overlay CNI "
    "that enforces policy.",
    "security": "Higher favours isolation, network policy and encryption over speed: at 3 "
    "against 1, a CNI with L7 policy and WireGuard can beat a faster plain bridge.",
    "mobility": "Higher favours addresses that survive a move and reach from outside over "
    "speed: at 3 against 1, an overlay or BGP-routed CNI beats host-local macvlan.",
    "operability": "Higher favours fewer moving parts (no BGP peering, no key-value store, "
    "maintained upstream) over features: at 3 against 1, Flannel can beat Calico with BGP.",
}

SECTIONS: tuple[Section, ...] = (
    Section(
        "Workload",
        "What the system's traffic looks like.",
        (
            _q("name", "System name", "text",
               "Names the saved requirements file and every report made from it.",
               default="my system"),
            _q("workload.traffic.intra_host", "Traffic share: same host",
               "number", "0..1. Same-host traffic never reaches a wire: what it costs is the "
               "datapath's CPU work (bridge, veth, NAT).", default="0.5", low=0, high=1),
            _q("workload.traffic.inter_host", "Traffic share: other hosts",
               "number", "0..1. Traffic between hosts needs an overlay (tunnel headers), "
               "routing (BGP) or a shared L2 segment.", default="0.5", low=0, high=1),
            _q("workload.traffic.cross_datacenter", "Traffic share: other data centres",
               "number", "0..1. Only some options span data centres.",
               default="0.0", low=0, high=1),
            _q("workload.protocol", "Protocol", "choice",
               "TCP or UDP: segmentation and fragmentation differ.", ("tcp", "udp"), default="tcp"),
            _q("workload.message_size", "Message or packet size (bytes)", "integer",
               "At small packets the limit is packets per second, not Gbit/s: 1 Gbit/s is "
               "about 1.5 M packets/s at 64 bytes but 81 k at 1500 (survey Sec. VI).",
               default="1400", low=1, high=65507),
            _q("workload.throughput", "Throughput a host must sustain", "need-throughput",
               "A number with a unit: '10 gbps' or '2 mpps'. Encapsulation and NAT cost "
               "throughput; at small packets, state it in packets per second."),
            _q("workload.latency_budget_us", "Added latency budget (µs)", "need-number",
               "Every datapath stage adds a little latency; buffering trades latency for "
               "throughput.", low=0),
            _q("workload.packet_io", "Uses DPDK, AF_XDP or netmap", "need-bool",
               "The application drives its own interface; only some options give the pod "
               "one that supports it (a CNI's own XDP acceleration does not count).",
               default="yes"),
            _q("workload.separate_data_plane", "High-rate traffic on its own interface",
               "bool", "A primary network for control traffic plus a secondary one (SR-IOV, "
               "macvlan, OVS-DPDK) for the data plane, as telco functions do.", default="no"),
            _q("workload.discovery", "Discovery by multicast (mDNS, SSDP)", "need-bool",
               "LAN multicast and broadcast do not cross NAT or routed hops: only options on "
               "the LAN's L2 segment or the host's stack see them.", default="yes"),
            _q("workload.same_port", "Containers on a host share a port number", "bool",
               "Host networking and published ports share one port range per host.", default="no"),
        ),
    ),
    Section(
        "Environment",
        "Where the containers will run.",
        (
            _q("environment.orchestrator", "Orchestrator", "choice",
               "Kubernetes needs a CNI; Docker offers its own modes.",
               ("kubernetes", "docker", "swarm", "podman", "standalone"), default="kubernetes"),
            _q("environment.virtualization", "Hosts are", "choice",
               "Containers inside VMs pay for every extra virtualization layer: one study "
               "measured 42 % less TCP throughput (survey Sec. VI).", ("bare-metal", "vm"),
               default="bare-metal"),
            _q("environment.platform", "Platform", "choice",
               "Clouds and managed Kubernetes services (eks, aks, gke) restrict some "
               "datapaths and support their own CNI; plugins say which.",
               ("on-premises", "aws", "azure", "gcp", "other-cloud", "eks", "aks", "gke"),
               default="on-premises"),
            _q("environment.containers_per_host", "Containers per host", "integer",
               "Containers compete for the CPU that NAT and overlays use; each may need "
               "its own MAC on the wire.", default="10", low=1, high=100000),
            _q("environment.nic_gbps", "NIC speed (Gbit/s)", "number",
               "Estimates in Gbit/s and packets/s are for this link.",
               default="10.0", low=0, high=1600, low_excluded=True),
            _q("environment.cpu_pinning", "CPU pinning", "bool",
               "Pinned cores avoid contention between containers.", default="no"),
            _q("environment.windows_nodes", "Windows nodes", "bool",
               "Few CNIs support Windows nodes.", default="no"),
            _q("environment.ip_family", "IP family", "choice",
               "IPv6 needs a container MTU of at least 1280 after tunnel headers.",
               ("ipv4", "ipv6", "dual-stack"), default="ipv4"),
            _q("environment.underlay.mtu", "Underlay MTU", "integer",
               "Tunnels subtract their headers from it: VXLAN 50 bytes, WireGuard 60.",
               default="1500", low=576, high=65535),
            _q("environment.underlay.l2_adjacent", "Hosts share one L2 segment", "tristate",
               "host-gw routing and macvlan/ipvlan L2 need it.", default="unknown"),
            _q("environment.underlay.bgp_peering", "Hosts may peer BGP with the fabric",
               "tristate", "Native routing across subnets needs BGP peering.", default="unknown"),
            _q("environment.underlay.promiscuous_allowed", "Promiscuous mode allowed",
               "tristate", "macvlan puts the host NIC in promiscuous mode, a concern where "
               "tenants share hosts.", default="unknown"),
            _q("environment.underlay.mac_limit_per_port", "MAC addresses per switch port",
               "optional-integer", "Empty: no limit. macvlan shows one MAC per container; "
               "ipvlan shares the host's.", low=1),
        ),
    ),
    Section(
        "Security",
        "What must be isolated and protected.",
        (
            _q("security.isolation", "Weakest acceptable isolation", "need-choice",
               "host-stack < shared-namespace < namespace < no-network.",
               ("host-stack", "shared-namespace", "namespace", "no-network")),
            _q("security.network_policy", "Network policy", "need-choice",
               "Flannel alone enforces none; most CNIs enforce L3-L4; some L7.",
               ("none", "l3-l4", "l7")),
            _q("security.encryption", "Encrypt traffic between hosts", "need-bool",
               "WireGuard or IPsec: stronger, but their headers and crypto cost throughput.",
               default="yes"),
            _q("security.multi_tenant", "Tenants need separate networks", "need-bool",
               "Overlapping address ranges need VRFs or per-tenant overlays.", default="yes"),
        ),
    ),
    Section(
        "Mobility",
        "How containers move and are reached.",
        (
            _q("mobility.ip_kept_on_move", "Containers keep their IP when moved",
               "need-bool", "Overlays follow moving containers; the key-value store that "
               "maps addresses can slow start-up.", default="yes"),
            _q("mobility.routable_ips", "Addresses routable without NAT",
               "need-bool", "NAT hides containers behind the host's address.", default="yes"),
            _q("mobility.external_access", "Reachable from outside the hosts", "need-bool",
               "Bridge mode alone has no external connectivity.", default="yes"),
        ),
    ),
    Section(
        "Priorities",
        "How much each criterion weighs (any numbers ≥ 0).",
        tuple(
            _q(f"priorities.{name}", f"Weight of {name}", "number", TRADE_OFFS[name],
               default="1.0", low=0, high=100)
            for name in ("performance", "security", "mobility", "operability")
        ),
    ),
)  # fmt: skip

QUESTIONS = {q.path: q for section in SECTIONS for q in section.questions}


def _get(data: dict[str, Any], path: str) -> Any:
    for part in path.split("."):
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def _put(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        data = data.setdefault(part, {})
    data[last] = value


@dataclass
class Answers:
    """What the user has answered so far: `value` and, for constraints, `need`."""

    name: str = "my system"
    description: str = ""
    values: dict[str, str] = field(default_factory=dict)
    needs: dict[str, str] = field(default_factory=dict)
    dirty: bool = False
    # The answers as they were when last found valid across all questions, so asking again
    # (every section shown, every save) does not build the requirements model again.
    _valid: tuple | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.values.setdefault("name", self.name)

    def __setattr__(self, key: str, value: Any) -> None:
        """The name is also the answer to the "name" question: one value, two spellings."""
        super().__setattr__(key, value)
        if key == "name" and "values" in self.__dict__:
            self.values["name"] = value

    @classmethod
    def defaults(cls) -> Answers:
        """The answers of `cnadvisor init`'s template, so both start from the same place; read
        from the question table, which a test checks against the template, so the first
        screen needs neither YAML nor the requirements model."""
        answers = cls(name=QUESTIONS["name"].default)
        for path, question in QUESTIONS.items():
            answers.values[path] = question.default
            if question.has_need:
                answers.needs[path] = NOT_NEEDED
        answers.description = ""
        answers._valid = answers._state()  # the template's answers: valid (tested)
        return answers

    @classmethod
    def from_requirements(cls, requirements: Requirements) -> Answers:
        data = requirements.model_dump(mode="json")
        answers = cls(name=requirements.name)
        for path, question in QUESTIONS.items():
            raw = _get(data, path)
            if question.has_need:
                answers.needs[path] = raw["need"] if raw else NOT_NEEDED
                value = raw if question.kind == "need-throughput" else (raw or {}).get("value")
            else:
                value = raw
            answers.values[path] = _to_text(question, value)
        answers.description = requirements.description
        return answers

    def set(self, path: str, value: str, need: str | None = None) -> str | None:
        """Record an edit; return the error message if it cannot be right, else None."""
        error = parse_error(QUESTIONS[path], value, need or self.needs.get(path, NOT_NEEDED))
        changed = self.values.get(path) != value or (
            need is not None and self.needs.get(path) != need
        )
        self.values[path] = value
        if need is not None:
            self.needs[path] = need
        if path == "name":
            self.name = value
        self.dirty = self.dirty or changed  # a widget repeating a loaded value is no edit
        return error

    def errors(self) -> dict[str, str]:
        """Every problem, each under the question it belongs to: a rule across questions
        (traffic shares summing over 1, every weight 0) goes to its section's first
        question, so the screen can always show where to fix it."""
        state = self._state()
        if state == self._valid:
            return {}
        problems = {
            path: error
            for path, question in QUESTIONS.items()
            if (error := parse_error(question, self.values.get(path, ""),
                                     self.needs.get(path, NOT_NEEDED)))
        }  # fmt: skip
        if not problems:
            from pydantic import ValidationError

            from .requirements import Requirements

            try:
                Requirements.model_validate(self.data())
            except ValidationError as error:
                for item in error.errors(include_url=False):
                    path = question_for(item["loc"])
                    message = item["msg"].removeprefix("Value error, ")
                    problems.setdefault(path, message)
            except (ValueError, TypeError) as error:  # text that slipped past parse_error
                problems.setdefault(next(iter(QUESTIONS)), str(error))
        if not problems:
            self._valid = state
        return problems

    def _state(self) -> tuple:
        """Everything the answers' validity depends on, comparable."""
        return (
            self.name,
            self.description,
            tuple(sorted(self.values.items())),
            tuple(sorted(self.needs.items())),
        )

    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "description": self.description}
        for path, question in QUESTIONS.items():
            value = _from_text(question, self.values.get(path, ""))
            if question.has_need:
                need = self.needs.get(path, NOT_NEEDED)
                if need == NOT_NEEDED:
                    value = None
                elif question.kind == "need-throughput":
                    value = value | {"need": need}
                else:
                    value = {"value": value, "need": need}
            _put(data, path, value)
        return data

    def requirements(self) -> Requirements:
        from .requirements import Requirements

        return Requirements.model_validate(self.data())

    def to_yaml(self) -> str:
        return requirements_yaml(self.requirements())

    def recovery_yaml(self) -> str:
        """Everything answered so far, valid or not, for a recovery file: the requirements
        file when the answers are valid, else the answers as typed."""
        if not self.errors():
            return requirements_yaml(self.requirements())
        raw = {
            "name": self.name,
            "description": self.description,
            "answers": {
                path: {"value": self.values.get(path, "")}
                | ({"need": self.needs.get(path, NOT_NEEDED)} if q.has_need else {})
                for path, q in QUESTIONS.items()
            },
        }
        header = (
            "# cnadvisor questionnaire answers, saved after an error; some are invalid, so\n"
            "# this is the answers as typed, not a requirements file\n"
        )
        import yaml

        return header + yaml.safe_dump(raw, sort_keys=False, allow_unicode=True)


def question_for(location: tuple[Any, ...] | list[Any]) -> str:
    """The question a pydantic error location belongs to: the question itself, the question
    it is inside, or the first question of the group it names (e.g. ``workload.traffic``)."""
    path = ".".join(str(p) for p in location if isinstance(p, str) and "[" not in p)
    for question in QUESTIONS:
        if path == question or path.startswith(question + "."):
            return question
    for question in QUESTIONS:
        if question.startswith(path + ".") or not path:
            return question
    section = path.split(".", 1)[0]
    return next((q for q in QUESTIONS if q.startswith(section + ".")), next(iter(QUESTIONS)))


def bounds(path: str) -> tuple[float | None, float | None, bool]:
    """(lowest, highest, lowest excluded) allowed for a number question, from the question
    table (checked against the requirements model by tests/test_tui_questions.py)."""
    question = QUESTIONS.get(path)
    if question is None:
        return None, None, False
    return question.low, question.high, question.low_excluded


def bounds_text(path: str) -> str:
    """'1..65507', '> 0, ≤ 1600' or '' for the hint beside a number."""
    low, high, strict = bounds(path)
    if low is None and high is None:
        return ""
    if strict:
        return f"> {low:g}" + (f", ≤ {high:g}" if high is not None else "")
    if high is None:
        return f"≥ {low:g}"
    return f"{low:g}..{high:g}"


def requirements_yaml(requirements: Requirements) -> str:
    """A requirements file `cnadvisor evaluate` reads back to the same requirements."""
    import yaml

    header = "# cnadvisor requirements, saved from the questionnaire\n"
    return header + yaml.safe_dump(
        requirements.model_dump(mode="json"), sort_keys=False, allow_unicode=True
    )


def _to_text(question: Question, value: Any) -> str:
    if question.kind == "need-throughput" and isinstance(value, dict):
        return f"{value['value']:g} {value['unit']}"
    if value is None:
        return {"tristate": UNKNOWN, "need-bool": YES}.get(question.kind, "")
    if question.kind in ("bool", "tristate", "need-bool"):
        return YES if value else NO
    if isinstance(value, float) and value.is_integer() and question.kind != "number":
        return str(int(value))
    return str(value)


def _from_text(question: Question, text: str) -> Any:
    text = text.strip()
    kind = question.kind
    if kind in ("bool", "tristate"):
        return {YES: True, NO: False}.get(text)
    if kind in ("number", "need-number"):
        return float(text) if text else None
    if kind in ("integer", "optional-integer"):
        return int(text) if text else None
    if kind == "need-bool":
        return text != NO  # yes unless the answer says no
    if kind == "need-throughput":
        number, _, unit = text.partition(" ")
        return {"value": float(number), "unit": unit.strip() or "gbps"} if number else None
    return text or None


def parse_error(question: Question, text: str, need: str = NOT_NEEDED) -> str | None:
    """Why this answer cannot be taken as it is (None when it can)."""
    text = text.strip()
    kind = question.kind
    if question.has_need and need == NOT_NEEDED:
        return None
    if kind in ("number", "need-number"):
        if not text:
            return "enter a number"
        try:
            number = float(text)
        except ValueError:
            return f"{text!r} is not a number"
        if number != number or number in (float("inf"), float("-inf")):
            return "enter a finite number"
        if number < 0:
            return "must not be negative"
        if question.path.startswith("workload.traffic.") and number > 1:
            return "a share is between 0 and 1"
        return _outside(question.path, number)
    if kind == "need-throughput":
        number, _, unit = text.partition(" ")
        try:
            amount = float(number)
            if not 0 < amount < float("inf"):
                return "must be a finite number above 0"
        except ValueError:
            return "enter a number and a unit, e.g. '10 gbps' or '2 mpps'"
        if unit.strip() not in ("", "gbps", "mpps"):
            return "the unit is gbps or mpps"
        return None
    if kind in ("integer", "optional-integer"):
        if not text:
            return None if kind == "optional-integer" else "enter a whole number"
        if not (text.isascii() and text.isdigit()):
            return f"{text!r} is not a whole number"
        if len(text) > 12:
            return "too large"
        return "must be at least 1" if int(text) < 1 else _outside(question.path, int(text))
    if kind in ("choice", "need-choice") and text not in question.choices:
        return f"choose one of: {', '.join(question.choices)}"
    if kind == "need-bool" and text not in ("", YES, NO):
        return f"choose {YES} or {NO}"
    if kind == "text":
        if not text:
            return "enter a name"
        bad = unsafe_characters(text)
        if bad:
            return "remove control characters: " + ", ".join(f"U+{ord(c):04X}" for c in bad)
        if len(text) > 200:
            return "at most 200 characters"
    return None


def _outside(path: str, number: float) -> str | None:
    low, high, strict = bounds(path)
    too_low = low is not None and (number <= low if strict else number < low)
    if too_low or (high is not None and number > high):
        return f"must be {bounds_text(path)}"
    return None
