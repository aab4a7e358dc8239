"""The floor: the documents pitchkit makes, written with plain python-pptx and python-docx calls.

Usage: ``python benchmarks/floor.py SPEC.json OUT [--jobs N]``.

Contract: builds every document described in SPEC.json (see ``benchmarks/spec.py``) on the same
theme templates, with the same slides, layouts, texts, tables, pictures, charts and speaker notes,
or the same handout paragraphs, styles, tables, pictures, header and footer, and saves them under
OUT, over N worker processes. It does no content loading, validation, templating, text fitting or
reproducible zipping: this is what the libraries cost, the least any generator can take.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
from pathlib import Path
from typing import Any

from docx import Document
from docx.shared import Emu
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.shapes import MSO_SHAPE
from pptx.util import Emu as PptxEmu

IMAGES = Path()
#: Enum members by their numbers as stored in the spec (the enums' constructors take more).
SHAPES = {int(member): member for member in MSO_SHAPE}
CHARTS = {int(member): member for member in XL_CHART_TYPE}


def _fill(frame: Any, paras: list[list[Any]]) -> None:
    frame.text = paras[0][0] if paras else ""
    frame.paragraphs[0].level = paras[0][1] if paras else 0
    for text, level in paras[1:]:
        p = frame.add_paragraph()
        p.text = text
        p.level = level


def build_deck(doc: dict[str, Any], out: Path) -> None:
    """One deck: a slide per described slide, on the layout of the same name."""
    deck = Presentation(doc["template"])
    layouts = {layout.name: layout for layout in deck.slide_layouts}
    for described in doc["slides"]:
        slide = deck.slides.add_slide(layouts.get(described["layout"], deck.slide_layouts[1]))
        placeholders = {p.placeholder_format.idx: p for p in slide.placeholders}
        for shape in described["shapes"]:
            kind = shape["t"]
            if kind == "ph":
                if shape["idx"] in placeholders:
                    _fill(placeholders[shape["idx"]].text_frame, shape["paras"])
                continue
            left, top, width, height = (PptxEmu(v) for v in shape["box"])
            if kind == "text":
                if shape["auto"] is not None:
                    box = slide.shapes.add_shape(SHAPES[shape["auto"]], left, top, width, height)
                else:
                    box = slide.shapes.add_textbox(left, top, width, height)
                _fill(box.text_frame, shape["paras"])
            elif kind == "pic":
                slide.shapes.add_picture(str(IMAGES / shape["img"]), left, top, width, height)
            elif kind == "table":
                rows = shape["rows"]
                table = slide.shapes.add_table(
                    len(rows), max(len(r) for r in rows), left, top, width, height
                ).table
                for r, row in enumerate(rows):
                    for c, text in enumerate(row):
                        table.cell(r, c).text = text
            elif kind == "chart":
                data = CategoryChartData()
                data.categories = shape["categories"]
                for name, values in shape["series"]:
                    data.add_series(name, values)
                slide.shapes.add_chart(CHARTS[shape["type"]], left, top, width, height, data)
        if described["notes"]:
            slide.notes_slide.notes_text_frame.text = described["notes"]
    deck.save(str(out))


def build_handout(doc: dict[str, Any], out: Path) -> None:
    """One handout: the described paragraphs, tables and pictures after the template's styles."""
    handout = Document(doc["template"])
    body = handout.element.body
    for child in list(body):
        if not child.tag.endswith("}sectPr"):
            body.remove(child)
    styles = {s.name for s in handout.styles}
    section = handout.sections[0]
    section.header.paragraphs[0].text = "\n".join(doc["header"])
    section.footer.paragraphs[0].text = "\n".join(doc["footer"])
    for block in doc["body"]:
        if block["t"] == "p":
            style = block["style"] if block["style"] in styles else None
            p = handout.add_paragraph(block["text"], style=style)
            for img, cx in block["pics"]:
                p.add_run().add_picture(str(IMAGES / img), width=Emu(cx))
            continue
        rows = block["rows"]
        table = handout.add_table(rows=len(rows), cols=max(len(r) for r in rows))
        if block["style"] in styles:
            table.style = block["style"]
        for r, row in enumerate(rows):
            for c, (text, pics) in enumerate(row):
                cell = table.cell(r, c)
                cell.text = text
                for img, cx in pics:
                    cell.paragraphs[0].add_run().add_picture(str(IMAGES / img), width=Emu(cx))
    handout.save(str(out))


def _build(job: tuple[dict[str, Any], str]) -> str:
    doc, target = job
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    (build_deck if doc["kind"] == "pptx" else build_handout)(doc, path)
    return target


def main(argv: list[str] | None = None) -> int:
    """Build everything in the spec; exit status 0."""
    global IMAGES
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    spec = json.loads(args.spec.read_text(encoding="utf-8"))
    IMAGES = Path(spec["images"])
    jobs = [(doc, str(args.out / doc["out"])) for doc in spec["documents"]]
    if args.jobs > 1 and len(jobs) > 1:
        with multiprocessing.Pool(args.jobs) as pool:
            done = pool.map(_build, jobs)
    else:
        done = [_build(job) for job in jobs]
    print(f"built {len(done)} documents", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
