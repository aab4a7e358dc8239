"""The build's records: a job (one project for one audience), its rendered trees, a built
document and the report of a whole build. Plain data, shared by every step that plans, builds,
checks or previews documents, so none of them imports the build itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from generator.errors import Problem

if TYPE_CHECKING:
    from generator.compose.doctree import Deck, Handout
    from generator.content.loader import Project


@dataclass(frozen=True)
class Job:
    """One project for one audience: a deck and a handout."""

    project: Project
    audience_key: str

    def path(self, out: Path, kind: str, suffix: str) -> Path:
        """``out/P/P-A-kind.suffix`` (DESIGN.md, Outputs)."""
        slug = self.project.slug
        return out / slug / f"{slug}-{self.audience_key}-{kind}.{suffix}"


@dataclass(frozen=True)
class Rendered:
    """A job's trees, ready for the builders."""

    job: Job
    deck: Deck
    handout: Handout
    notices: tuple[str, ...] = ()
    """What the selection noticed (blocks the audience's slide cap moved off the main part)."""


@dataclass
class Document:
    """One document of the build: where it goes, its bytes, and what the builder noticed."""

    project: str
    audience: str
    kind: str
    path: Path
    data: bytes
    warnings: list[str] = field(default_factory=list)
    pages: int | None = None
    #: A handout whose one-page fit was predicted (not measured by LibreOffice).
    predicted: bool = False


@dataclass
class BuildReport:
    """What a build wrote and noticed."""

    documents: list[Document]
    warnings: list[Problem]
    pdfs: list[Path] = field(default_factory=list)
    unchanged: bool = False
    reused: int = 0
    out: Path | None = None
