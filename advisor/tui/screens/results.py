"""Results: the ranking, why, what was excluded, a chart, and what-if controls."""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import (
    DataTable,
    Footer,
    Header,
    Input,
    Label,
    Markdown,
    Select,
    Static,
    TabbedContent,
    TabPane,
)

from ...evaluation import Evaluation, RankedOption
from ...performance import WorkloadPoint
from ...questionnaire import NEEDS, NO, Answers, bounds_text
from ...render.common import gbps_text
from ...safetext import markdown as md
from ...safetext import markup, plain

CHART_SIZES = (64, 256, 512, 1400, 9000)
WHAT_IF = {
    "wi-message": "workload.message_size",
    "wi-virtualization": "environment.virtualization",
    "wi-containers": "environment.containers_per_host",
    **{
        f"wi-w-{name}": f"priorities.{name}"
        for name in ("performance", "security", "mobility", "operability")
    },
}


class ResultsScreen(Screen):
    BINDINGS = [
        Binding("ctrl+b", "back", "Questions"),
        Binding("ctrl+s", "app.save_answers", "Save answers"),
        Binding("ctrl+o", "app.export_report", "Export report"),
        Binding("ctrl+q", "app.request_quit", "Quit"),
    ]

    def __init__(self, answers: Answers) -> None:
        super().__init__()
        self.answers = answers
        self.evaluation: Evaluation | None = None

    def compose(self) -> ComposeResult:
        a = self.answers.values
        yield Header()
        with Horizontal(id="whatif"):
            yield Label("size B")
            yield self._input(a.get("workload.message_size", "1400"), "wi-message")
            yield Select(
                [("bare-metal", "bare-metal"), ("vm", "vm")],
                value=a.get("environment.virtualization", "bare-metal"),
                allow_blank=False,
                id="wi-virtualization",
                compact=True,
            )
            yield Label("per host")
            yield self._input(a.get("environment.containers_per_host", "10"), "wi-containers")
            yield Label("encrypt")
            yield Select(
                [(n, n) for n in NEEDS],
                value=self._encryption_need(),
                allow_blank=False,
                id="wi-encryption",
                compact=True,
            )
        with Horizontal(id="weights"):
            yield Label("weights:")
            for name in ("performance", "security", "mobility", "operability"):
                yield Label(name)
                yield self._input(a.get(f"priorities.{name}", "1"), f"wi-w-{name}")
        yield Static("", id="summary")
        with TabbedContent(id="tabs"):
            with TabPane("Ranking", id="tab-ranking"), Vertical():
                yield DataTable(id="ranking", cursor_type="row", zebra_stripes=True)
                with VerticalScroll(id="detail-pane"):
                    yield Markdown("", id="detail")
            with TabPane("Excluded", id="tab-excluded"):
                yield DataTable(id="excluded", cursor_type="row")
            with TabPane("Chart", id="tab-chart"):
                yield Static("", id="chart")
        yield Footer()

    @staticmethod
    def _input(value: str, widget_id: str) -> Input:
        """A what-if box whose allowed range shows as its placeholder and tooltip."""
        hint = bounds_text(WHAT_IF[widget_id]) or None
        return Input(value, id=widget_id, compact=True, placeholder=hint or "", tooltip=hint)

    def _encryption_need(self) -> str:
        """What the encrypt box shows: a file's `encryption: false` asks for nothing."""
        if self.answers.values.get("security.encryption") == NO:
            return "not needed"
        return self.answers.needs.get("security.encryption", "not needed")

    def on_mount(self) -> None:
        ranking = self.query_one("#ranking", DataTable)
        ranking.add_columns("#", "option", "score", "Gbit/s (80 %)", "first")
        excluded = self.query_one("#excluded", DataTable)
        excluded.add_columns("option", "requirement", "why")
        self.refresh_results()
        ranking.focus()

    def refresh_results(self) -> None:
        """Re-rank, but only with answers the requirements model accepts: otherwise the
        problem is shown in the summary line and the last ranking stays."""
        errors = self.answers.errors()
        if errors:
            path, message = next(iter(errors.items()))
            self.query_one("#summary", Static).update(
                Text(f"✗ {path}: {plain(message)} (ranking not updated)", style="bold red")
            )
            return
        self.evaluation = self.app.evaluate(self.answers)
        evaluation = self.evaluation
        ranking = self.query_one("#ranking", DataTable)
        ranking.clear()
        for option in evaluation.ranked:
            ranking.add_row(
                str(option.rank),
                Text(plain(option.id)),
                f"{option.score:.1f}",
                gbps_text(option),
                f"{option.first_share:.0%}",
                key=option.id,
            )
        excluded = self.query_one("#excluded", DataTable)
        excluded.clear()
        for option in evaluation.excluded:
            reason = option.reasons[0]
            cells = (option.id, reason.requirement, reason.message)
            excluded.add_row(*(Text(plain(t)) for t in cells), key=option.id)
        stays = evaluation.robustness.top_stays_first
        self.query_one("#summary", Static).update(Text(
            f"{len(evaluation.ranked)} ranked, {len(evaluation.excluded)} excluded · "
            f"model: {plain(evaluation.model.name)}"
            + (f" · top pick first in {stays:.0%} of perturbed weightings" if stays else "")
        ))  # fmt: skip
        self.query_one("#chart", Static).update(self.chart_text())
        if evaluation.ranked:
            self.show_detail(evaluation.ranked[0])

    def chart_text(self) -> str:
        """Predicted inter-host Gbit/s across message sizes for the top five options."""
        if not self.evaluation or not self.evaluation.ranked:
            return "Nothing ranked."
        requirements = self.answers.requirements()
        lines = ["Predicted inter-host Gbit/s by message size (bars scale to the NIC)", ""]
        nic = requirements.environment.nic_gbps
        for option in self.evaluation.ranked[:5]:
            profile = self.app.advisor.solution(option.id).profile
            shown = markup(option.id)
            if not profile.inter_host:
                lines.append(f"{shown:<20} same host only")
                continue
            lines.append(shown)
            base = WorkloadPoint.from_requirements(requirements, "inter-host")
            for size in CHART_SIZES:
                point = replace(base, message_size=size)
                gbps = self.app.advisor.model.predict(profile, point).throughput_gbps.value or 0
                bar = "█" * max(0, round(30 * gbps / nic))
                lines.append(f"  {size:>5} B {bar} {gbps:.2f}")
        return "\n".join(lines)

    def show_detail(self, option: RankedOption) -> None:
        item = self.app.advisor.solution(option.id)
        profile = item.profile
        lines = [f"## {option.rank}. {md(profile.name)}", "", md(profile.summary), ""]
        for name, criterion in option.criteria.items():
            lines.append(f"- **{name}** {criterion.score:.2f}: " + "; ".join(
                f"{md(f.name)} {f.score:.2f} ({md(f.detail)})" for f in criterion.factors
            ))  # fmt: skip
        lines += ["", "**Datapath** same host: " + " → ".join(profile.datapath.intra_host)]
        if profile.datapath.inter_host is not None:
            lines.append("other host: " + (" → ".join(profile.datapath.inter_host) or "host stack"))
        for prediction in option.predictions:
            lines.append(
                f"- {prediction.scenario}: {prediction.throughput_ratio.text()} of host, "
                f"{prediction.throughput_gbps.text()}, {prediction.packet_rate_mpps.text(3)}"
            )
        checks = [f for f in option.findings if f.severity.value != "exclude"]
        if checks:
            lines += ["", "**Check**"] + [f"- {md(f.requirement)}: {md(f.message)}" for f in checks]
        lines += ["", "**Sources**"] + [f"- {md(r.title)}: {md(r.url)}" for r in profile.references]
        self.query_one("#detail", Markdown).update("\n".join(lines))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "ranking" and self.evaluation and event.row_key.value:
            option = next((o for o in self.evaluation.ranked if o.id == event.row_key.value), None)
            if option is None:
                return
            self.show_detail(option)

    def on_input_changed(self, event: Input.Changed) -> None:
        path = WHAT_IF.get(event.input.id or "")
        if not path:
            return
        error = self.answers.set(path, event.value)
        event.input.set_class(error is not None, "-invalid")
        if error:
            self.query_one("#summary", Static).update(
                Text(f"✗ {path}: {plain(error)} (ranking not updated)", style="bold red")
            )
            return
        self.refresh_results()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "wi-encryption":
            if str(event.value) == self._encryption_need():
                return  # the box was only set to what the answers already say
            self.answers.set("security.encryption", "yes", str(event.value))
        elif event.select.id in WHAT_IF:
            self.answers.set(WHAT_IF[event.select.id], str(event.value))
        else:
            return
        self.refresh_results()

    def action_back(self) -> None:
        self.app.pop_screen()
