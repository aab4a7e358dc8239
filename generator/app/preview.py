"""``pitchkit preview``: every slide and handout page as a picture, in one offline web page.

Contract: :func:`preview` builds the workspace with PDFs (LibreOffice, one process per document type
and language), turns every PDF page into a PNG with pdftoppm (``P/preview/<doc>-<n>.png``), checks
the documents (:func:`generator.checks.check.check_documents`) and writes ``P/index.html`` per
project (the audiences side by side, each with links to its files, the check's findings and every
page) and ``index.html`` (every project of the workspace). The pages need nothing from the network
(inline CSS, no scripts, a Content-Security-Policy that allows neither) and everything from content
is HTML-escaped by Jinja2's autoescape. :func:`render_pages` also serves ``pitchkit watch``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

from generator.checks.check import CheckResult, Finding, check_documents
from generator.content.loader import Workspace, locate
from generator.errors import PreviewError
from generator.pipeline.build import gets_pdf
from generator.pipeline.jobs import BuildReport, Document
from generator.pipeline.processes import work_folder
from generator.pipeline.writer import Folder, OutputLock

PREVIEW_DIR = "preview"
MANIFEST = "preview.json"
SLIDE_PIXELS = 960  # long side of a slide picture: sharp on a laptop, small enough for 25 slides
PAGE_PIXELS = 1100  # long side of a handout page picture: A4 text stays readable
PDFTOPPM_HINT = (
    "pdftoppm (poppler) is needed to turn the PDFs into pictures. On Debian or Ubuntu: "
    "'sudo apt-get install poppler-utils'; on macOS: 'brew install poppler'."
)

Progress = Callable[[str], None]


@dataclass
class PreviewResult:
    """What a preview wrote: the index pages, the pictures, the check and the build report."""

    index: Path
    pages: list[Path]
    pictures: int
    check: CheckResult
    report: BuildReport
    timings: dict[str, float] = field(default_factory=dict)


def preview(
    path: Path,
    out: Path | None = None,
    progress: Progress | None = None,
    expect: Callable[[int], None] | None = None,
) -> PreviewResult:
    """Build with PDFs, render every page and write the preview pages (see the module contract)."""
    import time

    from generator.pipeline.build import Pipeline, build

    say = progress or (lambda _message: None)
    timings: dict[str, float] = {}
    pipeline = Pipeline.load(path, out)  # once: the build and the check share it
    started = time.monotonic()
    report = build(path, out=out, pdf=True, progress=say, expect=expect, pipeline=pipeline)
    timings["build and PDF"] = time.monotonic() - started
    workspace, out = pipeline.workspace, pipeline.out
    with OutputLock(out) as output:  # the pictures and pages are written under the lock too
        started = time.monotonic()
        pictures = render_pages(report.pdfs, output, say)
        timings["pictures"] = time.monotonic() - started
        page_counts = {
            d.path: len(pictures.get(d.path.with_suffix(".pdf"), [])) for d in report.documents
        }
        result = check_documents(workspace, report.documents, page_counts)
        result.pages_checked = True
        pages = write_pages(workspace, out, report.documents, pictures, result, output)
    return PreviewResult(
        out / "index.html",
        pages,
        sum(len(p) for p in pictures.values()),
        result,
        report,
        timings,
    )


def find_pdftoppm() -> str | None:
    """The pdftoppm executable, or None."""
    return shutil.which("pdftoppm")


def render_pages(
    pdfs: Iterable[Path], output: Folder, say: Progress | None = None
) -> dict[Path, list[Path]]:
    """Render each PDF's pages to ``<pdf folder>/preview/<stem>-<n>.png``; return pdf -> PNGs.

    pdftoppm works in a private folder; the pictures are written through ``output`` (the
    output folder, under its lock). Old pictures of the same document are replaced, so a deck
    that lost a slide loses its picture. Slides (landscape) and pages (portrait) get their own
    size, see SLIDE_PIXELS and PAGE_PIXELS.
    """
    tool = find_pdftoppm()
    pdfs = list(pdfs)
    if not pdfs:
        return {}
    if tool is None:
        raise PreviewError(PDFTOPPM_HINT)
    made: dict[Path, list[Path]] = {}
    for pdf in pdfs:
        folder = pdf.parent / PREVIEW_DIR
        size = PAGE_PIXELS if pdf.stem.endswith("-handout") else SLIDE_PIXELS
        with work_folder("pitchkit-preview-") as work:
            try:
                subprocess.run(
                    [tool, "-png", "-scale-to", str(size), str(pdf), str(work / "p")],
                    check=True,
                    capture_output=True,
                    timeout=300,
                )
            except subprocess.CalledProcessError as exc:
                message = exc.stderr.decode(errors="replace").strip()
                raise PreviewError(f"pdftoppm could not read {pdf.name}: {message}") from None
            except subprocess.TimeoutExpired:
                raise PreviewError(f"pdftoppm took too long on {pdf.name}") from None
            rendered = sorted(work.glob("p-*.png"), key=_page_number)
            own = re.compile(re.escape(pdf.stem) + r"-\d+\.png")
            for name in output.names(folder):
                if own.fullmatch(name):
                    output.remove(folder / name)
            pictures = []
            for n, png in enumerate(rendered, 1):
                target = folder / f"{pdf.stem}-{n:02d}.png"
                output.write(target, png.read_bytes())
                pictures.append(target)
        made[pdf] = pictures
        if say is not None:
            say(f"pictured {pdf.name} ({len(pictures)} page(s))")
    return made


def glob_escape(text: str) -> str:
    """``text`` with glob wildcards escaped."""
    return re.sub(r"([*?\[])", r"[\1]", text)


def _page_number(path: Path) -> int:
    return int(path.stem.rsplit("-", 1)[1])


# -- the pages --------------------------------------------------------------------------------


def _load(name: str) -> str:
    return resources.files("generator.app").joinpath("preview_html", name).read_text("utf-8")


def _template(name: str) -> Any:
    """A page template (generator/app/preview_html/), HTML-escaping every value it prints."""
    from jinja2 import Environment, FunctionLoader, StrictUndefined

    env = Environment(
        loader=FunctionLoader(_load),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["url"] = lambda value: quote(str(value))
    return env.get_template(name)


def _slide_number(finding: Finding) -> int | None:
    found = re.match(r"slide (\d+)\b", finding.where or "")
    return int(found.group(1)) if found else None


def _finding_view(f: Finding) -> dict[str, Any]:
    return {
        "severity": f.severity,
        "document": f.document or "",
        "where": f.where or "",
        "field": f.field or "",
        "message": f.message,
        "hint": f.hint or "",
        "source": f.source or "",
    }


def write_pages(
    workspace: Workspace,
    out: Path,
    documents: Sequence[Document],
    pictures: Mapping[Path, list[Path]],
    result: CheckResult,
    output: Folder,
) -> list[Path]:
    """Write ``P/index.html`` per project built, then ``index.html``, through ``output`` (the
    output folder, under its lock); return the pages written."""
    from generator.checks.accessibility import slide_titles

    now = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    written: list[Path] = []
    by_project: dict[str, list[Document]] = {}
    for d in documents:
        by_project.setdefault(d.project, []).append(d)
    for project in workspace.projects:
        docs = by_project.get(project.slug)
        if not docs:
            continue
        # The project lead's engagement plan and calendar: links, no pages (no PDF is made).
        lead = [{"name": d.path.name, "suffix": d.path.suffix} for d in docs if not gets_pdf(d)]
        docs = [d for d in docs if gets_pdf(d)]
        folder = out / project.slug
        audiences = []
        for key in dict.fromkeys(d.audience for d in docs):
            audience = workspace.audience(project, key) if key in workspace.audiences else None
            view: dict[str, Any] = {
                "key": key,
                "name": audience.name if audience else key,
                "who": (audience.who if audience else None) or "",
                "files": [],
                "documents": [],
                "findings": [],
            }
            for d in (d for d in docs if d.audience == key):
                pdf = d.path.with_suffix(".pdf")
                view["files"].append({"name": d.path.name, "kind": d.kind, "suffix": d.path.suffix})
                if pdf.is_file():
                    view["files"].append({"name": pdf.name, "kind": d.kind, "suffix": ".pdf"})
                findings = [f for f in result.findings if f.document == d.path.name]
                view["findings"] += [_finding_view(f) for f in findings]
                titles = slide_titles(d.data) if d.path.suffix == ".pptx" else []
                pages = []
                for n, png in enumerate(pictures.get(pdf, []), 1):
                    title = titles[n - 1] if n - 1 < len(titles) else ""
                    marks = (
                        [_finding_view(f) for f in findings if _slide_number(f) == n]
                        if d.kind == "pitch"
                        else []
                    )
                    pages.append(
                        {
                            "n": n,
                            "src": f"{PREVIEW_DIR}/{png.name}",
                            "title": title,
                            "findings": marks,
                            "error": any(m["severity"] == "error" for m in marks),
                        }
                    )
                view["documents"].append({"kind": d.kind, "name": d.path.name, "pages": pages})
            view["errors"] = sum(1 for f in view["findings"] if f["severity"] == "error")
            view["warnings"] = len(view["findings"]) - view["errors"]
            audiences.append(view)
        content = project.content
        manifest = {
            "slug": project.slug,
            "title": content.project.title,
            "subtitle": content.project.subtitle or "",
            "municipality": content.project.municipality,
            "language": content.language,
            "audiences": [
                {
                    "name": a["name"],
                    "errors": a["errors"],
                    "warnings": a["warnings"],
                    "thumbnail": next(
                        (
                            f"{project.slug}/{doc['pages'][0]['src']}"
                            for doc in a["documents"]
                            if doc["kind"] == "pitch" and doc["pages"]
                        ),
                        "",
                    ),
                }
                for a in audiences
            ],
            "generated": now,
        }
        html = _template("preview_project.html.j2").render(
            project=manifest,
            audiences=audiences,
            lead=lead,
            generated=now,
            language=content.language,
        )
        output.write(folder / "index.html", html.encode("utf-8"))
        output.write(
            folder / PREVIEW_DIR / MANIFEST,
            json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"),
        )
        written.append(folder / "index.html")
    programme = [_finding_view(f) for f in result.findings if f.project == "programme"]
    written.append(write_index(workspace.root, out, now, output, programme))
    return written


def _programme(out: Path, findings: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The programme deck (every project side by side) as shown on the index, if it exists."""
    from generator.checks.accessibility import slide_titles

    deck = out / "programme.pptx"
    pictures = sorted((out / PREVIEW_DIR).glob("programme-*.png"))
    if not deck.is_file() or not pictures:
        return None
    titles = slide_titles(deck.read_bytes())
    files = [deck.name] + (["programme.pdf"] if (out / "programme.pdf").is_file() else [])
    return {
        "files": files,
        "findings": findings,
        "pages": [
            {
                "n": n,
                "src": f"{PREVIEW_DIR}/{png.name}",
                "title": titles[n - 1] if n - 1 < len(titles) else "",
            }
            for n, png in enumerate(pictures, 1)
        ],
    }


def write_index(
    root: Path,
    out: Path,
    now: str,
    output: Folder,
    programme_findings: list[dict[str, Any]] | None = None,
) -> Path:
    """``index.html``: every project of the workspace that has a preview (from its manifest),
    and the programme deck when there is one."""
    layout = locate(root)
    slugs = sorted(p.parent.name for p in layout.content_dir.glob("*/project.yaml"))
    projects = []
    for slug in slugs:
        manifest = out / slug / PREVIEW_DIR / MANIFEST
        try:
            projects.append(json.loads(manifest.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    html = _template("preview_index.html.j2").render(
        projects=projects,
        generated=now,
        programme=_programme(out, programme_findings or []),
    )
    output.write(out / "index.html", html.encode("utf-8"))
    return out / "index.html"
