"""Build the one-page handout (.docx) from a Handout tree on the theme's Word template.

Contract: :func:`build_handout` returns the bytes of an A4 document using the template's styles
(real headings: Title, Heading 1, Heading 2), with the language set as the document default and on
every run, alt text on every picture, table header rows marked, and a QR code to ``qr_url``.
``density`` sets body size and spacing, and ``leave_out`` names sections to skip: the one-page fit
(:mod:`generator.handout_fit`) steps these until the page is full but not over.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import segno
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph as DocxParagraph

from .doctree import Handout, Item, Section, Step, Table
from .inline import plain, runs
from .themes import Theme


@dataclass(frozen=True)
class Density:
    """Body font size and paragraph spacing; the fit steps down from the first to the last."""

    body_pt: float = 10.5
    space_after_pt: float = 4.0
    heading_pt: float = 12.0
    title_pt: float = 22.0


DENSITIES = (
    Density(10.5, 4.0, 12.0, 22.0),
    Density(10.0, 3.0, 11.5, 20.0),
    Density(9.5, 2.0, 11.0, 18.0),
    Density(9.0, 1.0, 10.5, 16.0),
)


def build_handout(
    handout: Handout,
    theme: Theme,
    created: dt.datetime,
    density: Density = DENSITIES[0],
    leave_out: Iterable[str] = (),
) -> bytes:
    """Write the handout (see the module contract) and return its bytes."""
    doc = Document(str(theme.handout_template))
    _clear_body(doc)
    _page_setup(doc)
    colors = theme.spec.colors
    primary = RGBColor.from_string(colors.primary.lstrip("#").upper())
    accent = RGBColor.from_string(colors.accent.lstrip("#").upper())
    _style_fonts(doc, theme, density, primary)
    _header(doc, handout, theme, primary)

    doc.add_paragraph(plain(handout.title), style="Title")
    if handout.subtitle:
        _para(doc, handout.subtitle, style="Subtitle")
    _para(doc, handout.headline, style="Heading 1")
    key = _para(doc, f"**{handout.key_message}**", size=density.body_pt + 1.5, color=primary)
    _shade(key, colors.primary, light=True)

    skipped = set(leave_out)
    for section in handout.sections:
        if section.key in skipped:
            continue
        if section.key == "contact":
            _contact(doc, section, handout, density)
        else:
            _section(doc, section, density, primary, accent)
    _footer(doc, handout)
    _set_language(doc, handout.language)

    props = doc.core_properties
    props.title = plain(handout.title)
    props.subject = plain(handout.key_message)
    props.author = handout.municipality
    props.last_modified_by = handout.municipality
    props.language = handout.language
    props.created = created
    props.modified = created
    props.last_printed = created
    props.revision = 1
    props.comments = ""
    props.keywords = ""
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# -- page and styles --------------------------------------------------------------------------


def _clear_body(doc: Any) -> None:
    """Remove the template's own body text; keep the final section properties."""
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


def _page_setup(doc: Any) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        if getattr(section, side) is None or getattr(section, side) > Cm(2.5):
            setattr(section, side, Cm(2.0))
    if section.top_margin is None or section.top_margin > Cm(2.5):
        section.top_margin = Cm(2.0)
    if section.bottom_margin is None or section.bottom_margin > Cm(2.5):
        section.bottom_margin = Cm(2.0)


def _style_fonts(doc: Any, theme: Theme, density: Density, primary: RGBColor) -> None:
    styles = doc.styles
    normal = styles["Normal"]
    normal.font.size = Pt(density.body_pt)
    normal.paragraph_format.space_after = Pt(density.space_after_pt)
    normal.paragraph_format.space_before = Pt(0)
    if theme.spec.fonts.body:
        normal.font.name = theme.spec.fonts.body
    for name, size in (
        ("Title", density.title_pt),
        ("Heading 1", density.heading_pt + 2),
        ("Heading 2", density.heading_pt),
    ):
        try:
            style = styles[name]
        except KeyError:
            continue
        style.font.size = Pt(size)
        style.font.color.rgb = primary
        style.paragraph_format.space_before = Pt(density.space_after_pt * 2)
        style.paragraph_format.space_after = Pt(density.space_after_pt / 2)
        style.paragraph_format.keep_with_next = True
        if theme.spec.fonts.heading:
            style.font.name = theme.spec.fonts.heading
    for name in ("List Bullet", "Subtitle"):
        with contextlib.suppress(KeyError):
            styles[name].paragraph_format.space_after = Pt(density.space_after_pt / 2)


def _header(doc: Any, handout: Handout, theme: Theme, primary: RGBColor) -> None:
    header = doc.sections[0].header
    header.is_linked_to_previous = False
    p = header.paragraphs[0] if header.paragraphs else header.add_paragraph()
    for r in list(p.runs):
        r._element.getparent().remove(r._element)
    if theme.logo is not None:
        run = p.add_run()
        pic = run.add_picture(str(theme.logo), height=Cm(1.2))
        _alt(pic, f"Logo {plain(handout.municipality)}")
        p.add_run("  ")
    run = p.add_run(plain(handout.municipality))
    run.bold = True
    run.font.color.rgb = primary


def _footer(doc: Any, handout: Handout) -> None:
    footer = doc.sections[0].footer
    footer.is_linked_to_previous = False
    p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    p.text = plain(handout.footer or "")
    for r in p.runs:
        r.font.size = Pt(8)


# -- content ----------------------------------------------------------------------------------


def _para(
    doc: Any,
    text: str,
    style: str | None = None,
    size: float | None = None,
    color: RGBColor | None = None,
    container: Any = None,
) -> DocxParagraph:
    target = container if container is not None else doc
    p = target.add_paragraph(style=style) if style else target.add_paragraph()
    _add_runs(p, text, size, color)
    return p


def _add_runs(
    p: DocxParagraph, text: str, size: float | None = None, color: RGBColor | None = None
) -> None:
    for piece in runs(text):
        if piece.href:
            _hyperlink(p, piece.text, piece.href)
            continue
        run = p.add_run(piece.text)
        run.bold = piece.bold or None
        run.italic = piece.italic or None
        if size:
            run.font.size = Pt(size)
        if color is not None:
            run.font.color.rgb = color


def _hyperlink(p: DocxParagraph, text: str, url: str) -> None:
    """A real hyperlink (clickable in the PDF, link text saying where it goes)."""
    r_id = p.part.relate_to(
        url,
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink",
        is_external=True,
    )
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), r_id)
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    style = OxmlElement("w:rStyle")
    style.set(qn("w:val"), "Hyperlink")
    rpr.append(style)
    color = OxmlElement("w:color")
    color.set(qn("w:val"), "0563C1")
    rpr.append(color)
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    rpr.append(underline)
    run.append(rpr)
    t = OxmlElement("w:t")
    t.text = text
    t.set(qn("xml:space"), "preserve")
    run.append(t)
    link.append(run)
    p._p.append(link)


def _shade(p: DocxParagraph, hex_color: str, light: bool = False) -> None:
    """A tinted background and left border, for the key message box."""
    ppr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    left = OxmlElement("w:left")
    left.set(qn("w:val"), "single")
    left.set(qn("w:sz"), "24")
    left.set(qn("w:space"), "8")
    left.set(qn("w:color"), hex_color.lstrip("#").upper())
    borders.append(left)
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), _tint(hex_color) if light else hex_color.lstrip("#").upper())
    # Schema order inside pPr: pStyle, keepNext, ..., pBdr, shd, ..., spacing, ind, ..., jc
    _insert_ppr_child(ppr, borders)
    _insert_ppr_child(ppr, shd)


_PPR_ORDER = [
    "pStyle",
    "keepNext",
    "keepLines",
    "pageBreakBefore",
    "framePr",
    "widowControl",
    "numPr",
    "suppressLineNumbers",
    "pBdr",
    "shd",
    "tabs",
    "suppressAutoHyphens",
    "kinsoku",
    "wordWrap",
    "overflowPunct",
    "topLinePunct",
    "autoSpaceDE",
    "autoSpaceDN",
    "bidi",
    "adjustRightInd",
    "snapToGrid",
    "spacing",
    "ind",
    "contextualSpacing",
    "mirrorIndents",
    "suppressOverlap",
    "jc",
    "textDirection",
    "textAlignment",
    "textboxTightWrap",
    "outlineLvl",
    "divId",
    "cnfStyle",
    "rPr",
    "sectPr",
    "pPrChange",
]


def _insert_ppr_child(ppr: Any, child: Any) -> None:
    name = child.tag.split("}")[1]
    rank = _PPR_ORDER.index(name)
    for i, existing in enumerate(ppr):
        other = existing.tag.split("}")[1]
        if other in _PPR_ORDER and _PPR_ORDER.index(other) > rank:
            ppr.insert(i, child)
            return
    ppr.append(child)


def _tint(hex_color: str, amount: float = 0.88) -> str:
    value = hex_color.lstrip("#")
    rgb = [int(value[i : i + 2], 16) for i in (0, 2, 4)]
    return "".join(f"{int(c + (255 - c) * amount):02X}" for c in rgb)


def _section(
    doc: Any, section: Section, density: Density, primary: RGBColor, accent: RGBColor
) -> None:
    if section.heading:
        doc.add_paragraph(plain(section.heading), style="Heading 2")
    for text in section.paragraphs:
        if text:
            _para(doc, text)
    _items(doc, section.items)
    if section.table is not None:
        _table(doc, section.table, density, primary)
    if section.steps:
        _steps(doc, section.steps, density, primary, accent)


def _items(doc: Any, items: list[Item], container: Any = None) -> None:
    for item in items:
        style = "List Bullet 2" if item.level else "List Bullet"
        try:
            _para(doc, item.text, style=style, container=container)
        except KeyError:
            _para(doc, "• " + item.text, container=container)


def _table(doc: Any, table: Table, density: Density, primary: RGBColor) -> None:
    rows = [table.header, *table.rows]
    t = doc.add_table(rows=len(rows), cols=len(table.header))
    _table_style(t)
    for r, row in enumerate(rows):
        for c in range(len(table.header)):
            cell = t.cell(r, c)
            cell.text = ""
            p = cell.paragraphs[0]
            p.paragraph_format.space_after = Pt(0)
            text = row[c] if c < len(row) else ""
            _add_runs(
                p,
                f"**{text}**" if (r == 0 or c == 0) and text else text,
                density.body_pt - 0.5,
                primary if r == 0 else None,
            )
            if c in table.numeric:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _mark_header_row(t)


def _table_style(t: Any) -> None:
    with contextlib.suppress(KeyError, ValueError):
        t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.LEFT


def _mark_header_row(t: Any) -> None:
    """Mark the first row as a header row (repeats, and is tagged TH in the PDF)."""
    tr = t.rows[0]._tr
    trpr = tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    trpr.append(header)


def _steps(
    doc: Any, steps: list[Step], density: Density, primary: RGBColor, accent: RGBColor
) -> None:
    """A timeline strip: one column per milestone, when above, what below; done marked."""
    shown = steps[:6]
    t = doc.add_table(rows=2, cols=len(shown))
    _table_style(t)
    for c, step in enumerate(shown):
        top = t.cell(0, c).paragraphs[0]
        top.paragraph_format.space_after = Pt(0)
        run = top.add_run(("✓ " if step.done else "") + plain(step.when))
        run.bold = True
        run.font.size = Pt(density.body_pt - 0.5)
        run.font.color.rgb = accent if step.done else primary
        below = t.cell(1, c).paragraphs[0]
        below.paragraph_format.space_after = Pt(0)
        _add_runs(below, step.text, density.body_pt - 1)
    _mark_header_row(t)


def _contact(doc: Any, section: Section, handout: Handout, density: Density) -> None:
    if section.heading:
        doc.add_paragraph(plain(section.heading), style="Heading 2")
    if not handout.qr_url:
        for text in section.paragraphs:
            if text:
                _para(doc, text)
        return
    t = doc.add_table(rows=1, cols=2)
    t.autofit = False
    left, right = t.cell(0, 0), t.cell(0, 1)
    left.width, right.width = Cm(13.0), Cm(3.0)
    first = True
    for text in section.paragraphs:
        if not text:
            continue
        p = left.paragraphs[0] if first else left.add_paragraph()
        first = False
        _add_runs(p, text)
    qr = segno.make(handout.qr_url, error="m")
    png = io.BytesIO()
    qr.save(png, kind="png", scale=8, border=2)
    png.seek(0)
    p = right.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    pic = p.add_run().add_picture(png, width=Cm(2.6))
    _alt(pic, f"QR-code: {handout.qr_url}")
    _layout_table(t)


def _layout_table(t: Any) -> None:
    """Mark a table as layout-only (no borders, not a data table)."""
    tblpr = t._tbl.tblPr
    look = OxmlElement("w:tblLook")
    look.set(qn("w:val"), "0000")
    look.set(qn("w:firstRow"), "0")
    look.set(qn("w:lastRow"), "0")
    look.set(qn("w:firstColumn"), "0")
    look.set(qn("w:lastColumn"), "0")
    look.set(qn("w:noHBand"), "1")
    look.set(qn("w:noVBand"), "1")
    for old in tblpr.findall(qn("w:tblLook")):
        tblpr.remove(old)
    tblpr.append(look)


def _alt(inline_shape: Any, text: str) -> None:
    """python-docx writes pictures without a description: set it for screen readers and PDF tags."""
    doc_pr = inline_shape._inline.docPr
    doc_pr.set("descr", plain(text))
    doc_pr.set("title", plain(text)[:60])


def _set_language(doc: Any, tag: str) -> None:
    """The document default language and the language of every run."""
    styles_root = doc.styles.element
    rpr_default = styles_root.find(
        qn("w:docDefaults") + "/" + qn("w:rPrDefault") + "/" + qn("w:rPr")
    )
    if rpr_default is not None:
        lang = rpr_default.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr_default.append(lang)
        lang.set(qn("w:val"), tag)
    parts = [doc.element.body]
    for section in doc.sections:
        parts += [section.header._element, section.footer._element]
    for root in parts:
        for r in root.iter(qn("w:r")):
            rpr = r.find(qn("w:rPr"))
            if rpr is None:
                rpr = OxmlElement("w:rPr")
                r.insert(0, rpr)
            lang = rpr.find(qn("w:lang"))
            if lang is None:
                lang = OxmlElement("w:lang")
                rpr.append(lang)
            lang.set(qn("w:val"), tag)
