"""Findings: what a constraint or a plugin's check says about one option."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Severity(StrEnum):
    EXCLUDE = "exclude"  # the option cannot meet a hard requirement
    WARN = "warn"  # it can, but something needs attention (or is unknown)
    INFO = "info"


class Finding(BaseModel):
    """One reason, tied to the requirement key it concerns, e.g. ``environment.underlay.mtu``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    severity: Severity
    requirement: str = Field(description="dotted requirement key, or '-' when none applies")
    message: str = Field(min_length=3)
    source: str = Field(default="core", description="'core' or the plugin that said it")
    references: list[str] = Field(default_factory=list, description="URLs behind the finding")
