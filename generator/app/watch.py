"""``pitchkit watch``: rebuild what changed on every save, and keep going after an error.

Contract: :func:`watch` builds once, then waits for changes (watchfiles) under the workspace
(content, templates, themes; the output folder and editors' temporary files are ignored) and in
theme folders outside it. A change inside one project's folder rebuilds that project; any other
change (audiences.yaml, smart-city.yaml, templates, themes) rebuilds every project. Each rebuild
says what it wrote and how long it took; a content, template or build error is printed and the watch
goes on, so the next save can fix it. With ``pdf`` every rebuilt document also gets a PDF, and with
``preview`` the pictures and index pages are updated too; both use one LibreOffice that keeps
running (:class:`generator.export.office.OfficeServer`) where its Python bridge is installed, and
LibreOffice per rebuild otherwise. It returns when ``stop`` is set or on Ctrl+C.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.content.loader import locate
from generator.errors import PitchkitError

if TYPE_CHECKING:
    from generator.pipeline.build import Pipeline
    from generator.pipeline.jobs import Document

Say = Callable[[str], None]


@dataclass(frozen=True)
class Target:
    """What to rebuild: one project folder, or the whole workspace (``slug`` None)."""

    path: Path
    slug: str | None

    def describe(self) -> str:
        return self.slug or "every project"


def targets_for(changed: Iterable[Path], root_path: Path) -> list[Target]:
    """The rebuilds a set of changed files needs (see the module contract)."""
    layout = locate(root_path)
    if layout.only_project is not None:
        return [Target(layout.only_project, layout.only_project.name)]
    content = layout.content_dir.resolve()
    slugs: set[str] = set()
    for path in changed:
        path = path.resolve()
        if not path.is_relative_to(content):
            return [Target(root_path, None)]
        parts = path.relative_to(content).parts
        if len(parts) < 2:  # audiences.yaml, smart-city.yaml, a new folder
            return [Target(root_path, None)]
        folder = content / parts[0]
        if not (folder / "project.yaml").is_file():  # a project removed or renamed
            return [Target(root_path, None)]
        slugs.add(parts[0])
    return [Target(content / slug, slug) for slug in sorted(slugs)]


class Watcher:
    """Rebuilds on request, holding what should live between rebuilds (one LibreOffice)."""

    def __init__(self, path: Path, out: Path | None, pdf: bool, preview: bool, say: Say) -> None:
        self.path = path
        self.out = out
        self.pdf = pdf or preview
        self.preview = preview
        self.say = say
        self.office: Any = None
        if self.pdf:
            from generator.export.office import OfficeServer

            if OfficeServer.available():
                self.office = OfficeServer()
            else:
                say(
                    "note: LibreOffice's Python bridge (python3-uno) was not found, so LibreOffice "
                    "is started for every rebuild; PDFs take a few seconds longer"
                )

    def close(self) -> None:
        if self.office is not None:
            self.office.close()

    def rebuild(self, target: Target) -> bool:
        """Rebuild one target; print what was written or the error. True when it worked.

        Two steps, so an edit shows up fast: first the decks alone (rendered, built and written
        in a second or two, with their PDFs), then the whole build, whose one-page handout fit
        may take LibreOffice a while. One pipeline: the build keeps the trees and decks of the
        first step, so the workspace is loaded, and each deck built, once.
        """
        from generator.pipeline.build import Pipeline, build, gets_pdf

        started = time.monotonic()
        try:
            pipeline = Pipeline.load(target.path, self.out)  # the only load of this rebuild
            decks = self._decks_first(pipeline)
            self.say(
                f"updated {len(decks)} deck(s) of {target.describe()} in "
                f"{time.monotonic() - started:.1f} s; now the handouts"
            )
            early = {d.path: d.data for d in decks}
            report = build(target.path, out=self.out, pdf=False, pipeline=pipeline)
            documents = report.documents
            pdfs: list[Path] = []
            if self.pdf:
                # A deck whose bytes did not change since its PDF was made keeps that PDF.
                pdfs = [
                    d.path.with_suffix(".pdf") for d in documents if early.get(d.path) == d.data
                ]
                pdfs += self._pdfs(
                    pipeline,
                    [d for d in documents if early.get(d.path) != d.data and gets_pdf(d)],
                )
            if self.preview:
                self._preview(pipeline, documents, pdfs)
        except PitchkitError as exc:
            self.say(f"error: {exc}")
            self.say("waiting for the next change")
            return False
        except Exception as exc:  # a bug must not end the watch either; say what it was
            self.say(f"error: unexpected problem: {type(exc).__name__}: {exc}")
            self.say("waiting for the next change")
            return False
        seconds = time.monotonic() - started
        names = ", ".join(d.path.name for d in documents)
        extra = f" and {len(pdfs)} PDF(s)" if pdfs else ""
        extra += " and the preview" if self.preview else ""
        self.say(
            f"rebuilt {target.describe()}: {len(documents)} document(s){extra} "
            f"in {seconds:.1f} s ({names})"
        )
        for problem in report.warnings:
            self.say(f"warning: {problem.render(self.path.resolve())}")
        for d in documents:
            for w in d.warnings:
                self.say(f"warning: {d.path.name}: {w}")
        return True

    def _decks_first(self, pipeline: Pipeline) -> list[Document]:
        """Render everything of ``pipeline`` and build its decks, then write (and PDF) them."""
        from generator.pipeline.writer import OutputLock

        out = pipeline.out
        decks = pipeline.decks()
        with OutputLock(out) as output:
            output.write_all({d.path: d.data for d in decks})
        if self.pdf:
            self._pdfs(pipeline, decks)
        return decks

    def _pdfs(self, pipeline: Pipeline, documents: list[Document]) -> list[Path]:
        """PDFs of ``documents``: in the running LibreOffice, or one started for this call;
        normalised and written all together under the output folder's lock."""
        from generator.compose.formats import LANGUAGE_TAGS
        from generator.export.normalize import normalize_pdf
        from generator.export.pdf import convert_to_pdf
        from generator.ooxml.package import package_time
        from generator.pipeline.writer import OutputLock

        if not documents:
            return []
        projects = pipeline.workspace.projects
        languages = {p.slug: LANGUAGE_TAGS[p.content.language] for p in projects}
        tags = {d.path: languages.get(d.project, "nl-NL") for d in documents}
        data = {d.path: d.data for d in documents}
        made = (
            self.office.convert(data, tags)
            if self.office is not None
            else convert_to_pdf(data, language_tag=tags)
        )
        pdfs = {
            d.path.with_suffix(".pdf"): normalize_pdf(made[d.path], package_time(d.data))
            for d in documents
        }
        with OutputLock(pipeline.out) as output:
            output.write_all(pdfs)
        return list(pdfs)

    def _preview(self, pipeline: Pipeline, documents: list[Document], pdfs: list[Path]) -> None:
        from generator.app.preview import render_pages, write_pages
        from generator.checks.check import check_documents
        from generator.pipeline.writer import OutputLock

        workspace, out = pipeline.workspace, pipeline.out
        with OutputLock(out) as output:
            pictures = render_pages(pdfs, output)
            pages = {d.path: len(pictures.get(d.path.with_suffix(".pdf"), [])) for d in documents}
            result = check_documents(workspace, documents, pages)
            write_pages(workspace, out, documents, pictures, result, output)


def watch_paths(path: Path, out: Path) -> list[Path]:
    """The workspace root and any theme folder outside it (themes given by path)."""
    from generator.content.loader import load_workspace
    from generator.resources import default_templates_dir

    layout = locate(path)
    paths = [layout.root.resolve()]
    try:
        workspace = load_workspace(path)
    except PitchkitError:
        return paths
    packaged = default_templates_dir().resolve()
    for project in workspace.projects:
        folder = project.theme.folder
        if folder is None:
            continue
        folder = folder.resolve()
        if folder.is_relative_to(packaged) or any(folder.is_relative_to(p) for p in paths):
            continue
        paths.append(folder)
    return paths


def watch(
    path: Path,
    out: Path | None = None,
    pdf: bool = False,
    preview: bool = False,
    say: Say = print,
    stop: threading.Event | None = None,
) -> None:
    """Build, then rebuild on every change until ``stop`` is set (see the module contract)."""
    from watchfiles import DefaultFilter
    from watchfiles import watch as watch_changes

    from generator.pipeline.build import output_folder

    layout = locate(path)
    out_folder = output_folder(layout.root, out)
    watcher = Watcher(path, out, pdf, preview, say)
    try:
        say(f"building {layout.root} ...")
        watcher.rebuild(Target(path, None if layout.only_project is None else path.name))
        paths = watch_paths(path, out_folder)
        ignore = DefaultFilter(ignore_paths=[str(out_folder)])
        # What a build reads: the content, the workspace's templates, themes outside it. Other
        # files in the workspace (notes, logs, .git) do not start a rebuild.
        sources = [
            layout.content_dir.resolve(),
            (layout.root / "templates").resolve(),
            *paths[1:],
        ]

        def wanted(change: Any, name: str) -> bool:
            file = Path(name)
            # Hidden files: lock files (.~lock.x#, .pitchkit.lock) and editors' swap files.
            return (
                ignore(change, name)
                and not file.name.startswith(".")
                and any(file.resolve().is_relative_to(s) for s in sources)
            )

        started = False
        # yield_on_timeout: the first (empty) yield comes once the watcher is set up, so
        # "watching" is only said when a save can no longer be missed.
        for changes in watch_changes(
            *paths,
            watch_filter=wanted,
            stop_event=stop,
            raise_interrupt=False,
            rust_timeout=500,
            yield_on_timeout=True,
        ):
            if not started:
                started = True
                say(f"watching {', '.join(str(p) for p in paths)} for changes (Ctrl+C stops)")
            if not changes:
                continue
            changed = sorted({Path(name) for _, name in changes})
            shown = ", ".join(_relative(p, layout.root) for p in changed[:3])
            more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
            say(f"changed: {shown}{more}")
            try:
                targets = targets_for(changed, path)
            except PitchkitError as exc:
                say(f"error: {exc}")
                continue
            for target in targets:
                watcher.rebuild(target)
    finally:
        watcher.close()


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
