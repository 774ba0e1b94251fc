"""The report's building blocks: paragraphs, tables, figures, sections and their context.

Each section of the report is built from these blocks once and rendered twice
(:mod:`casestats.reporting.render`): as HTML and as Markdown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from casestats.reporting._cache import ResultCache

if TYPE_CHECKING:
    from casestats.caseseries import CaseSeries
    from casestats.reporting.table_one import TableOne


@dataclass(frozen=True)
class _Paragraph:
    text: str


@dataclass(frozen=True)
class _Table:
    name: str  # file stem under tables/
    frame: pd.DataFrame  # what the reader sees
    caption: str


@dataclass(frozen=True)
class _Figure:
    name: str  # file stem under figures/
    caption: str


@dataclass
class _Section:
    title: str
    blocks: list = field(default_factory=list)

    def text(self, text: str) -> None:
        self.blocks.append(_Paragraph(text))

    def table(self, name: str, frame: pd.DataFrame, caption: str) -> None:
        self.blocks.append(_Table(name, frame, caption))

    def figure(self, name: str, caption: str) -> None:
        self.blocks.append(_Figure(name, caption))


@dataclass
class _Context:
    """What the sections share: the inputs, the output folder and the methods said so far."""

    cases: CaseSeries
    cohorts: pd.DataFrame | None
    out: Path
    site_rank: str
    confidence_level: float = 0.95
    methods: list[str] = field(default_factory=list)
    cache: ResultCache = field(default_factory=ResultCache)

    def method(self, sentence: str) -> None:
        if sentence not in self.methods:
            self.methods.append(sentence)

    def save_table(self, name: str, frame: pd.DataFrame) -> None:
        """Write the full-precision table (the report shows a rounded copy)."""
        path = self.out / "tables" / f"{name}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(path, index=False, lineterminator="\n")

    def run(self, function: Callable, *args: Any, **kwargs: Any) -> Any:
        """Run an analysis, or reuse it when this run has computed it already."""
        return self.cache.run(function, *args, **kwargs)

    def save_figure(self, name: str, result, **plot_kwargs: Any) -> None:
        """Save ``result.plot(**plot_kwargs)``, or copy it when this run has drawn it already."""
        self.cache.save_figure(result, self.out / "figures" / name, **plot_kwargs)


@dataclass(frozen=True)
class _SourceList:
    frame: pd.DataFrame


@dataclass(frozen=True)
class _TableOneBlock:
    table: TableOne
    caption: str
