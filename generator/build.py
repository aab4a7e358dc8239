"""The build: content -> model -> per-audience selection -> document tree -> builder -> file.

Contract: :func:`build` loads and validates everything first, renders every tree and builds every
document in memory; only then does it write, each file atomically, under an exclusive lock on the
output folder. A problem at any step before writing leaves the output folder untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .doctree import Deck, Handout
from .errors import BuildError, Problem
from .loader import Project, Workspace, load_workspace
from .render import render_documents
from .selection import select
from .templating import TemplateLibrary
from .writer import (
    OutputLock,
    check_targets,
    document_time,
    normalize_pdf_file,
    normalize_zip,
    package_time,
    remove_stale_temporaries,
    write_atomic,
)


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


@dataclass
class BuildReport:
    """What a build wrote and noticed."""

    documents: list[Document]
    warnings: list[Problem]
    pdfs: list[Path] = field(default_factory=list)


Progress = Callable[[str], None]


def plan(workspace: Workspace, audiences: Sequence[str] | None = None) -> list[Job]:
    """Every (project, audience) pair to build; ``audiences`` narrows it to those keys."""
    unknown = [a for a in audiences or () if a not in workspace.audiences]
    if unknown:
        raise BuildError(
            f"unknown audience {', '.join(repr(a) for a in unknown)}; "
            f"known audiences: {', '.join(workspace.audiences)}"
        )
    jobs = []
    for project in workspace.projects:
        for key in workspace.audience_keys_for(project):
            if audiences and key not in audiences:
                continue
            jobs.append(Job(project, key))
    return jobs


def render_all(workspace: Workspace, jobs: Sequence[Job]) -> list[Rendered]:
    """Render every job's trees (templates are checked here, before anything is written)."""
    out = []
    for job in jobs:
        library = TemplateLibrary.for_project(job.project.folder, workspace.root)
        selection = select(
            job.project.content, job.audience_key, workspace.audiences[job.audience_key]
        )
        trees = render_documents(workspace, job.project, selection, library)
        out.append(Rendered(job, trees.deck, trees.handout))
    return out


def build_documents(item: Rendered, out: Path) -> list[Document]:
    """Build the deck and handout bytes of one rendered job (runs in a worker process)."""
    from .docx_builder import build_handout
    from .pptx_builder import build_deck

    job = item.job
    when = document_time(job.project.content.project.date)
    deck_bytes, deck_warnings = build_deck(item.deck, job.project.theme, when)
    handout_bytes = build_handout(item.handout, job.project.theme, when)
    slug, key = job.project.slug, job.audience_key
    return [
        Document(
            slug,
            key,
            "pitch",
            job.path(out, "pitch", "pptx"),
            normalize_zip(deck_bytes, when),
            deck_warnings,
        ),
        Document(
            slug,
            key,
            "handout",
            job.path(out, "handout", "docx"),
            normalize_zip(handout_bytes, when),
        ),
    ]


def build(
    path: Path,
    out: Path | None = None,
    audiences: Sequence[str] | None = None,
    pdf: bool = False,
    jobs: int = 1,
    progress: Progress | None = None,
    expect: Callable[[int], None] | None = None,
) -> BuildReport:
    """Build every document for the workspace at ``path`` (see the module contract).

    ``progress`` gets a message per step; ``expect``, if given, is told the number of steps
    first (one per job built, per document written and per PDF), for a progress bar.
    """
    say = progress or (lambda _message: None)
    workspace = load_workspace(path)
    out = (out or workspace.root / "output").resolve()
    work = plan(workspace, audiences)
    if expect is not None:
        expect(len(work) * (5 if pdf else 3))
    rendered = render_all(workspace, work)
    documents = _build_all(rendered, out, jobs, say)
    if not audiences:  # the programme deck: every project side by side, where there are several
        from .programme import programme_documents

        documents += programme_documents(workspace, out)
    check_targets(out, [d.path for d in documents])
    from .handout_fit import fit_build  # one page, measured: every handout in a few batches

    fit = fit_build(rendered, documents, out, say, root=workspace.root)
    report = BuildReport(documents, list(workspace.warnings) + fit.problems)
    with OutputLock(out):
        remove_stale_temporaries(out)  # left by a killed build; the lock says none is running
        for d in documents:
            write_atomic(d.path, d.data)
            say(f"wrote {d.path.relative_to(out)}")
        fit.cache.save()
        if pdf:
            from .pdf import export_pdfs

            # The fit already made a tagged PDF of exactly these handout bytes: reuse it, and
            # convert only the rest (write them after export_pdfs, which is all or nothing).
            reuse = fit.pdfs
            rest = [d for d in documents if d.path not in reuse]
            tags = {d.path: _language_tag(workspace, d.project) for d in rest}
            produced = export_pdfs([d.path for d in rest], language_tag=tags)
            for path, data in reuse.items():
                write_atomic(path.with_suffix(".pdf"), data)
                produced[path] = path.with_suffix(".pdf")
            for d in documents:  # same bytes every time: LibreOffice stamps the clock in
                if d.path in produced:
                    normalize_pdf_file(produced[d.path], package_time(d.data))
            report.pdfs = [produced[d.path] for d in documents if d.path in produced]
            for p in report.pdfs:
                say(f"wrote {p.relative_to(out)}")
    return report


def _language_tag(workspace: Workspace, slug: str) -> str:
    from .formats import LANGUAGE_TAGS

    for p in workspace.projects:
        if p.slug == slug:
            return LANGUAGE_TAGS[p.content.language]
    return "nl-NL"


def _build_all(rendered: list[Rendered], out: Path, jobs: int, say: Progress) -> list[Document]:
    documents: list[Document] = []
    if jobs > 1 and len(rendered) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for docs in pool.map(build_documents, rendered, [out] * len(rendered)):
                documents += docs
                say(f"built {docs[0].project} for {docs[0].audience}")
        return documents
    for item in rendered:
        documents += build_documents(item, out)
        say(f"built {item.job.project.slug} for {item.job.audience_key}")
    return documents
