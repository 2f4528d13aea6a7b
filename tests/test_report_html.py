"""The HTML report (`evaluate --format html`): self-contained, escaped, and read by a real
browser. Headless Chromium screenshots the page at a desktop and a phone width (kept as
artefacts in the folder the test prints) and dumps the DOM, whose text must name the
leader and an exclusion with its requirement key."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from cnadvisor.cli import main
from cnadvisor.loading import load_file
from cnadvisor.render import Batch, render
from cnadvisor.render.html import CHART_SIZES, HtmlRenderer, _figure
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import make_requirements

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "requirements" / "trading-gateway.yaml"
# Tags the report itself writes (page, tables, lists, SVG); anything else came from input.
ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "main", "section", "h1", "h2", "h3",
    "p", "div", "span", "strong", "em", "code", "br", "wbr", "a", "ul", "li", "table",
    "caption", "thead", "tbody", "tr", "th", "td", "details", "summary", "figure",
    "figcaption", "svg", "g", "defs", "path", "clippath", "use", "text", "rect", "tspan",
    "polyline", "line", "circle", "metadata", "rdf:rdf", "cc:work", "dc:type", "dc:date",
    "dc:format", "dc:title", "dc:creator", "cc:agent",
}  # fmt: skip


class _Tags(HTMLParser):
    """Every start tag and attribute of a document, as a browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend(attrs)

    def handle_data(self, data):
        self.text.append(data)


def _parse(document: str) -> _Tags:
    parser = _Tags()
    parser.feed(document)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """The example report, written by the real command."""
    out = tmp_path_factory.mktemp("report") / "trading-gateway.html"
    assert main(["evaluate", str(EXAMPLE), "--format", "html", "--output", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def expected(trained_advisor):
    """The leader and one exclusion, as the advisor itself says (not hard-coded)."""
    requirements = load_file(str(EXAMPLE)).requirements
    evaluation = trained_advisor.evaluate(requirements, source=str(EXAMPLE))
    excluded = next(
        o for o in evaluation.excluded if o.reasons[0].requirement != "environment.orchestrator"
    )
    return evaluation, excluded


def test_report_is_self_contained(report):
    document = report.read_text(encoding="utf-8")
    parsed = _parse(document)
    assert "script" not in parsed.tags and "link" not in parsed.tags and "img" not in parsed.tags
    assert "iframe" not in parsed.tags and "object" not in parsed.tags
    fetched = [
        v
        for k, v in parsed.attributes
        if k in ("src", "srcset", "data", "poster")
        or (k.endswith("href") and not v.startswith("#"))
    ]
    assert fetched == [], f"the report would fetch {fetched}"
    assert "@import" not in document
    assert re.findall(r"url\((?!#)", document) == [], "only references inside the page"
    assert "default-src 'none'" in document  # the browser refuses any fetch anyway
    assert set(parsed.tags) <= ALLOWED_TAGS, set(parsed.tags) - ALLOWED_TAGS


def test_report_holds_every_part(report, expected):
    evaluation, excluded = expected
    document = report.read_text(encoding="utf-8")
    text = html.unescape(re.sub(r"<[^>]+>", "", document))
    leader = evaluation.ranked[0]
    assert f"Recommended: {leader.name}" in text
    for option in evaluation.ranked:
        assert option.id in text and f"{option.score:.1f}" in text
    assert excluded.id in text and excluded.reasons[0].requirement in text
    size = load_file(str(EXAMPLE)).requirements.workload.message_size
    assert "the requirements as understood" in text and f"{size}-byte messages" in text
    assert re.search(rf"<code>message_size</code></td><td[^>]*>{size}</td>", document)
    assert f"Effective MTU inside the containers: {leader.effective_mtu}" in text
    assert evaluation.model.name in text and "No figure was measured on this host" in text
    for heading in ("Context", "Options", "Decision", "Consequences"):
        assert f"<h2>{heading}</h2>" in document


def test_charts_are_inline_svg_with_text_kept_as_text(report, expected):
    document = report.read_text(encoding="utf-8")
    evaluation, _ = expected
    charts = re.findall(r"<figure id=\"(\w+)-1\"><svg", document)
    assert charts == ["throughput", "latency"]
    assert "<text" in document  # svg.fonttype none: labels stay selectable text
    legend = [o.id for o in evaluation.ranked[:5]]
    for solution in legend:
        assert re.search(rf"<text[^>]*>{re.escape(solution)}</text>", document)
    ids = re.findall(r'\bid="([^"]+)"', document)
    assert len(ids) == len(set(ids)), "element ids repeat between charts"


def test_sweep_is_the_one_way_to_predict(trained_advisor):
    """The charts' figures come from Advisor.sweep, which asks the model point by point."""
    from dataclasses import replace

    from cnadvisor.performance import WorkloadPoint

    requirements = make_requirements(workload={"traffic": {"inter_host": 1}, "message_size": 512})
    ids = [item.profile.id for item in trained_advisor.solutions]
    same_host_only = next(i for i in ids if not trained_advisor.solution(i).profile.inter_host)
    reaching = next(i for i in ids if trained_advisor.solution(i).profile.inter_host)
    sweeps = trained_advisor.sweep([reaching, same_host_only], requirements, CHART_SIZES)
    assert sweeps[same_host_only] == []
    base = WorkloadPoint.from_requirements(requirements, "inter-host")
    profile = trained_advisor.solution(reaching).profile
    for size, prediction in zip(CHART_SIZES, sweeps[reaching], strict=True):
        assert prediction == trained_advisor.model.predict(
            profile, replace(base, message_size=size)
        )
    gbps = [p.throughput_gbps.value for p in sweeps[reaching]]
    assert len(set(gbps)) > 1, "message size must change the prediction"


HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</title><iframe src=//evil.example>",
    "a\u202eb",
    "\x1b[31mred",
    "$\\frac{1}{0}$",
    "_hidden",
    "&amp; <!-- comment",
]


def _poisoned(evaluation, value: str):
    ranked = [
        o.model_copy(update={"id": value, "name": value, "plugin": value, "reasons": [value]})
        for o in evaluation.ranked[:2]
    ]
    excluded = [
        o.model_copy(
            update={
                "id": value,
                "name": value,
                "reasons": [
                    r.model_copy(update={"message": value, "requirement": value}) for r in o.reasons
                ],
            }
        )
        for o in evaluation.excluded[:2]
    ]
    return evaluation.model_copy(
        update={"source": value, "system": value, "ranked": ranked, "excluded": excluded}
    )


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=st.one_of(st.sampled_from(HOSTILE), st.text(max_size=30)))
def test_untrusted_text_cannot_add_markup(advisor, value):
    requirements = make_requirements(name="x", workload={"traffic": {"inter_host": 1}})
    evaluation = _poisoned(advisor.evaluate(requirements, source="s.yaml"), value)
    document = render(Batch(evaluations=[evaluation], show_excluded=True), "html")
    parsed = _parse(document)
    assert set(parsed.tags) <= ALLOWED_TAGS
    assert not any(name.startswith("on") for name, _ in parsed.attributes)
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", document)


@pytest.mark.parametrize("value", HOSTILE)
def test_untrusted_legend_text_is_shown_not_obeyed(trained_advisor, value):
    """A plugin's solution id in a chart legend: escaped in the SVG, no mathtext, not hidden."""
    requirements = make_requirements(workload={"traffic": {"inter_host": 1}})
    reaching = next(i.profile.id for i in trained_advisor.solutions if i.profile.inter_host)
    sweeps = trained_advisor.sweep([reaching], requirements, CHART_SIZES)
    svg = _figure({value: sweeps[reaching]}, list(CHART_SIZES), 1400, "throughput_gbps",
                  "Gbit/s", "t-1", value)  # fmt: skip
    parsed = _parse(svg)
    assert set(parsed.tags) <= ALLOWED_TAGS
    assert not any(name.startswith("on") for name, _ in parsed.attributes)
    if value.startswith(("<", '"')):
        assert html.escape(value[:8], quote=True) in svg or "&lt;" in svg


def test_html_renderer_streams_a_batch(trained_advisor):
    """Several systems in one page, one section each; inputs that failed are listed."""
    from cnadvisor.loading import InputProblem

    renderer = HtmlRenderer(Batch(), trained_advisor)
    parts = [renderer.start()]
    for name in ("trading-gateway.yaml", "offline-backup.yaml"):
        loaded = load_file(str(EXAMPLE.parent / name))
        parts.append(
            renderer.add(trained_advisor.evaluate(loaded.requirements), loaded.requirements)
        )
    problem = InputProblem(source="broken.yaml", message="expected a mapping")
    parts.append(renderer.finish([problem]))
    document = "".join(parts)
    assert document.count("<section id=") == 2
    ids = re.findall(r'\bid="([^"]+)"', document)
    assert len(ids) == len(set(ids)), "element ids repeat between systems"
    assert 'id="throughput-2"' in document and "broken.yaml" in document
    assert document.rstrip().endswith("</html>")


# --- a real browser ----------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="headless chromium not installed (.ci/run installs it)"
)


def _chromium(profile: Path, *args: str, timeout: float = 90) -> subprocess.CompletedProcess:
    """Headless Chromium that stays off the network: no background services, every host
    name resolves nowhere."""
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--user-data-dir={profile}", *args,
    ]  # fmt: skip
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=os.environ | {"HOME": str(profile)},
    )


@needs_chromium
@pytest.mark.parametrize(
    ("label", "width", "height"), [("desktop", 1280, 800), ("phone", 390, 844)]
)
def test_browser_screenshot(report, tmp_path_factory, label, width, height):
    from PIL import Image

    folder = tmp_path_factory.mktemp("screenshots")
    shot = folder / f"report-{label}.png"
    done = _chromium(folder / "profile", f"--screenshot={shot}", f"--window-size={width},{height}",
                     report.as_uri())  # fmt: skip
    print(f"screenshot: {shot}")
    assert done.returncode == 0, done.stderr[-2000:]
    with Image.open(shot) as image:
        assert image.size == (width, height)
        colours = image.convert("L").getextrema()
        assert colours[1] - colours[0] > 100, "the page rendered blank"


@needs_chromium
def test_browser_reads_the_leader_and_an_exclusion(report, expected, tmp_path):
    evaluation, excluded = expected
    done = _chromium(tmp_path / "profile", "--dump-dom", report.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    dom = _parse(done.stdout)
    text = " ".join("".join(dom.text).split())  # the parser already decoded entities
    leader = evaluation.ranked[0]
    assert f"Recommended: {leader.name} ({leader.id})" in text
    key = excluded.reasons[0].requirement
    assert key in text and excluded.id in text
    assert "svg" in dom.tags  # the browser parsed the inline charts as SVG


def test_report_says_which_figures_were_measured(trained_advisor):
    """A figure measured on a cluster is named as such; a model calibrated on this host's
    bench rows says so; otherwise the report says every figure is a prediction."""
    from dataclasses import replace

    from cnadvisor.advisor import Advisor

    requirements = make_requirements(workload={"traffic": {"inter_host": 1}})
    evaluation = trained_advisor.evaluate(requirements, source="s.yaml")
    leader = evaluation.ranked[0]
    measured = [p.model_copy(update={"model": "measured on cluster lab-1"})
                for p in leader.predictions]  # fmt: skip
    ranked = [leader.model_copy(update={"predictions": measured}), *evaluation.ranked[1:]]
    marked = evaluation.model_copy(update={"ranked": ranked})
    model = trained_advisor.model
    inner = getattr(model, "inner", model)
    calibrated = replace(
        inner,
        meta=inner.meta
        | {
            "calibration": {
                "summary": "calibrated on 6 local measurements (CPU scale ×1.10; stages: veth)"
            }
        },
    )
    local = Advisor(trained_advisor.solutions, model=calibrated, plugins=trained_advisor.plugins)
    document = render(Batch(evaluations=[marked]), "html")
    text = html.unescape(re.sub(r"<[^>]+>", "", document))
    assert "Measured on a cluster" in text and "measured on cluster lab-1" in text
    assert leader.id in text.split("Measured on a cluster", 1)[1]
    renderer = HtmlRenderer(Batch(), local)
    page = renderer.start() + renderer.add(evaluation, requirements) + renderer.finish([])
    said = html.unescape(re.sub(r"<[^>]+>", "", page))
    assert "Measured on this host: the model is calibrated on 6 local measurements" in said
    plain_page = render(Batch(evaluations=[evaluation]), "html")
    assert "every figure is a prediction" in plain_page
