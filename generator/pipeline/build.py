"""The build: content -> model -> per-audience selection -> document tree -> builder -> file.

Contract: :func:`build` loads and validates everything first, renders every tree and builds every
document in memory; only then does it write, each file atomically, under an exclusive lock on the
output folder. A problem at any step before writing leaves the output folder untouched.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from generator.content.locate import locate
from generator.errors import BuildError, ContentError, Problem, TextTooLong
from generator.export.normalize import normalize_pdf
from generator.ooxml.package import document_time, package_time
from generator.pipeline.jobs import BuildReport, Document, Job, Rendered
from generator.pipeline.manifest import Manifest, deck_key, input_fingerprint
from generator.pipeline.processes import remove_stale_work_folders
from generator.pipeline.writer import OutputLock, Staged, check_targets
from generator.resources import default_content_dir, default_templates_dir

# The content model, the templates and the builders are imported where used: an unchanged
# rebuild stops before it needs any of them (importing them costs more than its check).
if TYPE_CHECKING:
    from generator.content.loader import Project, Workspace
    from generator.handout.fit import BuildFit
    from generator.handout.fit_cache import FitCache
    from generator.theme.themes import Theme


#: Documents that get a PDF with ``--pdf``: what the audience gets. The engagement plan is the
#: project lead's working document (.docx and .ics), never printed for an audience.
PDF_KINDS = ("pitch", "handout", "programme")


def gets_pdf(document: Document) -> bool:
    """Whether ``--pdf`` (and the preview) makes a PDF of this document."""
    return document.kind in PDF_KINDS


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


def template_warnings(workspace: Workspace) -> list[Problem]:
    """Once per Word template the projects use: what it brings that fights a one-page handout
    and is set aside in each handout's copy (page break before, a cover page, ...)."""
    from generator.handout.builder import template_warnings as word_template_warnings

    problems = []
    for path in dict.fromkeys(p.theme.handout_template for p in workspace.projects):
        problems += [Problem(path, None, None, text) for text in word_template_warnings(path)]
    themes = {
        (p.theme.deck_template, p.theme.handout_template, p.theme.spec.model_dump_json()): p.theme
        for p in workspace.projects
    }
    for theme in themes.values():
        problems += font_warnings(theme)
    return problems


def font_warnings(theme: Theme) -> list[Problem]:
    """Once per font of ``theme`` that pitchkit has no metrics for and that is not installed:
    its text is measured as DejaVu Sans, so it may fit differently where the font is used."""
    files = [theme.deck_template, theme.handout_template]
    key = repr((files, [f.stat().st_mtime_ns for f in files], theme.spec.model_dump_json()))
    if key not in _FONT_WARNINGS:
        _FONT_WARNINGS[key] = _font_warnings(theme)
    return list(_FONT_WARNINGS[key])


_FONT_WARNINGS: dict[str, list[Problem]] = {}


def _font_warnings(theme: Theme) -> list[Problem]:
    from generator.deck.layouts import open_template
    from generator.handout.layout import geometry
    from generator.theme.fonts import part_theme_fonts
    from generator.theme.metrics import FALLBACK_FAMILY, measured_as_itself

    spec = theme.folder / "theme.yaml" if theme.folder else theme.deck_template
    try:
        prs = open_template(theme.deck_template)
        geo = geometry(theme)
    except Exception:  # a broken template: the build reports it, with file and what to do
        return []
    own = part_theme_fonts(prs.slide_masters[0].part)
    deck = {  # the template's own fonts, where theme.yaml does not replace them
        None if theme.spec.fonts.heading else own.major: theme.deck_template,
        None if theme.spec.fonts.body else own.minor: theme.deck_template,
    }
    handout = {
        s.font: theme.handout_template
        for s in (geo.body, geo.title, geo.subtitle, geo.heading1, geo.heading2)
    }
    problems = []
    named = {theme.spec.fonts.heading: spec, theme.spec.fonts.body: spec}
    fonts = {**handout, geo.plan_font: theme.handout_template, **deck, **named}
    for family, path in fonts.items():
        if family and not measured_as_itself(family):
            problems.append(
                Problem(
                    path,
                    None,
                    None,
                    f"the font '{family}' is not installed and pitchkit has no metrics for it: "
                    f"text is measured as {FALLBACK_FAMILY}, so it may fit differently. Install "
                    f"the font, or set a font pitchkit knows (Calibri, Cambria, Arial, Times New "
                    f"Roman, Courier New, Verdana, Georgia) in theme.yaml's 'fonts'.",
                )
            )
    return problems


def render_job(workspace: Workspace, job: Job) -> Rendered:
    """Render one job's trees (its templates are checked here, before anything is written)."""
    from generator.compose.render import render_documents
    from generator.compose.selection import select
    from generator.compose.templating import TemplateLibrary

    library = TemplateLibrary.for_project(job.project.folder, workspace.root)
    selection = select(
        job.project.content, job.audience_key, workspace.audience(job.project, job.audience_key)
    )
    trees = render_documents(workspace, job.project, selection, library)
    plan = selection.deck
    notices = (
        (
            f"more than {plan.cap} main slides for '{job.audience_key}': "
            f"{', '.join(plan.moved)} moved to the back-up or the speaker notes",
        )
        if plan.moved
        else ()
    )
    return Rendered(job, trees.deck, trees.handout, notices)


def render_all(workspace: Workspace, jobs: Sequence[Job]) -> list[Rendered]:
    """Render every job's trees, in order."""
    return [render_job(workspace, job) for job in jobs]


def output_folder(root: Path, out: Path | None = None) -> Path:
    """Where a workspace's documents go: ``out``, else ``<root>/output``; absolute."""
    return (out or root / "output").resolve()


class Pipeline:
    """One workspace, loaded once, and the steps every command takes on it: plan the jobs,
    render them, build their documents and decide each handout's fit. ``build``, ``check``,
    ``watch`` and ``preview`` all go through it, so they build the same documents.

    Contract: nothing here writes. Each job is rendered at most once per pipeline (a second
    pass reuses its trees), and its deck built at most once. The workspace is never changed:
    the build's warnings are in ``warnings``.
    """

    def __init__(
        self, workspace: Workspace, out: Path, audiences: Sequence[str] | None = None
    ) -> None:
        self.workspace = workspace
        self.out = out
        self.audiences = list(audiences or [])
        self.jobs = plan(workspace, audiences)  # BuildError for an unknown audience
        #: The content's warnings, then the templates' (:func:`template_warnings`).
        self.warnings = [*workspace.warnings, *template_warnings(workspace)]
        self._rendered: list[Rendered] = []
        self._decks: dict[int, tuple[bytes, list[str]]] = {}  # by job index, see decks()

    @classmethod
    def load(
        cls, path: Path, out: Path | None = None, audiences: Sequence[str] | None = None
    ) -> Pipeline:
        """Load and validate the workspace at ``path`` (ContentError) and plan its jobs;
        ``out`` is the output folder (default: the workspace's ``output/``)."""
        from generator.content.loader import load_workspace

        workspace = load_workspace(path)
        return cls(workspace, output_folder(workspace.root, out), audiences)

    @property
    def leads(self) -> list[Project]:
        """The projects whose engagement plan is made: on a full build (no ``audiences``),
        every project built, like the programme deck."""
        if self.audiences:
            return []
        return [p for p in self.workspace.projects if plan_has(self.jobs, p)]

    def rendered(self) -> Iterator[Rendered]:
        """Every job's trees, in job order, each rendered as it is reached."""
        for i, job in enumerate(self.jobs):
            if i == len(self._rendered):
                self._rendered.append(render_job(self.workspace, job))
            yield self._rendered[i]

    def decks(self) -> list[Document]:
        """Every job's deck alone, in job order (for a quick first look); each deck is built
        once per pipeline, and :meth:`documents` keeps it rather than build it again."""
        decks = []
        for i, item in enumerate(self.rendered()):
            if i not in self._decks:
                self._decks[i] = build_deck_bytes(item)
            decks.append(deck_document(item, self.out, self._decks[i]))
        return decks

    def documents(
        self,
        pool: ProcessPoolExecutor | None = None,
        say: Progress | None = None,
        reuse: Callable[[Rendered], tuple[bytes, list[str]] | None] | None = None,
    ) -> list[Document]:
        """Every document, in build order: each job's deck and handout (the handout's fit
        predicted where it can be), then on a full build the programme deck and each
        project's engagement plan after its handouts. Jobs are built in ``pool`` (else here)
        as soon as they are rendered; ``reuse(item)`` gives an unchanged deck to keep."""
        from generator.compose.programme import programme_documents

        builds = _Builds(pool, self.out, say or (lambda _message: None))
        if not self.audiences:
            # The programme deck (every project side by side, where there are several) is the
            # longest task: it goes first, then each job as soon as it is rendered.
            builds.run_last(functools.partial(programme_documents, self.workspace, self.out))
        for i, item in enumerate(self.rendered()):
            kept = reuse(item) if reuse is not None else None
            builds.run(item, kept if kept is not None else self._decks.get(i))
        return with_engagement_plans(self.workspace, builds.results(), self.leads, self.out)

    def fit(
        self,
        documents: list[Document],
        say: Progress | None = None,
        soffice: str | bool | None = True,
        cache: FitCache | None = None,
    ) -> BuildFit:
        """The fit decision: every handout of ``documents`` whose fit was not predicted is
        measured by LibreOffice, in place (:func:`generator.handout.fit.fit_build`; ``soffice``
        None skips measuring). Only rendered jobs' handouts are measured."""
        from generator.handout.fit import fit_build

        return fit_build(
            self._rendered,
            documents,
            self.out,
            say,
            soffice=soffice,
            root=self.workspace.root,
            cache=cache,
        )


def build_documents(
    item: Rendered, out: Path, reuse_deck: tuple[bytes, list[str]] | None = None
) -> list[Document]:
    """Build the deck and handout bytes of one rendered job (runs in a worker process).

    ``reuse_deck`` is a deck already built (bytes, warnings), kept as it is: the unchanged deck
    of the last build, or one :meth:`Pipeline.decks` built.
    """
    from generator.handout.builder import DENSITIES, build_handout
    from generator.handout.fit import left_out_warning, predicted_fit

    job = item.job
    when = document_time(job.project.content.project.date)
    deck = reuse_deck if reuse_deck is not None else build_deck_bytes(item)
    # The density and the sections left out as predicted; None: LibreOffice measures it later.
    choice = predicted_fit(item.handout, job.project.theme)
    density, left_out = choice or (0, ())
    handout_bytes = build_handout(
        item.handout, job.project.theme, when, DENSITIES[density], left_out
    )
    key = job.audience_key
    pitch = deck_document(item, out, deck)
    _self_contained(handout_bytes, job.path(out, "handout", "docx"))
    return [
        pitch,
        Document(
            job.project.slug,
            key,
            "handout",
            job.path(out, "handout", "docx"),
            handout_bytes,
            left_out_warning(f"handout for {key}", left_out),
            predicted=choice is not None,
        ),
    ]


def build_deck_bytes(item: Rendered) -> tuple[bytes, list[str]]:
    """One rendered job's deck and what its builder noticed; a ContentError naming the field
    when a slide's text does not fit."""
    from generator.deck.builder import build_deck

    job = item.job
    when = document_time(job.project.content.project.date)
    try:
        return build_deck(item.deck, job.project.theme, when)
    except TextTooLong as exc:
        raise too_long_error(exc, [job.project], f"the {job.audience_key} deck") from None


def deck_document(item: Rendered, out: Path, deck: tuple[bytes, list[str]]) -> Document:
    """One rendered job's deck (bytes, builder's warnings) as a build Document; refused when it
    refers to anything outside itself."""
    from generator.app.progress import pptx_slide_count

    job = item.job
    data, warnings = deck
    path = job.path(out, "pitch", "pptx")
    _self_contained(data, path)
    return Document(
        job.project.slug,
        job.audience_key,
        "pitch",
        path,
        data,
        [*item.notices, *warnings],
        pptx_slide_count(data),
    )


def too_long_error(exc: TextTooLong, projects: Sequence[Project], deck: str) -> ContentError:
    """A slide's text that does not fit (``exc``) as a content error naming the field of
    ``projects``' content it comes from, with file and line (the longest field whose text is
    on the slide, or that holds it); without a field when the text is no content's (a label
    of the templates)."""
    from generator.compose.inline import plain
    from generator.content.reader import dotted, read_yaml

    shown = " ".join(exc.text.split())
    best: tuple[int, int, Project, tuple[str | int, ...]] | None = None
    for project in projects:
        data = project.content.model_dump(mode="python", exclude_none=True)
        for loc, value in _text_leaves(data, ()):
            text = " ".join(plain(value).split())
            if not text:
                continue
            # The field is the slide's text, a part of it (a label before it), or holds it.
            score = (
                3
                if text == shown
                else 2
                if len(text) >= 12 and text in shown
                else 1
                if len(shown) >= 12 and shown in text
                else 0
            )
            if score and (best is None or (score, len(text)) > best[:2]):
                best = (score, len(text), project, loc)
    where = f"on slide {exc.slide} of {deck} even at {exc.size:g} pt"
    if best is None:
        quoted = shown if len(shown) <= 60 else shown[:57].rstrip() + "..."
        message = f"{exc.what} '{quoted}' does not fit {where}"
        return ContentError([Problem(None, None, None, message, exc.hint())])
    _, _, project, loc = best
    try:
        line = read_yaml(project.source).line_of(loc)
    except ContentError:  # the file changed since it was loaded: no line then
        line = None
    root = next((d.parent for d in project.source.parents if d.name == "content"), None)
    message = f"this text does not fit {where}"
    return ContentError([Problem(project.source, line, dotted(loc), message, exc.hint())], root)


def _text_leaves(
    data: object, loc: tuple[str | int, ...]
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(location, text) of every string in plain content data."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _text_leaves(value, (*loc, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _text_leaves(value, (*loc, i))
    elif isinstance(data, str):
        yield loc, data


def _self_contained(data: bytes, path: Path) -> None:
    """Refuse to write a document that refers to anything outside itself but a web or mail link
    (theme templates are cleaned on loading: this is the last line, never the first)."""
    from generator.theme.packages import external_references

    found = external_references(data)
    if found:
        raise BuildError(
            f"{path.name} would refer to files or addresses outside itself ({', '.join(found[:3])})"
            "; nothing was written. Please report this, with the theme's templates."
        )


def build(
    path: Path,
    out: Path | None = None,
    audiences: Sequence[str] | None = None,
    pdf: bool = False,
    jobs: int = 1,
    progress: Progress | None = None,
    expect: Callable[[int], None] | None = None,
    pipeline: Pipeline | None = None,
) -> BuildReport:
    """Build every document for the workspace at ``path`` (see the module contract).

    ``progress`` gets a message per step; ``expect``, if given, is told the number of steps
    first (one per job built, per document written and per PDF), for a progress bar.
    ``pipeline`` is the workspace at ``path`` already loaded (with the same ``out`` and
    ``audiences``), so the build does not load it again.
    """
    say = progress or (lambda _message: None)
    remove_stale_work_folders()  # what killed builds left in the temporary folder
    layout = locate(path)
    out = output_folder(layout.root, out)
    manifest = Manifest.load(out)
    folders = [layout.content_dir, layout.root / "templates", default_templates_dir()]
    options = {
        "audiences": sorted(audiences or []),
        "pdf": pdf,
        "only": str(layout.only_project),
    }
    if (
        manifest.fingerprint == input_fingerprint(folders, manifest.inputs, options)
        and manifest.all_intact()
    ):
        unchanged = _unchanged_report(manifest)
        if unchanged is not None:
            say("nothing changed since the last build")
            return unchanged
    keys: dict[Path, str] = {}
    kept_decks: dict[Path, tuple[bytes, list[str]]] = {}

    def reuse(item: Rendered) -> tuple[bytes, list[str]] | None:
        """The last build's deck of ``item`` if it is made of the same inputs (its key)."""
        job = item.job
        target = job.path(out, "pitch", "pptx")
        keys[target] = deck_key(
            item.deck.model_dump_json(),
            _deck_inputs(job.project),
            document_time(job.project.content.project.date),
        )
        entry = manifest.intact(target)
        if entry is not None and entry.key == keys[target]:
            kept_decks[target] = (target.read_bytes(), entry.warnings)
        return kept_decks.get(target)

    # The workers start now and import the builders while this process loads and renders.
    with _worker_pool(jobs) as pool:
        if pipeline is None:
            pipeline = Pipeline.load(path, out, audiences)
        workspace = pipeline.workspace
        inputs = _inputs_read(workspace)
        fingerprint = input_fingerprint(folders, inputs, options)
        if expect is not None:
            expect(len(pipeline.jobs) * (5 if pdf else 3) + 2 * len(pipeline.leads))
        documents = pipeline.documents(pool, say, reuse)
    paths = [d.path for d in documents]
    pdf_paths = [d.path.with_suffix(".pdf") for d in documents if pdf and gets_pdf(d)]
    check_targets(out, [*paths, *pdf_paths, manifest.path])
    fit = pipeline.fit(documents, say)  # one page: what the prediction left open is measured
    report = BuildReport(
        documents, list(pipeline.warnings) + fit.problems, reused=len(kept_decks), out=out
    )
    # Everything is decided before anything is written, the PDFs too: a handout found too long
    # on the way leaves the output folder as it was.
    pdfs = _make_pdfs(pipeline, documents, fit, report, say) if pdf else {}
    report.pdfs = list(pdfs)
    with OutputLock(out) as output:
        output.remove_stale_temporaries()  # left by a killed build; the lock says none is running
        staged: list[Staged] = []
        try:
            status: dict[Path, os.stat_result] = {}
            written: list[Path] = []
            for d in documents:
                if d.path in kept_decks and manifest.intact(d.path):
                    status[d.path] = d.path.stat()
                    continue
                staged.append(output.stage(d.path, d.data))
                status[d.path] = staged[-1].status
                written.append(d.path)
            for path, data in pdfs.items():
                staged.append(output.stage(path, data))
            staged += fit.cache.stage(output)
            manifest.record(
                documents,
                keys,
                inputs,
                fingerprint,
                [w.render(workspace.root) for w in report.warnings],
                report.pdfs,
                status,
            )
            staged.append(manifest.stage(output))
        except BaseException:
            output.discard(staged)  # nothing has taken a document's place yet
            raise
        # All or nothing: every file is on disk under a temporary name before the first rename.
        output.commit(staged)
        fit.cache.prune(output)
    for d in documents:
        if d.path in written:
            say(f"wrote {d.path.relative_to(out)}")
        else:
            say(f"kept {d.path.relative_to(out)} (unchanged)")
    for p in report.pdfs:
        say(f"wrote {p.relative_to(out)}")
    return report


def plan_has(work: Sequence[Job], project: Project) -> bool:
    """Whether ``work`` builds anything of ``project``."""
    return any(job.project.slug == project.slug for job in work)


def with_engagement_plans(
    workspace: Workspace, documents: list[Document], projects: Sequence[Project], out: Path
) -> list[Document]:
    """``documents`` with each project's engagement plan (.docx, .ics) after its handouts."""
    from generator.compose.engagement import engagement_documents

    plans = {
        p.slug: engagement_documents(workspace, p, out, workspace.audience_keys_for(p))
        for p in projects
    }
    result: list[Document] = []
    for i, d in enumerate(documents):
        result.append(d)
        following = documents[i + 1].project if i + 1 < len(documents) else None
        if following != d.project:
            result += plans.pop(d.project, [])
    return result + [d for docs in plans.values() for d in docs]


def _make_pdfs(
    pipeline: Pipeline,
    documents: list[Document],
    fit: BuildFit,
    report: BuildReport,
    say: Progress,
) -> dict[Path, bytes]:
    """The PDF of every document, normalised (no clock in it), by PDF path in document order;
    made in a private folder, nothing written. Handouts the fit measured reuse the fit's PDF of
    exactly their bytes; a predicted handout that LibreOffice puts on two pages is measured
    again (its bytes change in place), with its PDF."""
    from generator.export.pdf import convert_to_pdf, pdf_page_count

    workspace = pipeline.workspace
    documents = [d for d in documents if gets_pdf(d)]
    reuse = dict(fit.pdfs)
    tags = {d.path: _language_tag(workspace, d.project) for d in documents}
    rest = {d.path: d.data for d in documents if d.path not in reuse}
    produced = convert_to_pdf(rest, language_tag=tags)
    spilled = [
        d
        for d in documents
        if d.predicted and d.path in rest and pdf_page_count(produced[d.path]) > 1
    ]
    if spilled:
        earlier = fit.cache if fit.cache.folder is not None else None  # None: nothing measured
        refit = pipeline.fit(_to_measure(spilled), say, cache=earlier)
        report.warnings += refit.problems
        fit.cache = refit.cache  # the same one, unless the first fit had nothing to measure
        reuse.update(refit.pdfs)
        again = {d.path: d.data for d in spilled if d.path not in refit.pdfs}
        produced.update(convert_to_pdf(again, language_tag=tags) if again else {})
    made = {**produced, **reuse}
    # Same bytes every time: LibreOffice stamps the clock in.
    return {
        d.path.with_suffix(".pdf"): normalize_pdf(made[d.path], package_time(d.data))
        for d in documents
    }


def _to_measure(documents: list[Document]) -> list[Document]:
    """Handout ``documents``, marked to be measured again (their prediction was wrong)."""
    for d in documents:
        d.predicted = False
        d.warnings = []  # a handout's only warnings are what its fit left out
    return documents


def _inputs_read(workspace: Workspace) -> list[str]:
    """Files outside the fingerprinted folders that this build reads: themes, pictures."""
    files = [workspace.audiences_source, default_content_dir() / "audiences.yaml"]
    for project in workspace.projects:
        files += _deck_inputs(project)
    return [str(f) for f in files]


def _deck_inputs(project: Project) -> list[Path]:
    theme = project.theme
    return [
        *theme.sources,
        theme.deck_template,
        theme.handout_template,
        *(image.path for image in project.images),
    ]


def _unchanged_report(manifest: Manifest) -> BuildReport | None:
    """The last build's report, its documents' bytes read back (None: one cannot be read)."""
    documents = []
    for e in manifest.entries.values():
        try:
            data = Path(e.path).read_bytes()
        except OSError:
            return None  # gone since the manifest's check: build it again
        documents.append(
            Document(e.project, e.audience, e.kind, Path(e.path), data, e.warnings, e.pages)
        )
    warnings = [Problem(None, None, None, text) for text in manifest.warnings]
    return BuildReport(
        documents,
        warnings,
        [Path(p) for p in manifest.pdfs],
        unchanged=True,
        reused=len(documents),
        out=manifest.out,
    )


def _language_tag(workspace: Workspace, slug: str) -> str:
    from generator.compose.formats import LANGUAGE_TAGS

    for p in workspace.projects:
        if p.slug == slug:
            return LANGUAGE_TAGS[p.content.language]
    return "nl-NL"


@contextlib.contextmanager
def _worker_pool(jobs: int) -> Iterator[ProcessPoolExecutor | None]:
    """A pool of ``jobs`` started workers (None for one job at a time); shut down on exit."""
    if jobs <= 1:
        yield None
        return
    with ProcessPoolExecutor(
        max_workers=jobs, initializer=_warm_worker, initargs=(os.getpid(),)
    ) as pool:
        for _ in range(jobs):
            pool.submit(int)  # starts a worker (the pool would start them one task at a time)
        try:
            yield pool
        except BaseException:
            pool.shutdown(cancel_futures=True)  # a problem: what has not started never will
            raise


def _warm_worker(build: int) -> None:
    """Die with the build (even killed), then import what a worker needs before its first job."""
    from generator.pipeline.processes import die_with_parent

    die_with_parent(build)
    from generator.app import progress  # noqa: F401
    from generator.deck import builder as pptx_builder  # noqa: F401
    from generator.handout import builder as docx_builder  # noqa: F401
    from generator.handout import fit as handout_fit  # noqa: F401


class _Builds:
    """Documents being built: in the pool as jobs are rendered, or here one by one."""

    def __init__(self, pool: ProcessPoolExecutor | None, out: Path, say: Progress) -> None:
        self.pool = pool
        self.out = out
        self.say = say
        self.pending: list[Future[list[Document]] | list[Document]] = []
        self.last: Future[list[Document]] | Callable[[], list[Document]] | None = None

    def run(self, item: Rendered, kept_deck: tuple[bytes, list[str]] | None) -> None:
        """Build ``item``'s documents (keeping ``kept_deck``, the unchanged deck, if given)."""
        if self.pool is not None:
            self.pending.append(self.pool.submit(build_documents, item, self.out, kept_deck))
        else:
            self.pending.append(build_documents(item, self.out, kept_deck))
            self.say(f"built {item.job.project.slug} for {item.job.audience_key}")

    def run_last(self, task: Callable[[], list[Document]]) -> None:
        """A task whose documents come after every job's (started now in a pool)."""
        self.last = self.pool.submit(task) if self.pool is not None else task

    def results(self) -> list[Document]:
        """Every job's documents in job order, then the last task's."""
        documents: list[Document] = []
        for done in self.pending:
            if isinstance(done, Future):
                docs = done.result()
                self.say(f"built {docs[0].project} for {docs[0].audience}")
            else:
                docs = done
            documents += docs
        if isinstance(self.last, Future):
            documents += self.last.result()
        elif self.last is not None:
            documents += self.last()
        return documents
