"""Build a .pptx from a Deck tree on the theme's own PowerPoint template.

Contract: :func:`build_deck` returns the bytes of a presentation with one slide per tree slide
(plus numbered continuation slides where a list does not fit), every text set in an explicit size
measured to fit its box, speaker notes on every slide, alt text on every picture and chart, and the
language tag on every run. It reads nothing but the tree, the theme and the pictures the tree names.
One builder function per slide kind (:data:`SLIDE_BUILDERS`).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Pt

from . import images
from .doctree import Deck, Item, Slide
from .fit import Paragraph, fit_size
from .inline import plain, runs
from .layouts import LayoutChoice, content_area, match_layouts, open_template, remove_all_slides
from .themes import Theme

TITLE_MAX, TITLE_MIN = 36.0, 20.0
BODY_MAX, BODY_MIN = 24.0, 14.0
NOTE_WARN = "text shortened"


@dataclass
class DeckContext:
    """What slide builder functions share while one deck is built."""

    prs: Any
    theme: Theme
    language: str
    layouts: dict[str, LayoutChoice]
    body_font: str | None
    heading_font: str | None
    warnings: list[str] = field(default_factory=list)

    def rgb(self, name: str) -> RGBColor:
        """A theme colour by name (primary, accent, text, background)."""
        return RGBColor.from_string(getattr(self.theme.spec.colors, name).lstrip("#").upper())


def build_deck(deck: Deck, theme: Theme, created: dt.datetime) -> tuple[bytes, list[str]]:
    """Write the deck (see the module contract); return its bytes and fit warnings."""
    prs = open_template(theme.deck_template)
    remove_all_slides(prs)
    ctx = DeckContext(
        prs=prs,
        theme=theme,
        language=deck.language,
        layouts=match_layouts(prs, theme.spec.layouts),
        body_font=theme.spec.fonts.body or _theme_font(prs, "minor"),
        heading_font=theme.spec.fonts.heading or _theme_font(prs, "major"),
    )
    for slide in deck.slides:
        SLIDE_BUILDERS[slide.kind](ctx, slide)
    _set_language(prs, deck.language)
    props = prs.core_properties
    props.title = deck.title
    props.subject = deck.subject or ""
    props.author = deck.author
    props.last_modified_by = deck.author
    props.language = deck.language
    props.keywords = ""
    props.comments = ""
    props.category = ""
    props.revision = 1
    props.created = created
    props.modified = created
    props.last_printed = created
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue(), ctx.warnings


# -- shared helpers ---------------------------------------------------------------------------


def _theme_font(prs: Any, which: str) -> str | None:
    """The template's theme font (major = headings, minor = body), e.g. 'Calibri'."""
    master = prs.slide_masters[0]
    for rel in master.part.rels.values():
        if rel.reltype.endswith("/theme"):
            root = etree.fromstring(rel.target_part.blob)
            ns = {"a": "http://schemas.openxmlformats.org/drawingml/2006/main"}
            found = root.find(f".//a:fontScheme/a:{which}Font/a:latin", ns)
            if found is not None:
                return found.get("typeface") or None
    return None


def _new_slide(ctx: DeckContext, kind: str, slide: Slide, title: str) -> Any:
    layout = ctx.layouts[kind].layout
    new = ctx.prs.slides.add_slide(layout)
    if new.shapes.title is not None:
        _fill_title(ctx, new.shapes.title, title)
    else:
        box = _title_box(ctx, new)
        tb = new.shapes.add_textbox(*box)
        tb.name = "Title"
        _fill_title(ctx, tb, title)
    new.notes_slide.notes_text_frame.text = slide.notes
    return new


def _title_box(ctx: DeckContext, slide: Any) -> tuple[int, int, int, int]:
    width, height = ctx.prs.slide_width, ctx.prs.slide_height
    return int(width * 0.06), int(height * 0.05), int(width * 0.88), int(height * 0.15)


def _fill_title(ctx: DeckContext, shape: Any, text: str) -> None:
    shown = plain(text)
    tf = shape.text_frame
    tf.word_wrap = True
    tf.auto_size = MSO_AUTO_SIZE.NONE
    size = fit_size(
        [Paragraph(shown, bold=False)],
        ctx.heading_font,
        shape.width,
        shape.height,
        TITLE_MAX,
        TITLE_MIN,
    )
    if size is None:
        size = TITLE_MIN
        while (
            len(shown) > 20
            and fit_size(
                [Paragraph(shown + "…")], ctx.heading_font, shape.width, shape.height, size, size
            )
            is None
        ):
            shown = shown[: max(20, int(len(shown) * 0.9))].rsplit(" ", 1)[0]
        shown += "…"
        ctx.warnings.append(f"slide title shortened to fit: '{shown}'")
    tf.text = shown
    for p in tf.paragraphs:
        for r in p.runs:
            r.font.size = Pt(size)
            if ctx.theme.spec.fonts.heading:
                r.font.name = ctx.theme.spec.fonts.heading


def _remove_unused_placeholders(slide: Any, keep: Sequence[Any]) -> None:
    keep_ids = {id(s._element) for s in keep}
    for ph in list(slide.placeholders):
        if id(ph._element) not in keep_ids and ph.placeholder_format.type is not None:
            if ph == slide.shapes.title:
                continue
            ph._element.getparent().remove(ph._element)


def _body_placeholders(slide: Any) -> list[Any]:
    """Body/object placeholders of a slide, left to right then top to bottom."""
    title = slide.shapes.title
    found = []
    for ph in slide.placeholders:
        if title is not None and ph.shape_id == title.shape_id:
            continue
        kind = str(ph.placeholder_format.type)
        if any(k in kind for k in ("BODY", "OBJECT", "SUBTITLE")):
            found.append(ph)
    return sorted(found, key=lambda s: (s.left or 0, s.top or 0))


def _item_paragraphs(items: Sequence[Item]) -> list[Paragraph]:
    return [
        Paragraph(plain(i.text), bold=False, scale=0.85 if i.level else 1.0, indent_pt=24 * i.level)
        for i in items
    ]


def _write_items(
    ctx: DeckContext,
    shape: Any,
    items: Sequence[Item],
    size: float,
    heading: str | None = None,
    bullets: bool = True,
) -> None:
    tf = shape.text_frame
    tf.word_wrap = True
    tf.auto_size = MSO_AUTO_SIZE.NONE
    tf.clear()
    first = True
    if heading:
        p = tf.paragraphs[0]
        _add_runs(ctx, p, f"**{heading}**", size)
        _no_bullet(p)
        first = False
    for item in items:
        p = tf.paragraphs[0] if first else tf.add_paragraph()
        first = False
        p.level = item.level
        _add_runs(ctx, p, item.text, size * (0.85 if item.level else 1.0))
        if not bullets:
            _no_bullet(p)


def _no_bullet(paragraph: Any) -> None:
    pPr = paragraph._p.get_or_add_pPr()
    pPr.set("marL", "0")
    pPr.set("indent", "0")
    for old in pPr.findall(qn("a:buNone")):
        pPr.remove(old)
    etree.SubElement(pPr, qn("a:buNone"))


def _add_runs(
    ctx: DeckContext, paragraph: Any, text: str, size: float, color: str | None = None
) -> None:
    for piece in runs(text) or ():
        run = paragraph.add_run()
        run.text = piece.text
        run.font.size = Pt(size)
        if piece.bold:
            run.font.bold = True
        if piece.italic:
            run.font.italic = True
        if ctx.theme.spec.fonts.body:
            run.font.name = ctx.theme.spec.fonts.body
        if color:
            run.font.color.rgb = ctx.rgb(color)
        if piece.href:
            run.hyperlink.address = piece.href


def _textbox(
    ctx: DeckContext,
    slide: Any,
    box: tuple[int, int, int, int],
    text: str,
    size: float,
    bold: bool = False,
    color: str | None = None,
    align: Any = None,
) -> Any:
    tb = slide.shapes.add_textbox(*[Emu(v) for v in box])
    tf = tb.text_frame
    tf.word_wrap = True
    tf.auto_size = MSO_AUTO_SIZE.NONE
    p = tf.paragraphs[0]
    _add_runs(ctx, p, f"**{text}**" if bold and text else text, size, color)
    if align is not None:
        p.alignment = align
    return tb


def _fits_or_split(
    ctx: DeckContext, items: Sequence[Item], width: int, height: int
) -> tuple[float, list[list[Item]]]:
    """A size at which the items fit, or the items split into pages that fit at BODY_MIN+2."""
    size = fit_size(_item_paragraphs(items), ctx.body_font, width, height, BODY_MAX, BODY_MIN)
    if size is not None:
        return size, [list(items)]
    pages: list[list[Item]] = [[]]
    page_size = BODY_MIN + 2
    for item in items:
        trial = [*pages[-1], item]
        fits = fit_size(_item_paragraphs(trial), ctx.body_font, width, height, page_size, page_size)
        if fits is None and pages[-1]:
            pages.append([item])
        else:
            pages[-1] = trial
    return page_size, pages


def _paged_title(title: str, index: int, count: int) -> str:
    return title if count == 1 else f"{title} ({index}/{count})"


# -- one function per slide kind -------------------------------------------------------------


def build_title(ctx: DeckContext, slide: Slide) -> None:
    """Title slide: title and subtitle on the template's title layout."""
    new = _new_slide(ctx, "title", slide, slide.title)
    bodies = _body_placeholders(new)
    kept = [new.shapes.title] if new.shapes.title is not None else []
    if bodies and slide.subtitle:
        target = bodies[0]
        size = (
            fit_size(
                [Paragraph(plain(slide.subtitle))],
                ctx.body_font,
                target.width,
                target.height,
                24,
                12,
            )
            or 12
        )
        _write_items(ctx, target, [Item(text=slide.subtitle)], size, bullets=False)
        kept.append(target)
    _remove_unused_placeholders(new, kept)


def build_section(ctx: DeckContext, slide: Slide) -> None:
    """Section slide: a statement or a chapter title, large."""
    new = _new_slide(ctx, "section", slide, slide.title)
    kept = [new.shapes.title] if new.shapes.title is not None else []
    bodies = _body_placeholders(new)
    if bodies and slide.subtitle:
        _write_items(ctx, bodies[0], [Item(text=slide.subtitle)], 18, bullets=False)
        kept.append(bodies[0])
    _remove_unused_placeholders(new, kept)


def build_bullets(ctx: DeckContext, slide: Slide, kind: str = "bullets") -> None:
    """Bulleted list, two levels; continues on numbered slides when it does not fit."""
    probe_layout = ctx.layouts[kind]
    left, top, width, height = content_area(ctx.prs, probe_layout.layout)
    size, pages = _fits_or_split(ctx, slide.items, width, height)
    for n, page in enumerate(pages, 1):
        new = _new_slide(ctx, kind, slide, _paged_title(slide.title, n, len(pages)))
        bodies = _body_placeholders(new)
        if bodies:
            target = bodies[0]
            target.left, target.top, target.width, target.height = left, top, width, height
        else:
            target = new.shapes.add_textbox(left, top, width, height)
        _write_items(ctx, target, page, size, bullets=len(page) > 1)
        _remove_unused_placeholders(new, [s for s in (new.shapes.title, target) if s is not None])


def build_agenda(ctx: DeckContext, slide: Slide) -> None:
    """Agenda: the topics ahead, as a list."""
    build_bullets(ctx, slide)


def build_closing(ctx: DeckContext, slide: Slide) -> None:
    """Closing slide: the ask (large), then the visit and contact lines."""
    items = ([Item(text=f"**{slide.subtitle}**")] if slide.subtitle else []) + list(slide.items)
    left, top, width, height = content_area(ctx.prs, ctx.layouts["bullets"].layout)
    size = fit_size(_item_paragraphs(items), ctx.body_font, width, height, BODY_MAX, 12) or 12
    new = _new_slide(ctx, "bullets", slide, slide.title)
    bodies = _body_placeholders(new)
    target = bodies[0] if bodies else new.shapes.add_textbox(left, top, width, height)
    _write_items(ctx, target, items, size, bullets=False)
    _remove_unused_placeholders(new, [s for s in (new.shapes.title, target) if s is not None])


def build_two_columns(ctx: DeckContext, slide: Slide) -> None:
    """Two columns with a heading each (e.g. values served against values in tension)."""
    choice = ctx.layouts["two-columns"]
    new = _new_slide(ctx, "two-columns", slide, slide.title)
    bodies = _body_placeholders(new)
    left, top, width, height = content_area(ctx.prs, choice.layout)
    gap = int(width * 0.04)
    col_w = (width - gap) // 2
    targets = []
    for i, column in enumerate(slide.columns[:2]):
        if len(bodies) >= 2 and choice.exact:
            target = bodies[i]
        else:
            target = new.shapes.add_textbox(left + i * (col_w + gap), top, col_w, height)
        paragraphs = [
            Paragraph(plain(column.heading or ""), bold=True),
            *_item_paragraphs(column.items),
        ]
        size = fit_size(paragraphs, ctx.body_font, target.width, target.height, 20, 10) or 10
        if size == 10:
            ctx.warnings.append(f"'{plain(slide.title)}': column {i + 1} is long; check the slide")
        _write_items(ctx, target, column.items, size, heading=column.heading)
        targets.append(target)
    _remove_unused_placeholders(new, [s for s in (new.shapes.title, *targets) if s is not None])


def build_image(ctx: DeckContext, slide: Slide) -> None:
    """A picture fitted into the content area without distortion or cropping, with caption."""
    choice = ctx.layouts["image"]
    new = _new_slide(ctx, "image", slide, slide.title)
    _remove_unused_placeholders(new, [new.shapes.title] if new.shapes.title is not None else [])
    picture = slide.picture
    if picture is None:
        return
    left, top, width, height = content_area(ctx.prs, choice.layout)
    caption_h = int(Pt(18) * 1.6) if picture.caption else 0
    from PIL import Image as PILImage

    data = images.embeddable(__import__("pathlib").Path(picture.path))
    with PILImage.open(data) as img:
        px_w, px_h = img.size
    data.seek(0)
    avail_h = height - caption_h
    scale = min(width / px_w, avail_h / px_h)
    w, h = int(px_w * scale), int(px_h * scale)
    x = left + (width - w) // 2
    pic = new.shapes.add_picture(data, x, top, w, h)
    pic.name = "Picture"
    _set_alt(pic, picture.alt)
    if picture.caption:
        _textbox(
            ctx,
            new,
            (left, top + h + int(Pt(4)), width, caption_h),
            picture.caption,
            14,
            color="text",
            align=PP_ALIGN.CENTER,
        )


def _set_alt(shape: Any, alt: str) -> None:
    """Alt text (descr) on a shape's non-visual properties, read by screen readers and PDF tags."""
    cNvPr = shape._element.find(".//" + qn("p:cNvPr"))
    if cNvPr is not None:
        cNvPr.set("descr", plain(alt))


def build_table(ctx: DeckContext, slide: Slide) -> None:
    """A native table with a header row; continues on numbered slides when too long."""
    table = slide.table
    if table is None:
        return
    left, top, width, height = content_area(ctx.prs, ctx.layouts["title-only"].layout)
    cols = len(table.header)
    lengths = [
        max([len(plain(table.header[c]))] + [len(plain(r[c])) for r in table.rows if c < len(r)])
        for c in range(cols)
    ]
    total = sum(max(8, n) for n in lengths) or 1
    widths = [int(width * max(8, n) / total) for n in lengths]

    def row_height(row: Sequence[str], size: float) -> float:
        from .fit import text_height_pt

        return (
            max(
                text_height_pt(
                    [Paragraph(plain(cell))], ctx.body_font, size, widths[c] / 12700 - 14
                )
                for c, cell in enumerate(row)
            )
            + 8
        )

    def pages_at(size: float) -> list[list[list[str]]]:
        pages: list[list[list[str]]] = [[]]
        used = row_height(table.header, size)
        for row in table.rows:
            h = row_height(row, size)
            if pages[-1] and used + h > height / 12700:
                pages.append([])
                used = row_height(table.header, size)
            pages[-1].append(row)
            used += h
        return pages

    size = 18.0
    pages = pages_at(size)
    while len(pages) > 1 and size > 12:
        size -= 1
        pages = pages_at(size)
    for n, rows in enumerate(pages, 1):
        new = _new_slide(ctx, "title-only", slide, _paged_title(slide.title, n, len(pages)))
        _remove_unused_placeholders(new, [new.shapes.title] if new.shapes.title is not None else [])
        shape = new.shapes.add_table(
            len(rows) + 1, cols, left, top, width, int(Pt(size * 2)) * (len(rows) + 1)
        )
        shape.name = "Table"
        tbl = shape.table
        tbl.first_row = True
        for c in range(cols):
            tbl.columns[c].width = widths[c]
        for r, row in enumerate([table.header, *rows]):
            for c in range(cols):
                cell = tbl.cell(r, c)
                text = row[c] if c < len(row) else ""
                tf = cell.text_frame
                tf.word_wrap = True
                p = tf.paragraphs[0]
                _add_runs(
                    ctx,
                    p,
                    f"**{text}**" if r == 0 and text else text,
                    size,
                    color="background" if r == 0 else "text",
                )
                if c in table.numeric:
                    p.alignment = PP_ALIGN.RIGHT
                if r == 0:
                    cell.fill.solid()
                    cell.fill.fore_color.rgb = ctx.rgb("primary")
        if not any(table.header):
            tbl.first_row = False


def build_numbers(ctx: DeckContext, slide: Slide) -> None:
    """Big numbers: up to four figures side by side (KPI targets), each with label and detail."""
    new = _new_slide(ctx, "title-only", slide, slide.title)
    _remove_unused_placeholders(new, [new.shapes.title] if new.shapes.title is not None else [])
    left, top, width, height = content_area(ctx.prs, ctx.layouts["title-only"].layout)
    numbers = slide.numbers[:4]
    if not numbers:
        return
    gap = int(width * 0.03)
    box_w = (width - gap * (len(numbers) - 1)) // len(numbers)
    for i, number in enumerate(numbers):
        x = left + i * (box_w + gap)
        value_h = int(height * 0.35)
        value_size = (
            fit_size([Paragraph(number.value, bold=True)], ctx.heading_font, box_w, value_h, 44, 18)
            or 18
        )
        bar = new.shapes.add_shape(MSO_SHAPE.RECTANGLE, x, top, box_w, int(Pt(6)))
        bar.fill.solid()
        bar.fill.fore_color.rgb = ctx.rgb("accent")
        bar.line.fill.background()
        bar.name = "Accent bar"
        tb = _textbox(
            ctx,
            new,
            (x, top + int(Pt(12)), box_w, value_h),
            number.value,
            value_size,
            bold=True,
            color="primary",
        )
        tb.text_frame.vertical_anchor = MSO_ANCHOR.BOTTOM
        label_h = int(height * 0.25)
        label_size = (
            fit_size([Paragraph(number.label, bold=True)], ctx.body_font, box_w, label_h, 20, 11)
            or 11
        )
        _textbox(
            ctx,
            new,
            (x, top + int(Pt(12)) + value_h, box_w, label_h),
            number.label,
            label_size,
            bold=True,
            color="text",
        )
        if number.detail:
            detail_h = int(height * 0.25)
            size = (
                fit_size([Paragraph(plain(number.detail))], ctx.body_font, box_w, detail_h, 16, 10)
                or 10
            )
            _textbox(
                ctx,
                new,
                (x, top + int(Pt(12)) + value_h + label_h, box_w, detail_h),
                number.detail,
                size,
                color="text",
            )


def build_timeline(ctx: DeckContext, slide: Slide) -> None:
    """Milestones on a line, drawn with native shapes: filled dots done, open dots planned."""
    left, top, width, height = content_area(ctx.prs, ctx.layouts["title-only"].layout)
    per_slide = 6
    chunks = [slide.steps[i : i + per_slide] for i in range(0, len(slide.steps), per_slide)] or [[]]
    for n, steps in enumerate(chunks, 1):
        new = _new_slide(ctx, "title-only", slide, _paged_title(slide.title, n, len(chunks)))
        _remove_unused_placeholders(new, [new.shapes.title] if new.shapes.title is not None else [])
        if not steps:
            continue
        line_y = top + int(height * 0.3)
        line = new.shapes.add_shape(
            MSO_SHAPE.RECTANGLE, left, line_y - int(Pt(2)), width, int(Pt(4))
        )
        line.fill.solid()
        line.fill.fore_color.rgb = ctx.rgb("primary")
        line.line.fill.background()
        line.name = "Timeline"
        slot = width // len(steps)
        dot = int(Pt(22))
        for i, step in enumerate(steps):
            cx = left + slot * i + slot // 2
            circle = new.shapes.add_shape(
                MSO_SHAPE.OVAL, cx - dot // 2, line_y - dot // 2, dot, dot
            )
            circle.name = f"Milestone {i + 1}"
            circle.line.color.rgb = ctx.rgb("accent")
            circle.line.width = Pt(3)
            if step.done:
                circle.fill.solid()
                circle.fill.fore_color.rgb = ctx.rgb("accent")
            else:
                circle.fill.solid()
                circle.fill.fore_color.rgb = ctx.rgb("background")
            box_w = slot - int(Pt(8))
            when_box = (cx - box_w // 2, line_y - int(height * 0.25), box_w, int(height * 0.2))
            tb = _textbox(
                ctx, new, when_box, step.when, 16, bold=True, color="primary", align=PP_ALIGN.CENTER
            )
            tb.text_frame.vertical_anchor = MSO_ANCHOR.BOTTOM
            text_h = int(height * 0.6)
            size = (
                fit_size([Paragraph(plain(step.text))], ctx.body_font, box_w, text_h, 16, 10) or 10
            )
            _textbox(
                ctx,
                new,
                (cx - box_w // 2, line_y + dot, box_w, text_h),
                step.text,
                size,
                color="text",
                align=PP_ALIGN.CENTER,
            )


def build_chart(ctx: DeckContext, slide: Slide) -> None:
    """A native, editable chart (clustered columns or lines) with alt text from the data."""
    chart_spec = slide.chart
    new = _new_slide(ctx, "title-only", slide, slide.title)
    _remove_unused_placeholders(new, [new.shapes.title] if new.shapes.title is not None else [])
    if chart_spec is None:
        return
    left, top, width, height = content_area(ctx.prs, ctx.layouts["title-only"].layout)
    data = CategoryChartData(number_format=chart_spec.number_format)
    data.categories = chart_spec.categories
    for series in chart_spec.series:
        data.add_series(series.name, series.values)
    chart_type = (
        XL_CHART_TYPE.COLUMN_CLUSTERED if chart_spec.type == "bar" else XL_CHART_TYPE.LINE_MARKERS
    )
    frame = new.shapes.add_chart(chart_type, left, top, width, height, data)
    frame.name = "Chart"
    _set_alt(frame, chart_spec.alt)
    chart = frame.chart
    # python-pptx's chart XML uses negative axis ids, which the schema (unsignedInt) refuses.
    for element in chart._chartSpace.iter(qn("c:axId"), qn("c:crossAx")):
        element.set("val", str(abs(int(element.get("val")))))
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False
    chart.font.size = Pt(14)
    colors = ["primary", "accent", "text"]
    for i, plot_series in enumerate(chart.plots[0].series):
        fill = plot_series.format.fill
        fill.solid()
        fill.fore_color.rgb = ctx.rgb(colors[i % len(colors)])


SLIDE_BUILDERS: dict[str, Callable[[DeckContext, Slide], None]] = {
    "title": build_title,
    "agenda": build_agenda,
    "section": build_section,
    "bullets": build_bullets,
    "two-columns": build_two_columns,
    "image": build_image,
    "table": build_table,
    "numbers": build_numbers,
    "timeline": build_timeline,
    "chart": build_chart,
    "closing": build_closing,
}


def _set_language(prs: Any, tag: str) -> None:
    """The language on every run and paragraph end of slides and notes (for screen readers)."""
    parts = []
    for slide in prs.slides:
        parts.append(slide._element)
        if slide.has_notes_slide:
            parts.append(slide.notes_slide._element)
    for root in parts:
        for r in root.iter(qn("a:r")):
            rpr = r.find(qn("a:rPr"))
            if rpr is None:
                rpr = etree.Element(qn("a:rPr"))
                r.insert(0, rpr)
            rpr.set("lang", tag)
        for end in root.iter(qn("a:endParaRPr")):
            end.set("lang", tag)
        for p in root.iter(qn("a:p")):
            if p.find(qn("a:r")) is None and p.find(qn("a:endParaRPr")) is None:
                end = etree.SubElement(p, qn("a:endParaRPr"))
                end.set("lang", tag)
