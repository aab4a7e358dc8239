"""Handouts on real Word templates (tests/data/templates/docx, see ATTRIBUTION.md).

Every project x audience of the example workspace (and of tests/data/workspaces/news when it is
there) is built with ``build`` on each template of the corpus, as a user would; then one
LibreOffice run renders every handout. Each must be one A4 page with no text off the page, no
text over another line and none over the template's artwork (its logo), and open in Office
without a repair prompt (the ECMA-376 schemas and Office's semantic rules, with the shared
checkers when they are installed beside the repository).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import os
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.oxml.ns import qn
from lxml import etree
from PIL import Image

from generator.export.pdf import export_pdfs, find_soffice
from generator.handout.builder import build_handout, neutralise_template, template_warnings
from generator.pipeline.build import build
from generator.resources import default_templates_dir
from generator.theme.themes import Theme, resolve_theme
from tests.conftest import EXAMPLE_CONTENT, REPO, ooxml_errors
from tests.handout.test_builder import handout

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

CORPUS = REPO / "tests" / "data" / "templates" / "docx"
NEWS = REPO / "tests" / "data" / "workspaces" / "news"
TEMPLATES = sorted(p for p in CORPUS.iterdir() if p.suffix in (".docx", ".dotx"))

needs_soffice = pytest.mark.skipif(find_soffice() is None, reason="LibreOffice is not installed")


@functools.cache
def _loads_templates() -> bool:
    """Whether pitchkit builds on a .dotx as it is (else the tests give it a .docx copy, as
    Word's "New from template" would make)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "dotx"
        folder.mkdir()
        shutil.copy(CORPUS / "harrisburg-dissertation.dotx", folder / "handout.dotx")
        try:
            build_handout(handout(), resolve_theme(str(folder), None, Path(tmp)), WHEN)
        except Exception:
            return False
    return True


def _as_docx(dotx: Path, target: Path) -> None:
    """A .dotx with the content type of a document: what Word's "New from template" makes."""
    with zipfile.ZipFile(dotx) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"template.main+xml", b"document.main+xml")
            zout.writestr(info, data)


def corpus_workspace(root: Path) -> Path:
    """The example projects (and the news projects), each once per corpus template."""
    content = root / "content"
    content.mkdir(parents=True)
    sources = [EXAMPLE_CONTENT]
    if NEWS.is_dir():
        sources.append(NEWS / "content")
    shutil.copy(EXAMPLE_CONTENT / "audiences.yaml", content / "audiences.yaml")
    for template in TEMPLATES:
        name = template.stem
        theme = root / "templates" / "themes" / name
        theme.mkdir(parents=True)
        if template.suffix == ".dotx" and not _loads_templates():
            _as_docx(template, theme / "handout.docx")
        else:
            shutil.copy(template, theme / f"handout{template.suffix}")
        for source in sources:
            for project in sorted(p.parent for p in source.glob("*/project.yaml")):
                target = content / f"{project.name}-{name}"
                shutil.copytree(project, target)
                yaml = target / "project.yaml"
                lines = [
                    f"theme: {name}" if line.startswith("theme:") else line
                    for line in yaml.read_text(encoding="utf-8").splitlines()
                ]
                if not any(line.startswith("theme:") for line in lines):
                    lines.insert(0, f"theme: {name}")
                yaml.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


@dataclass(frozen=True)
class Built:
    handouts: list[Path]
    pdfs: dict[Path, Path]
    warnings: list[str]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Build the corpus workspace (no PDFs: what a build without --pdf writes), then render every
    handout in one LibreOffice run."""
    root = corpus_workspace(tmp_path_factory.mktemp("corpus"))
    report = build(root, jobs=max(2, os.cpu_count() or 1))
    handouts = sorted((root / "output").glob("*/*-handout.docx"))
    rendered = root / "rendered"
    rendered.mkdir()
    copies = []
    for built in handouts:
        copy = rendered / built.name
        shutil.copy(built, copy)
        copies.append(copy)
    produced = export_pdfs(copies, timeout=900)
    pdfs = {h: produced[c] for h, c in zip(handouts, copies, strict=True)}
    return Built(handouts, pdfs, [w.message for w in report.warnings])


def _page_problems(pdf: Path) -> list[str]:
    """What a reader would see wrong on the rendered handout (the logic of the shared
    pdf_layout_check.py): pages, A4, text off the page, overlapping lines, text over a picture
    that is not a page background."""
    import pymupdf

    problems = []
    with pymupdf.open(pdf) as doc:
        if doc.page_count != 1:
            problems.append(f"{doc.page_count} pages")
        for number, page in enumerate(doc, start=1):
            box = page.rect
            if abs(box.width - 595.3) > 3 or abs(box.height - 841.9) > 3:
                problems.append(f"page {number}: {box.width:.0f}x{box.height:.0f} pt, not A4")
            lines = [
                (pymupdf.Rect(line["bbox"]), "".join(s["text"] for s in line["spans"]).strip())
                for block in page.get_text("dict")["blocks"]
                for line in block.get("lines", [])
            ]
            lines = [(r, t) for r, t in lines if t]
            # A glyph from a fallback font (CO₂'s subscript) comes out as a line of its own on
            # top of its word: only lines of more than two characters count as overlapping.
            words = [(r, t) for r, t in lines if len(t) > 2]
            for rect, text in lines:
                outside = (rect.x0 < box.x0 - 1, rect.y0 < box.y0 - 1)
                outside += (rect.x1 > box.x1 + 1, rect.y1 > box.y1 + 1)
                if any(outside):
                    problems.append(f"page {number}: text off the page: {text[:50]!r}")
            for info in page.get_image_info():
                picture = pymupdf.Rect(info["bbox"]) & box
                if picture.is_empty or picture.get_area() > 0.4 * box.get_area():
                    continue
                for rect, text in lines:
                    hit = rect & picture
                    if not hit.is_empty and hit.get_area() / (rect.get_area() or 1) > 0.25:
                        problems.append(f"page {number}: text over a picture: {text[:50]!r}")
            words.sort(key=lambda line: line[0].y0)
            for i, (a, ta) in enumerate(words):
                for b, tb in words[i + 1 :]:
                    if b.y0 >= a.y1:
                        break  # sorted by top: no later line reaches up into this one
                    overlap = a & b
                    smaller = min(a.get_area(), b.get_area()) or 1
                    if not overlap.is_empty and overlap.get_area() / smaller > 0.25:
                        problems.append(f"page {number}: overlapping: {ta[:30]!r} / {tb[:30]!r}")
    return problems


@needs_soffice
def test_every_handout_on_every_template_is_one_clean_a4_page(corpus: Built) -> None:
    assert len(corpus.handouts) >= 2 * 2 * len(TEMPLATES)
    problems = {h.name: _page_problems(pdf) for h, pdf in corpus.pdfs.items()}
    assert {name: p for name, p in problems.items() if p} == {}


@needs_soffice
def test_every_handout_on_every_template_opens_without_repair(
    corpus: Built, shared_tools: Path
) -> None:
    assert ooxml_errors(shared_tools, corpus.handouts)[:20] == []


@needs_soffice
def test_every_engagement_plan_on_every_template_opens_without_repair(
    corpus: Built, shared_tools: Path
) -> None:
    """The project lead's engagement plan is written on the same Word template as the handout."""
    plans = sorted({h.parent for h in corpus.handouts})
    plans = [folder / f"{folder.name}-engagement-plan.docx" for folder in plans]
    assert len(plans) >= 2 * len(TEMPLATES) and all(p.is_file() for p in plans)
    assert ooxml_errors(shared_tools, plans)[:20] == []


@needs_soffice
def test_what_fights_one_page_is_said_once_per_template(corpus: Built) -> None:
    said = [w for w in corpus.warnings if w.startswith("Word template:")]
    assert len(said) == len(set(said))
    cover = [w for w in said if "page break before" in w]
    assert len(cover) == 1 and "'Heading 1'" in cover[0] and "cover page" in cover[0]
    assert "table of contents" in cover[0]


# -- the template decides the page (no LibreOffice) -------------------------------------------

WHEN = dt.datetime(2027, 3, 11, 9, 0)


def _theme(tmp_path: Path, template: str, spec: str = "", logo: bool = False) -> Theme:
    """A theme folder with a corpus template (a .dotx as a .docx copy until .dotx loads) and
    ``spec`` as its theme.yaml."""
    folder = tmp_path / "themes" / Path(template).stem
    folder.mkdir(parents=True)
    source = CORPUS / template
    if source.suffix == ".dotx" and not _loads_templates():
        _as_docx(source, folder / "handout.docx")
    else:
        shutil.copy(source, folder / f"handout{source.suffix}")
    if logo:
        picture = folder / "logo.png"
        Image.new("RGB", (120, 40), (11, 83, 148)).save(picture)
        spec += "logo: logo.png\n"
    if spec:
        (folder / "theme.yaml").write_text(spec, encoding="utf-8")
    return resolve_theme(str(folder), None, tmp_path)


def _parts(data: bytes) -> dict[str, Any]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {
            n: etree.fromstring(z.read(n))
            for n in z.namelist()
            if n.startswith("word/") and n.endswith(".xml")
        }


def test_numbering_definitions_stay_in_schema_order(tmp_path: Path) -> None:
    """Office-made templates end numbering.xml with w:numIdMacAtCleanup: abstractNum, then
    num, then that (else the schema check fails)."""
    for template in ("phs-offstats-report.docx", "dfo-csas-fsar.docx"):
        data = build_handout(handout(), _theme(tmp_path / template, template), WHEN)
        tags = [etree.QName(el).localname for el in _parts(data)["word/numbering.xml"]]
        assert tags[-1] == "numIdMacAtCleanup", template
        assert tags.index("num") > max(i for i, t in enumerate(tags) if t == "abstractNum")
        assert max(i for i, t in enumerate(tags) if t == "num") < len(tags) - 1


def _drawing_ids(data: bytes) -> list[str]:
    parts = _parts(data)
    return [
        d.get("id")
        for name, root in parts.items()
        if name == "word/document.xml" or name.startswith(("word/header", "word/footer"))
        for d in root.iter(qn("wp:docPr"))
    ]


def test_drawing_ids_are_unique_over_body_headers_and_footers(tmp_path: Path) -> None:
    """A header logo and the body's QR code never share a wp:docPr id (Word's repair prompt):
    on the default handout with a theme logo, and on a letterhead with pictures in its header."""
    default = default_templates_dir() / "themes" / "default" / "handout.docx"
    folder = tmp_path / "logo"
    folder.mkdir()
    shutil.copy(default, folder / "handout.docx")
    Image.new("RGB", (120, 40), (11, 83, 148)).save(folder / "logo.png")
    (folder / "theme.yaml").write_text("logo: logo.png\n", encoding="utf-8")
    themes = [resolve_theme(str(folder), None, tmp_path)]
    themes += [_theme(tmp_path / t, t) for t in ("unhcr-report.docx", "phs-offstats-summary.docx")]
    for theme in themes:
        ids = _drawing_ids(build_handout(handout(), theme, WHEN))
        assert len(ids) >= 2 and len(ids) == len(set(ids)), (theme.handout_template, ids)


def test_the_template_decides_margins_and_heading_colours(tmp_path: Path) -> None:
    """UNHCR's 4.4 cm top margin (its logo lives above it) and PHS's own purple headings stay;
    pitchkit's boxes take that purple. theme.yaml's colours win only where it sets them."""
    unhcr = build_handout(handout(), _theme(tmp_path / "u", "unhcr-report.docx"), WHEN)
    margins = _parts(unhcr)["word/document.xml"].find(f".//{W}sectPr/{W}pgMar")
    assert margins.get(f"{W}top") == "2520" and margins.get(f"{W}header") == "835"
    phs = read(build_handout(handout(), _theme(tmp_path / "p", "phs-offstats-report.docx"), WHEN))
    assert str(phs.styles["Heading 1"].font.color.rgb) == "43358B"
    assert str(phs.styles["Heading 2"].font.color.rgb) == "43358B"
    runs = [r for p in phs.paragraphs for r in p.runs if r.font.color.rgb is not None]
    assert {str(r.font.color.rgb) for r in runs} == {"43358B"}  # the key message
    blue = _theme(tmp_path / "b", "phs-offstats-report.docx", 'colors:\n  primary: "#0B5394"\n')
    themed = read(build_handout(handout(), blue, WHEN))
    assert str(themed.styles["Heading 1"].font.color.rgb) == "0B5394"


def test_what_fights_one_page_is_neutralised_in_the_handouts_copy(tmp_path: Path) -> None:
    """Heading 1 with page break before, a cover page with its own (empty) first-page header, a
    table of contents: the handout's copy has none of them, and one warning names them."""
    theme = _theme(tmp_path, "phs-pagebreak-cover.docx")
    doc = read(build_handout(handout(), theme, WHEN))
    heading = doc.styles["Heading 1"].element
    assert heading.find(f"{W}pPr/{W}pageBreakBefore") is None
    assert doc.element.body.find(f"{W}sectPr/{W}titlePg") is None
    (said,) = template_warnings(theme.handout_template)
    for what in ("'Heading 1': page break before", "a cover page", "table of contents"):
        assert what in said
    source = Document(str(theme.handout_template))
    assert neutralise_template(source)  # the template file itself is never changed
    assert (
        Document(str(theme.handout_template))
        .styles["Heading 1"]
        .element.find(f"{W}pPr/{W}pageBreakBefore")
        is not None
    )
    report = _theme(tmp_path / "report", "phs-offstats-report.docx")
    (said,) = template_warnings(report.handout_template)
    assert "page numbers starting at a later page" in said  # PHS's report body starts at 3
    numbers = read(build_handout(handout(), report, WHEN)).element.body.find(
        f"{W}sectPr/{W}pgNumType"
    )
    assert numbers.get(f"{W}start") is None
    unhcr = _theme(tmp_path / "unhcr", "unhcr-report.docx")
    assert template_warnings(unhcr.handout_template) == []


def read(data: bytes) -> Any:
    return Document(io.BytesIO(data))
