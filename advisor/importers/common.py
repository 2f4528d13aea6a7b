"""What every importer shares: the error that names file, line and field, the facts about
one input file (name, hash, cluster, solution, import time) and the row builder that puts
them into each row's locator and notes."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..model.data import COLUMNS

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")


class ImportProblem(ValueError):
    """One reason a file cannot be imported, with where it is: file, line, field."""

    def __init__(self, file: str, message: str, *, line: int | None = None, key: str = ""):
        self.file, self.line, self.key, self.message = file, line, key, message
        where = file + (f", line {line}" if line else "") + (f", field {key}" if key else "")
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Options:
    """What the user states at import about facts the file itself does not record."""

    solution: str
    cluster: str = "default"
    scenario: str | None = None  # intra-host / inter-host, for tools that do not say
    service: bool | None = None  # the client reached the server through a Service
    message_size: int | None = None  # for tools that do not print it (sockperf)


@dataclass
class Source:
    """One input file: its text, hash and the options it is imported with."""

    path: Path
    text: str
    sha256: str
    options: Options
    imported_at: str
    facts: dict[str, str] = field(default_factory=dict)  # tool, version, host facts

    @classmethod
    def read(cls, path: Path, options: Options, imported_at: str) -> Source:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise ImportProblem(str(path), f"cannot read: {error.strerror or error}") from None
        if not data.strip():
            raise ImportProblem(str(path), "the file is empty")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise ImportProblem(
                str(path), f"not UTF-8 text (byte {error.start})", line=line
            ) from None
        return cls(path, text, hashlib.sha256(data).hexdigest(), options, imported_at)

    @property
    def name(self) -> str:
        return str(self.path)

    def problem(self, message: str, *, line: int | None = None, key: str = "") -> ImportProblem:
        return ImportProblem(self.name, message, line=line, key=key)

    def row(self, where: str, **values: object) -> dict[str, str]:
        """A dataset row for this file; ``where`` says where in the file the figure is.

        Provenance goes in the locator (file name, hash, place) and the notes (tool and
        version, cluster, import time)."""
        options = self.options
        tool = self.facts.get("tool", "")
        version = self.facts.get("version", "")
        notes = [str(values.pop("notes", ""))]
        notes.append(f"tool {tool}" + (f" {version}" if version else " (version not in file)"))
        notes.extend(f"{k} {v}" for k, v in self.facts.items() if k not in ("tool", "version"))
        notes.append(f"cluster {options.cluster}; imported {self.imported_at}")
        row = {column: "" for column in COLUMNS}
        row.update(
            source_id=f"local-import-{options.cluster}",
            locator=f"{self.path.name} (sha256 {self.sha256[:16]}), {where}",
            solution_id=options.solution,
            solution_label=f"{options.solution} on cluster {options.cluster}",
            virtualization="unknown",
            encryption="none",
            notes="; ".join(part for part in notes if part),
        )
        for key, value in values.items():
            row[key] = (
                ""
                if value is None
                else (f"{value:.10g}" if isinstance(value, float) else str(value))
            )
        return row


def line_of(text: str, needle: str, start: int = 0) -> tuple[int, int]:
    """1-based line of the first ``needle`` at or after character ``start``, and its offset
    (0, -1 when absent): used to name the line of a field in JSON the importers walk."""
    at = text.find(needle, start)
    if at < 0:
        return 0, -1
    return text.count("\n", 0, at) + 1, at


def placement(scenario: str | None, service: bool | None) -> tuple[str, str]:
    """Scenario and the notes phrase for a tool that does not record placement itself.

    The dataset marks Service traffic by the word "service" in the notes (and pod-to-pod
    traffic by "pod-to-pod"), so the phrase is chosen with care."""
    if service is True:
        phrase = "pod-to-service (through a Kubernetes Service, as stated at import)"
    elif service is False:
        phrase = "pod-to-pod (as stated at import)"
    else:
        phrase = "whether the client went pod to pod or through a VIP was not stated"
    return scenario or "unknown", phrase
