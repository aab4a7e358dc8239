"""What pitchkit built, as a plain description, and the same content as Markdown for pandoc.

Contract: :func:`extract` reads every .pptx and .docx under a pitchkit output folder and writes
``spec.json`` (plus the pictures, once each) describing each document's size: per slide the
layout, the text of every text shape with its paragraph levels, tables, pictures, charts and the
speaker notes; per handout the paragraphs with their styles, tables, pictures, header and footer.
``benchmarks/floor.py`` rebuilds documents of the same size from it with plain python-pptx and
python-docx calls, and :func:`write_markdown` writes equivalent Markdown for pandoc, so all three
make the same documents with the same content.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from docx import Document as open_docx
from docx.table import Table
from docx.text.paragraph import Paragraph
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from workspace import REPO

THEME = REPO / "templates" / "themes" / "default"
_NS_PIC = "{http://schemas.openxmlformats.org/drawingml/2006/picture}pic"
_NS_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
_NS_R_EMBED = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed"


def _save_image(blob: bytes, ext: str, images: Path) -> str:
    name = hashlib.sha1(blob).hexdigest()[:16] + "." + ext
    path = images / name
    if not path.exists():
        path.write_bytes(blob)
    return name


def _paras(frame: Any) -> list[list[Any]]:
    return [[p.text, p.level] for p in frame.paragraphs]


def _box(shape: Any) -> list[int]:
    return [int(v or 0) for v in (shape.left, shape.top, shape.width, shape.height)]


def _shape(shape: Any, images: Path) -> dict[str, Any] | None:
    if shape.is_placeholder and shape.has_text_frame:
        return {"t": "ph", "idx": shape.placeholder_format.idx, "paras": _paras(shape.text_frame)}
    if shape.shape_type == MSO_SHAPE_TYPE.PICTURE:
        img = _save_image(shape.image.blob, shape.image.ext, images)
        return {"t": "pic", "img": img, "box": _box(shape)}
    if getattr(shape, "has_table", False) and shape.has_table:
        rows = [[cell.text for cell in row.cells] for row in shape.table.rows]
        return {"t": "table", "box": _box(shape), "rows": rows}
    if getattr(shape, "has_chart", False) and shape.has_chart:
        chart = shape.chart
        plot = chart.plots[0]
        return {
            "t": "chart",
            "type": int(chart.chart_type),
            "box": _box(shape),
            "categories": [str(c) for c in plot.categories],
            "series": [[s.name, [v or 0 for v in s.values]] for s in plot.series],
        }
    if shape.has_text_frame:
        auto = shape.shape_type == MSO_SHAPE_TYPE.AUTO_SHAPE
        return {
            "t": "text",
            "auto": int(shape.auto_shape_type) if auto else None,
            "box": _box(shape),
            "paras": _paras(shape.text_frame),
        }
    return None


def _deck(path: Path, images: Path, theme: Path) -> dict[str, Any]:
    deck = Presentation(str(path))
    slides = []
    for slide in deck.slides:
        shapes = [s for s in (_shape(sh, images) for sh in slide.shapes) if s is not None]
        notes = slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else ""
        slides.append({"layout": slide.slide_layout.name, "shapes": shapes, "notes": notes})
    return {"kind": "pptx", "template": str(theme / "deck.pptx"), "slides": slides}


def _pictures(element: Any, part: Any, images: Path) -> list[list[Any]]:
    found = []
    for pic in element.iter(_NS_PIC):
        blip = next(pic.iter(_NS_BLIP))
        image = part.related_parts[blip.get(_NS_R_EMBED)]
        ext = image.partname.ext
        extent = (
            pic.getparent()
            .getparent()
            .getparent()
            .find("{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}extent")
        )
        cx = int(extent.get("cx")) if extent is not None else 914400
        found.append([_save_image(image.blob, ext, images), cx])
    return found


def _handout(path: Path, images: Path, theme: Path) -> dict[str, Any]:
    doc = open_docx(str(path))
    part = doc.part
    body: list[dict[str, Any]] = []
    for element in doc.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            p = Paragraph(element, doc)
            body.append(
                {
                    "t": "p",
                    "style": p.style.name if p.style is not None else None,
                    "text": p.text,
                    "pics": _pictures(element, part, images),
                }
            )
        elif tag == "tbl":
            table = Table(element, doc)
            rows = [
                [[c.text, _pictures(c._tc, part, images)] for c in row.cells] for row in table.rows
            ]
            style = table.style.name if table.style is not None else None
            body.append({"t": "table", "style": style, "rows": rows})
    section = doc.sections[0]
    return {
        "kind": "docx",
        "template": str(theme / "handout.docx"),
        "header": [p.text for p in section.header.paragraphs],
        "footer": [p.text for p in section.footer.paragraphs],
        "body": body,
    }


def extract(out: Path, spec_dir: Path, theme: Path = THEME) -> Path:
    """Describe every document under ``out``; return the path of ``spec_dir/spec.json``.

    ``theme`` is the theme folder pitchkit built on; the floor uses its deck.pptx and handout.docx.
    """
    images = spec_dir / "images"
    images.mkdir(parents=True, exist_ok=True)
    documents = []
    for path in sorted(out.rglob("*.pptx")) + sorted(out.rglob("*.docx")):
        describe = _deck if path.suffix == ".pptx" else _handout
        doc = describe(path, images, theme)
        doc["out"] = str(path.relative_to(out))
        documents.append(doc)
    spec = spec_dir / "spec.json"
    spec.write_text(json.dumps({"images": str(images), "documents": documents}), encoding="utf-8")
    return spec


# --- Markdown for pandoc -------------------------------------------------------------------------

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|$^~])")


def _md(text: str) -> str:
    """Text as literal Markdown: special characters escaped, line breaks kept inside the block."""
    return _SPECIAL.sub(r"\\\1", text).replace("\n", " ").replace("\v", " ").strip()


def _md_table(rows: list[list[str]]) -> list[str]:
    if not rows:
        return []
    width = max(len(r) for r in rows)
    rows = [[*r, *[""] * (width - len(r))] for r in rows]
    head, *rest = rows
    lines = ["| " + " | ".join(_md(c) or " " for c in head) + " |"]
    lines.append("|" + "---|" * width)
    lines += ["| " + " | ".join(_md(c) for c in r) + " |" for r in rest]
    return [*lines, ""]


def _md_paras(paras: list[list[Any]]) -> list[str]:
    lines = [f"{'  ' * int(level)}- {_md(text)}" for text, level in paras if text.strip()]
    return [*lines, ""] if lines else []


def _deck_markdown(doc: dict[str, Any], images: Path) -> str:
    slides = doc["slides"]
    lines: list[str] = []
    for number, slide in enumerate(slides):
        texts = [s for s in slide["shapes"] if s["t"] == "ph"]
        title = texts[0]["paras"][0][0] if texts and texts[0]["paras"] else ""
        if number == 0:
            subtitle = " ".join(p[0] for s in texts[1:] for p in s["paras"])
            lines += ["---", f'title: "{_md(title)}"', f'subtitle: "{_md(subtitle)}"', "---", ""]
            continue
        heading = "#" if slide["layout"] == "Section Header" else "##"
        lines += [f"{heading} {_md(title)}", ""]
        pictures = [s for s in slide["shapes"] if s["t"] == "pic"]
        for shape in slide["shapes"]:
            if texts and shape is texts[0]:
                continue  # the title, already the heading
            if shape["t"] == "text" and pictures:
                continue  # a picture's caption: pandoc takes it from the image's text below
            if shape["t"] in ("ph", "text"):
                lines += _md_paras(shape["paras"])
            elif shape["t"] == "table":
                lines += _md_table(shape["rows"])
            elif shape["t"] == "chart":
                # pandoc has no native charts; the same figures go in as a table.
                rows = [["", *shape["categories"]]]
                rows += [[str(n), *(f"{v:g}" for v in vals)] for n, vals in shape["series"]]
                lines += _md_table(rows)
            elif shape["t"] == "pic":
                caption = " ".join(
                    p[0] for s in slide["shapes"] if s["t"] == "text" for p in s["paras"]
                )
                lines += [f"![{_md(caption)}]({images / shape['img']})", ""]
        if slide["notes"].strip():
            lines += ["::: notes", "", _md(slide["notes"]), "", ":::", ""]
    return "\n".join(lines) + "\n"


def _handout_markdown(doc: dict[str, Any], images: Path) -> str:
    def picture(img: str, cx: int) -> str:
        return f"![]({images / img}){{width={cx / 360000:.1f}cm}}"

    lines: list[str] = []
    for block in doc["body"]:
        if block["t"] == "p":
            style = block["style"] or ""
            text = _md(block["text"])
            pics = [picture(img, cx) for img, cx in block["pics"]]
            if style == "Title":
                lines += ["", f"# {text}", ""]
            elif style.startswith("Heading"):
                level = int(style.split()[-1]) + 1 if style.split()[-1].isdigit() else 2
                lines += ["", f"{'#' * level} {text}", ""]
            elif style.startswith("List"):
                lines += [f"- {text}"]
            elif text or pics:
                lines += ["", *pics, text, ""]
        else:
            rows = [[cell[0] for cell in row] for row in block["rows"]]
            lines += ["", *_md_table(rows)]
            for row in block["rows"]:
                for _text, pics in row:
                    lines += [picture(img, cx) for img, cx in pics]
    return "\n".join(lines) + "\n"


def write_markdown(spec_path: Path, md_dir: Path) -> list[tuple[Path, str]]:
    """Write one Markdown file per document; return (markdown file, output relative path)."""
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    images = Path(spec["images"])
    jobs = []
    for number, doc in enumerate(spec["documents"]):
        md = md_dir / f"{number:03d}.md"
        md.parent.mkdir(parents=True, exist_ok=True)
        write = _deck_markdown if doc["kind"] == "pptx" else _handout_markdown
        md.write_text(write(doc, images), encoding="utf-8")
        jobs.append((md, doc["out"]))
    return jobs
