"""Check rendered decks the way a reader sees them: LibreOffice PDF pages, read with PyMuPDF.

Contract: :func:`render_pdfs` converts .pptx files to PDF with one LibreOffice run;
:func:`layout_problems` returns, per deck, every text line that leaves the slide, overlaps another
text line, or lies outside the box of the shape whose text it is (matched by text), each naming
the slide and the text. An empty list is a deck where nothing overflows.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pymupdf
from pptx import Presentation
from pptx.util import Emu

EMU_PER_PT = 12700
CHART = "\x00chart"  # a chart's own labels: they only have to stay inside the chart
TOLERANCE = 2.0  # points; anti-aliasing and rounding between LibreOffice and our boxes


@dataclass(frozen=True)
class Line:
    """One rendered text line: its box in points and its text."""

    bbox: tuple[float, float, float, float]
    text: str


def render_pdfs(pptx_files: list[Path], out: Path) -> dict[Path, Path]:
    """Convert every file in one LibreOffice run; return source -> PDF."""
    from generator.export.pdf import find_soffice

    soffice = find_soffice()
    assert soffice is not None, "LibreOffice is not installed"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                str(soffice),
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out),
                *map(str, pptx_files),
            ],
            check=True,
            capture_output=True,
            timeout=600,
        )
    return {p: out / (p.stem + ".pdf") for p in pptx_files}


def pdf_lines(pdf: Path) -> list[tuple[tuple[float, float], list[Line]]]:
    """Per page: its size in points and its horizontal text lines.

    A line's box is that of its visible characters: the trailing space LibreOffice keeps at a
    wrap is not part of what a reader sees. Rotated lines (chart axis labels) are left out.
    """
    pages = []
    with pymupdf.open(pdf) as doc:
        for page in doc:
            lines = []
            for block in page.get_text("rawdict")["blocks"]:
                for line in block.get("lines", []):
                    if abs(line["dir"][1]) > 1e-3:
                        continue
                    chars = [c for span in line["spans"] for c in span["chars"]]
                    visible = [c for c in chars if not c["c"].isspace()]
                    text = "".join(c["c"] for c in chars).strip()
                    if not visible or not text.strip("•–- "):
                        continue
                    box = (
                        min(c["bbox"][0] for c in visible),
                        min(c["bbox"][1] for c in visible),
                        max(c["bbox"][2] for c in visible),
                        max(c["bbox"][3] for c in visible),
                    )
                    lines.append(Line(box, text))
            pages.append(((page.rect.width, page.rect.height), lines))
    return pages


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text).casefold().lstrip("•–")


def _shape_boxes(pptx: Path) -> list[list[tuple[tuple[float, float, float, float], str, bool]]]:
    """Per slide: (box in points, normalised text, is a table) of every shape with text."""
    prs = Presentation(str(pptx))
    slides = []
    for slide in prs.slides:
        boxes = []
        for shape in _flatten(slide.shapes):
            if shape.left is None or shape.width is None:
                continue
            box = tuple(
                float(Emu(v)) / EMU_PER_PT
                for v in (shape.left, shape.top, shape.left + shape.width, shape.top + shape.height)
            )
            if shape.has_text_frame and shape.text_frame.text.strip():
                boxes.append((box, _norm(shape.text_frame.text), False))
            elif getattr(shape, "has_table", False) and shape.has_table:
                text = "".join(c.text for row in shape.table.rows for c in row.cells)
                boxes.append((box, _norm(text), True))
            elif getattr(shape, "has_chart", False) and shape.has_chart:
                boxes.append((box, CHART, False))
        slides.append(boxes)
    return slides


def _flatten(shapes):  # type: ignore[no-untyped-def]
    for shape in shapes:
        if shape.shape_type == 6:  # group
            yield from _flatten(shape.shapes)
        else:
            yield shape


def _inside(inner: tuple[float, ...], outer: tuple[float, ...], tol: float) -> bool:
    return (
        inner[0] >= outer[0] - tol
        and inner[1] >= outer[1] - tol
        and inner[2] <= outer[2] + tol
        and inner[3] <= outer[3] + tol
    )


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    # Glyph boxes include the font's ascent and descent, which reach into the neighbouring
    # line at single spacing: compare the middle 60 % of each line's height.
    def core(r: tuple[float, ...]) -> tuple[float, float, float, float]:
        h = r[3] - r[1]
        return (r[0] + 0.5, r[1] + 0.2 * h, r[2] - 0.5, r[3] - 0.2 * h)

    a, b = core(a), core(b)
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


SUBSCRIPTS = set("₀₁₂₃₄₅₆₇₈₉⁰¹²³⁴⁵⁶⁷⁸⁹")


def _subscript(text: str) -> bool:
    """A line of only sub- or superscript digits (the ₂ of CO₂ drawn from a fallback font, which
    PyMuPDF reads as a line of its own inside the gap it leaves in its own line)."""
    return bool(text.strip()) and set(text.strip()) <= SUBSCRIPTS


def layout_problems(pptx: Path, pdf: Path) -> list[str]:
    """Every text line that leaves the slide, overlaps another, or leaves its own shape's box."""
    problems = []
    shapes = _shape_boxes(pptx)
    pages = pdf_lines(pdf)
    if len(pages) != len(shapes):
        problems.append(f"{pdf.name}: {len(pages)} pages for {len(shapes)} slides")
    for n, ((width, height), lines) in enumerate(pages, 1):
        slide_shapes = shapes[n - 1] if n - 1 < len(shapes) else []
        for line in lines:
            x0, y0, x1, y1 = line.bbox
            if x0 < -TOLERANCE or y0 < -TOLERANCE or x1 > width + TOLERANCE or y1 > height + 1:
                problems.append(f"slide {n}: off the slide: '{line.text}' {line.bbox}")
            in_chart = any(
                _inside(line.bbox, box, TOLERANCE) for box, text, _ in slide_shapes if text == CHART
            )
            candidates = [s for s in slide_shapes if _norm(line.text) in s[1]]
            if (
                candidates
                and not in_chart
                and not any(
                    _inside(line.bbox, box, TOLERANCE + (4 if table else 0))
                    for box, _, table in candidates
                )
            ):
                problems.append(f"slide {n}: outside its box: '{line.text}' {line.bbox}")
        for i, a in enumerate(lines):
            for b in lines[i + 1 :]:
                if _overlap(a.bbox, b.bbox) and not (_subscript(a.text) or _subscript(b.text)):
                    problems.append(f"slide {n}: lines overlap: '{a.text}' / '{b.text}'")
    return problems
