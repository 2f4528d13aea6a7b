"""Results: the ranking, why, what was excluded, a chart, and what-if controls.

Keys reach everything without a mouse: 1/2/3 (or [ and ]) switch tabs, / filters the
exclusions, ? lists every key. The ranking table is the one scroll region of its tab, and
what-if typing re-ranks once the user pauses (DEBOUNCE), not on every keystroke."""

from __future__ import annotations

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
    Select,
    Static,
    TabbedContent,
    TabPane,
)

from ...advisor import Evaluation, RankedOption
from ...questionnaire import NEEDS, NO, Answers, bounds_text
from ...render.common import gbps_text, inter_host
from ...safetext import markup, plain
from ..messages import LOADING, AdvisorReady
from ..widgets.detail import detail_text

CHART_SIZES = (64, 256, 512, 1400, 9000)
DEBOUNCE = 0.2  # seconds of quiet in a what-if box before re-ranking
TABS = ("tab-ranking", "tab-excluded", "tab-chart")
COLUMNS = ("rank", "option", "score", "gbps", "latency", "first")  # the ranking's column keys
COLUMN_LABELS = ("#", "option", "score", "Gbit/s", "latency µs", "first")
ORCHESTRATOR = "environment.orchestrator"  # the least telling exclusion: listed last
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
        Binding("1", "tab(0)", "Ranking"),
        Binding("2", "tab(1)", "Excluded"),
        Binding("3", "tab(2)", "Chart"),
        Binding("question_mark", "app.help", "Keys"),
        Binding("left_square_bracket", "step_tab(-1)", "Previous tab", show=False),
        Binding("right_square_bracket", "step_tab(1)", "Next tab", show=False),
        Binding("slash", "filter", "Filter exclusions", show=False),
        Binding("escape", "leave_box", "Back to the table", show=False),
        Binding("ctrl+b", "back", "Questions"),
        Binding("ctrl+s", "app.save_answers", "Save"),
        Binding("ctrl+o", "app.export_report", "Export"),
        Binding("ctrl+q", "app.request_quit", "Quit"),
    ]

    def __init__(self, answers: Answers) -> None:
        super().__init__()
        self.answers = answers
        self.evaluation: Evaluation | None = None
        self._pending = None  # the debounce timer of a what-if edit
        self.reranks = 0  # how many times the results were recomputed (tests, benchmark)
        self._ranking_rows: dict[str, tuple] = {}  # the ranking table's cells, by option id
        self._excluded_rows: list[tuple[str, str, str]] | None = None  # as last shown
        self._chart_stale = True

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
            with TabPane("1 Ranking", id="tab-ranking"), Vertical():
                yield DataTable(id="ranking", cursor_type="row", zebra_stripes=True)
                # the detail follows the table's cursor; it never takes focus or keys
                with VerticalScroll(id="detail-pane", can_focus=False):
                    yield Static("", id="detail")
            with TabPane("2 Excluded", id="tab-excluded"), Vertical():
                yield Input(id="excluded-filter", compact=True,
                            placeholder="/ filter: option, requirement or reason")  # fmt: skip
                yield DataTable(id="excluded", cursor_type="row")
                yield Static("", id="excluded-reason")
            with TabPane("3 Chart", id="tab-chart"), VerticalScroll(id="chart-pane"):
                yield Static("", id="chart")
        yield Footer(show_command_palette=False, compact=True)

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
        for label, key in zip(COLUMN_LABELS, COLUMNS, strict=True):
            ranking.add_column(label, key=key)
        excluded = self.query_one("#excluded", DataTable)
        excluded.add_columns("requirement", "option", "why")
        self.refresh_results()
        self.query_one("#ranking", DataTable).focus()

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
        if self.app.advisor is None:  # still loading: on_advisor_ready ranks
            self.query_one("#summary", Static).update(Text(LOADING, style="italic"))
            return
        self.evaluation = self.app.evaluate(self.answers)
        self.reranks += 1
        evaluation = self.evaluation
        self.fill_ranking()
        self.fill_excluded()
        stays = evaluation.robustness.top_stays_first
        self.query_one("#summary", Static).update(Text(
            f"{len(evaluation.ranked)} ranked, {len(evaluation.excluded)} excluded · "
            f"model: {plain(evaluation.model.name)}"
            + (f" · top pick first in {stays:.0%} of perturbed weightings" if stays else "")
        ))  # fmt: skip
        self._chart_stale = True  # drawn when its tab is shown: a sweep nobody looks at is waste
        if self.query_one("#tabs", TabbedContent).active == "tab-chart":
            self.draw_chart()
        ranking = self.query_one("#ranking", DataTable)
        if evaluation.ranked:
            self.show_detail(evaluation.ranked[min(ranking.cursor_row, len(evaluation.ranked) - 1)])

    def fill_ranking(self) -> None:
        """The ranking table. When the same options rank in the same order (most what-if
        edits), only the cells that changed are rewritten and the cursor stays; otherwise
        the table is rebuilt."""
        evaluation = self.evaluation
        scenario = evaluation.scenario  # where most of the traffic goes: its estimates shown
        ranking = self.query_one("#ranking", DataTable)
        column = ranking.columns["gbps"]
        label = f"{scenario} Gbit/s"
        if str(column.label) != label:
            column.label = Text(label)
            column.content_width = max(column.content_width, column.label.cell_len)
        rows = {
            option.id: (
                str(option.rank),
                Text(plain(option.id)),
                f"{option.score:.1f}",
                gbps_text(option, scenario),
                latency_text(option, scenario),
                f"{option.first_share:.0%}",
            )
            for option in evaluation.ranked
        }
        if list(rows) == list(self._ranking_rows):
            for key, cells in rows.items():
                for column_key, cell, before in zip(COLUMNS, cells, self._ranking_rows[key],
                                                    strict=True):  # fmt: skip
                    if cell != before:
                        ranking.update_cell(key, column_key, cell, update_width=True)
        else:
            ranking.clear()
            for key, cells in rows.items():
                ranking.add_row(*cells, key=key)
        self._ranking_rows = rows

    def on_advisor_ready(self, _: AdvisorReady) -> None:
        self.refresh_results()

    def fill_excluded(self) -> None:
        """Exclusions by requirement, orchestrator mismatches last, narrowed by the filter."""
        if self.evaluation is None:
            return
        wanted = self.query_one("#excluded-filter", Input).value.strip().lower()
        rows = sorted(
            ((r.requirement, o, r) for o in self.evaluation.excluded for r in o.reasons[:1]),
            key=lambda row: (row[0] == ORCHESTRATOR, row[0], row[1].id),
        )
        shown = [
            (key, option.id, reason.message)
            for key, option, reason in rows
            if not wanted
            or any(wanted in text.lower() for text in (key, option.id, reason.message))
        ]
        excluded = self.query_one("#excluded", DataTable)
        if shown != self._excluded_rows:  # a what-if edit seldom changes what is excluded
            self._excluded_rows = shown
            excluded.clear()
            for cells in shown:
                excluded.add_row(*(Text(plain(t)) for t in cells), key=cells[1])
        self.show_reason(excluded.coordinate_to_cell_key(excluded.cursor_coordinate).row_key.value
                         if excluded.row_count else None)  # fmt: skip

    def show_reason(self, option_id: str | None) -> None:
        """The selected exclusion's every reason, in full (the table cuts them off)."""
        shown = self.query_one("#excluded-reason", Static)
        option = next((o for o in self.evaluation.excluded if o.id == option_id), None) if (
            self.evaluation and option_id) else None  # fmt: skip
        if option is None:
            shown.update("Nothing matches." if self.evaluation and self.evaluation.excluded
                         else "Nothing was excluded.")  # fmt: skip
            return
        lines = [f"{plain(option.name)} ({plain(option.id)}):"] + [
            f"  {plain(r.requirement)}: {plain(r.message)}"
            + ("" if r.source == "core" else f" (plugin {plain(r.source)})")
            for r in option.reasons
        ]
        shown.update(Text("\n".join(lines)))

    def draw_chart(self) -> None:
        self._chart_stale = False
        self.query_one("#chart", Static).update(self.chart_text())

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "tab-chart" and self._chart_stale:
            self.draw_chart()

    def chart_text(self) -> str:
        """Predicted Gbit/s and latency across message sizes for the top five options, where
        most of the traffic goes; through Advisor.sweep, the one way to predict."""
        if not self.evaluation or not self.evaluation.ranked:
            return "Nothing ranked."
        requirements = self.answers.requirements()
        scenario = self.evaluation.scenario
        nic = requirements.environment.nic_gbps
        top = [option.id for option in self.evaluation.ranked[:5]]
        sweeps = self.app.advisor.sweep(top, requirements, CHART_SIZES, scenario=scenario)
        lines = [f"Predicted {scenario} Gbit/s and one-way latency by message size "
                 "(bars scale to the NIC)", ""]  # fmt: skip
        for solution_id, predictions in sweeps.items():
            shown = markup(solution_id)
            if not predictions:
                lines.append(f"{shown:<20} same host only")
                continue
            lines.append(shown)
            for size, prediction in zip(CHART_SIZES, predictions, strict=True):
                gbps = prediction.throughput_gbps.value or 0
                latency = prediction.latency_us.value
                bar = "█" * max(0, round(24 * gbps / nic))
                said = f"{latency:.1f} µs" if latency is not None else "latency unknown"
                lines.append(f"  {size:>5} B {bar} {gbps:.2f} · {said}")
        return "\n".join(lines)

    def show_detail(self, option: RankedOption) -> None:
        profile = self.app.advisor.solution(option.id).profile
        self.query_one("#detail", Static).update(detail_text(option, profile))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "excluded":
            self.show_reason(event.row_key.value)
            return
        if event.data_table.id == "ranking" and self.evaluation and event.row_key.value:
            option = next((o for o in self.evaluation.ranked if o.id == event.row_key.value), None)
            if option is None:
                return
            self.show_detail(option)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "excluded-filter":
            self.fill_excluded()
            return
        path = WHAT_IF.get(event.input.id or "")
        if not path or (event.value == self.answers.values.get(path) and self.evaluation):
            return  # a box showing what the answers already say (as it mounts) is no edit
        error = self.answers.set(path, event.value)
        event.input.set_class(error is not None, "-invalid")
        if self._pending is not None:  # a newer keystroke: the older re-rank is moot
            self._pending.stop()
            self._pending = None
        if error:
            self.query_one("#summary", Static).update(
                Text(f"✗ {path}: {plain(error)} (ranking not updated)", style="bold red")
            )
            return
        self._pending = self.set_timer(DEBOUNCE, self._rerank_after_pause)

    def _rerank_after_pause(self) -> None:
        self._pending = None
        self.refresh_results()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "wi-encryption":
            if str(event.value) == self._encryption_need():
                return  # the box was only set to what the answers already say
            self.answers.set("security.encryption", "yes", str(event.value))
        elif event.select.id in WHAT_IF:
            path = WHAT_IF[event.select.id]
            if str(event.value) == self.answers.values.get(path):
                return
            self.answers.set(path, str(event.value))
        else:
            return
        self.refresh_results()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_tab(self, index: int) -> None:
        """Show a results tab and put the keys where its content is."""
        self.query_one("#tabs", TabbedContent).active = TABS[index]
        target = ("#ranking", "#excluded", "#chart-pane")[index]
        self.query_one(target).focus()

    def action_step_tab(self, step: int) -> None:
        current = TABS.index(self.query_one("#tabs", TabbedContent).active or TABS[0])
        self.action_tab((current + step) % len(TABS))

    def action_leave_box(self) -> None:
        """Esc in a box (the filter, a what-if value) gives the keys back to the table."""
        if isinstance(self.focused, Input):
            tab = self.query_one("#tabs", TabbedContent).active
            self.query_one("#excluded" if tab == "tab-excluded" else "#ranking").focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "excluded-filter":
            self.query_one("#excluded", DataTable).focus()

    def action_filter(self) -> None:
        self.action_tab(1)
        self.query_one("#excluded-filter", Input).focus()


def latency_text(option: RankedOption, scenario: str) -> str:
    """One-way latency with its 80 % interval, compact for a narrow column."""
    prediction = inter_host(option, scenario)
    estimate = prediction.latency_us if prediction is not None else None
    if estimate is None or estimate.value is None:
        return "unknown"
    if estimate.low is None or estimate.high is None:
        return f"{estimate.value:.1f}"
    return f"{estimate.value:.1f} [{estimate.low:.1f}–{estimate.high:.1f}]"
