"""Slide kinds of figures: tables and matrices, big numbers, charts.

One ``build_<kind>(ctx, slide)`` per kind (registered in
:data:`generator.deck.builder.KINDS`), built with :mod:`generator.deck.context`. Tables
are native tables and charts native, editable charts; tables and numbers continue on numbered
slides when too long.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from lxml import etree
from pptx.enum.chart import (
    XL_CHART_TYPE,
    XL_LABEL_POSITION,
    XL_LEGEND_POSITION,
    XL_TICK_LABEL_POSITION,
)
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.table import _Cell
from pptx.util import Emu, Pt

from generator.compose.doctree import Chart, Slide
from generator.compose.inline import plain
from generator.deck.context import (
    SMALL_FLOOR,
    DeckContext,
    Kind,
    Para,
    TextStyle,
    content_box,
    even_chunks,
    fit_paras,
    measured_paras,
    mix,
    new_slide,
    on_colour,
    paged_slides,
    set_alt,
    solid,
    textbox,
    write_paras,
)
from generator.errors import TextTooLong
from generator.ooxml.geometry import INSET_Y
from generator.ooxml.pptx_fast import (
    AFTER_FILL,
    CachedChartData,
    add_shape,
    decorative,
    qn,
    remove_unused_placeholders,
    set_fill,
    set_name,
)
from generator.theme.metrics import EMU_PER_PT

# -- tables -------------------------------------------------------------------------------------

CELL_MARGIN_X, CELL_MARGIN_Y = 64008, 36576  # 0.07 in, 0.04 in


# a:tcPr's margin attributes in the order python-pptx's cell.margin_* setters write them.
_CELL_MARGINS = (
    ("marL", str(CELL_MARGIN_X)),
    ("marR", str(CELL_MARGIN_X)),
    ("marT", str(CELL_MARGIN_Y)),
    ("marB", str(CELL_MARGIN_Y)),
)


def _table_geometry(
    ctx: DeckContext, header: Sequence[str], rows: Sequence[Sequence[str]], width: int
) -> list[int]:
    """Column widths: by the length of their text, no column narrower than its longest word."""
    cols = len(header)
    style = TextStyle(font=ctx.body_font)
    lengths = []
    for c in range(cols):
        cells = [header[c]] + [r[c] for r in rows if c < len(r)]
        lengths.append(max(8, max(len(plain(x)) for x in cells)))
    widest = []
    for c in range(cols):
        cells = [header[c]] + [r[c] for r in rows if c < len(r)]
        from generator.theme.metrics import widest_word_pt

        widest.append(
            max(widest_word_pt(measured_paras([Para(x)], style), style.font, 20) for x in cells)
        )
    total = sum(lengths)
    widths = [int(width * n / total) for n in lengths]
    # Give a column too narrow for its longest word (at 20 pt) room from the widest column.
    for c in range(cols):
        need = int((widest[c] + 2) * EMU_PER_PT) + 2 * CELL_MARGIN_X
        if widths[c] < need:
            donor = max(range(cols), key=lambda i: widths[i])
            take = min(need - widths[c], max(0, widths[donor] - need))
            widths[c] += take
            widths[donor] -= take
    widths[-1] = width - sum(widths[:-1])
    return widths


def _row_height(
    ctx: DeckContext, row: Sequence[str], widths: Sequence[int], size: float, bold: bool
) -> int:
    style = TextStyle(font=ctx.body_font, bold=bold)
    from generator.theme.metrics import text_height_pt

    tallest = 0.0
    for c, cell in enumerate(row):
        inner = (widths[c] - 2 * CELL_MARGIN_X) / EMU_PER_PT
        tallest = max(
            tallest, text_height_pt(measured_paras([Para(cell)], style), style.font, size, inner)
        )
    return int(tallest * EMU_PER_PT) + 2 * CELL_MARGIN_Y + int(EMU_PER_PT * 2)


def _table_pages(
    ctx: DeckContext,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[int],
    height: int,
    size: float,
) -> list[list[Sequence[str]]]:
    pages: list[list[Sequence[str]]] = [[]]
    head = _row_height(ctx, header, widths, size, True) if any(header) else 0
    used = head
    for row in rows:
        h = _row_height(ctx, row, widths, size, False)
        if pages[-1] and used + h > height:
            pages.append([])
            used = head
        pages[-1].append(row)
        used += h
    return pages


def build_table(ctx: DeckContext, slide: Slide, kind: str = "table") -> None:
    """A native table with a header row; continues on numbered slides when too long."""
    table = slide.table
    if table is None:
        new = new_slide(ctx, kind, slide, slide.title)
        remove_unused_placeholders(new, [])
        return
    left, top, width, height = content_box(ctx, kind)
    header = list(table.header)
    cols = len(header)
    rows = [list(r) + [""] * (cols - len(r)) for r in table.rows]
    widths = _table_geometry(ctx, header, rows, width)
    # The largest size (20 down to 14) that needs no more slides than 14 pt does; 12 pt when
    # that saves slides of a long table, or when a single row is too long for a slide.
    # Sizes in proportion on a slide smaller than the standard (DeckContext.floor).
    small, smallest = ctx.floor(14.0), ctx.floor(12.0)
    least = len(_table_pages(ctx, header, rows, widths, height, small))
    floor = small
    if least > 2 and len(_table_pages(ctx, header, rows, widths, height, smallest)) < least:
        floor = smallest  # a long table: smaller text saves whole slides
        least = len(_table_pages(ctx, header, rows, widths, height, smallest))
    size = next(
        s
        for s in sorted({ctx.floor(pt) for pt in range(20, 11, -1)}, reverse=True)
        if s >= floor and len(_table_pages(ctx, header, rows, widths, height, s)) <= least
    )
    pages = _table_pages(ctx, header, rows, widths, height, size)
    if any(
        len(page) == 1 and _row_height(ctx, page[0], widths, size, False) > height for page in pages
    ):
        size = smallest
        pages = _table_pages(ctx, header, rows, widths, height, size)
    for n, page in enumerate(pages, 1):
        used = sum(_row_height(ctx, r, widths, size, False) for r in page)
        if len(page) == 1 and used > height:
            # A row too long for a slide of its own: its longest cell is the text to shorten,
            # to about the share of its words the slide's height holds.
            cell = plain(max(page[0], key=lambda c: len(plain(c))))
            words = int(len(cell.split()) * height / used * 0.9)
            raise TextTooLong(
                cell, "a table row", size, words, ctx.slide_no + n, plain(slide.title)
            )
    centered = set(range(1, cols)) if kind == "matrix" else set()
    for new, page in paged_slides(ctx, kind, slide, pages):
        remove_unused_placeholders(new, [])
        has_header = any(header)
        all_rows = [header, *page] if has_header else list(page)
        heights = [
            _row_height(ctx, r, widths, size, has_header and i == 0) for i, r in enumerate(all_rows)
        ]
        shape = new.shapes.add_table(
            len(all_rows), cols, Emu(left), Emu(top), Emu(width), Emu(sum(heights))
        )
        set_name(shape, "Table")
        tbl = shape.table
        tbl.first_row = has_header
        # Column widths, row heights, cell margins and fills written with lxml, as python-pptx's
        # setters write them; the frame's size is then the sum of both, as its notify_*_changed
        # leave it.
        for grid_col, w in zip(tbl._tbl.tblGrid.iterchildren(qn("a:gridCol")), widths, strict=True):
            grid_col.set("w", str(w))
        for r, (tr, row) in enumerate(
            zip(tbl._tbl.iterchildren(qn("a:tr")), all_rows, strict=True)
        ):
            tr.set("h", str(heights[r]))
            is_head = has_header and r == 0
            for c, tc in enumerate(tr.iterchildren(qn("a:tc"))):
                tcPr = tc.get_or_add_tcPr()
                for attr, margin in _CELL_MARGINS:
                    tcPr.set(attr, margin)
                align = (
                    PP_ALIGN.RIGHT
                    if c in table.numeric
                    else PP_ALIGN.CENTER
                    if c in centered
                    else None
                )
                color = on_colour(ctx.palette["primary"]) if is_head else "text"
                para = Para(row[c], bold=is_head, align=align, space_before=0, color=color)
                write_paras(ctx, _Cell(tc, tbl), [para], size)
                fill = (
                    "primary"
                    if is_head
                    else "light"
                    if r % 2 == (0 if has_header else 1)
                    else "background"
                )
                set_fill(tcPr, AFTER_FILL["tcPr"], str(ctx.rgb(fill)))
        shape.width = Emu(sum(widths))
        shape.height = Emu(sum(heights))


def build_matrix(ctx: DeckContext, slide: Slide) -> None:
    """A matrix: row labels against column heads, marks centred (e.g. projects x policy)."""
    build_table(ctx, slide, "matrix")


# -- figures: numbers and charts --------------------------------------------------------------


def build_numbers(ctx: DeckContext, slide: Slide) -> None:
    """Big numbers: up to four figures side by side (three on 4:3), each with label and detail."""
    left, top, width, height = content_box(ctx, "numbers")
    per = 4 if width / ctx.height > 1.3 else 3
    chunks = even_chunks(slide.numbers, per)
    for new, numbers in paged_slides(ctx, "numbers", slide, chunks):
        remove_unused_placeholders(new, [])
        if not numbers:
            continue
        count = max(len(numbers), 2)
        gap = int(width * 0.03)
        box_w = (width - gap * (count - 1)) // count
        bar_h = int(Pt(6))
        value_h, label_h = int(height * 0.34), int(height * 0.28)
        detail_h = height - bar_h - int(Pt(8)) - value_h - label_h
        style = TextStyle(font=ctx.heading_font)
        inner_w = box_w - 2 * INSET_Y
        value_size = min(
            # A figure shown large: 18 pt at least whatever the slide's size.
            fit_paras(
                ctx, [Para(x.value, bold=True)], style, (inner_w, value_h - INSET_Y), 44, 18, True
            )
            or 18
            for x in numbers
        )
        label_size = min(
            fit_paras(
                ctx,
                [Para(x.label, bold=True)],
                TextStyle(font=ctx.body_font),
                (inner_w, label_h - INSET_Y),
                20,
                ctx.floor(11),
                True,
            )
            or ctx.floor(11)
            for x in numbers
        )
        detail_size = min(
            fit_paras(
                ctx,
                [Para(x.detail or "")],
                TextStyle(font=ctx.body_font),
                (inner_w, detail_h - INSET_Y),
                16,
                ctx.floor(SMALL_FLOOR),
                True,
            )
            or ctx.floor(SMALL_FLOOR)
            for x in numbers
        )
        offset = (width - (box_w * len(numbers) + gap * (len(numbers) - 1))) // 2
        for i, number in enumerate(numbers):
            x = left + offset + i * (box_w + gap)
            bar = add_shape(new, MSO_SHAPE.RECTANGLE, (x, top, box_w, bar_h), "Accent bar")
            solid(ctx, bar, "accent")
            decorative(bar)
            y = top + bar_h + int(Pt(8))
            textbox(
                ctx,
                new,
                (x, y, box_w, value_h),
                [Para(number.value, bold=True, color="primary", space_before=0)],
                value_size,
                value_size,
                "a number",
                slide.title,
                anchor=MSO_ANCHOR.BOTTOM,
                whole_words=True,
                name=f"Number {i + 1}",
            )
            textbox(
                ctx,
                new,
                (x, y + value_h, box_w, label_h),
                [Para(number.label, bold=True, space_before=0)],
                label_size,
                label_size,
                "a number's label",
                slide.title,
                whole_words=True,
                name=f"Label {i + 1}",
            )
            if number.detail:
                textbox(
                    ctx,
                    new,
                    (x, y + value_h + label_h, box_w, detail_h),
                    [Para(number.detail, space_before=0)],
                    detail_size,
                    detail_size,
                    "a number's detail",
                    slide.title,
                    name=f"Detail {i + 1}",
                )


def build_chart(ctx: DeckContext, slide: Slide) -> None:
    """Native, editable charts (one, or two side by side) with alt text from the data."""
    new = new_slide(ctx, "chart", slide, slide.title)
    remove_unused_placeholders(new, [])
    charts = [c for c in [slide.chart, *slide.charts] if c is not None]
    if not charts:
        return
    left, top, width, height = content_box(ctx, "chart")
    gap = int(width * 0.04) if len(charts) > 1 else 0
    chart_w = (width - gap * (len(charts) - 1)) // len(charts)
    for i, spec in enumerate(charts):
        _add_chart(
            ctx, new, spec, (left + i * (chart_w + gap), top, chart_w, height), i, len(charts)
        )


# Chart text on a 16:9 slide (12192000 EMU wide); narrower slides (4:3) scale it down with the
# slide, never under the editorial check's 12 pt for labels.
CHART_LABEL_PT = 14.0


CHART_TITLE_PT = 16.0


CHART_FLOOR_PT = 12.0


WIDE_SLIDE = 12192000


def chart_size(ctx: DeckContext, size: float) -> float:
    """``size`` (pt on a 16:9 slide) on this deck's slide, to the half point."""
    scaled = size * min(1.0, ctx.width / WIDE_SLIDE)
    return max(CHART_FLOOR_PT, round(scaled * 2) / 2)


def _add_chart(
    ctx: DeckContext,
    new: Any,
    spec: Chart,
    box: tuple[int, int, int, int],
    index: int,
    count: int,
) -> None:
    chart_type = {
        "bar": XL_CHART_TYPE.COLUMN_CLUSTERED,
        "line": XL_CHART_TYPE.LINE_MARKERS,
    }[spec.type]
    categories = [plain(c) for c in spec.categories]  # tree text is inline Markdown
    horizontal = spec.type == "bar" and max(len(c) for c in categories) > 12
    # Horizontal bars are drawn bottom-up: give them the categories in reverse, so the first
    # is read first (reversing the axis instead moves the value axis to the top).
    order = slice(None, None, -1) if horizontal else slice(None)
    data = CachedChartData(number_format=spec.number_format)
    data.categories = categories[order]
    # (and the series too: bars within a category are drawn bottom-up as well)
    for series in spec.series[order]:
        data.add_series(plain(series.name), list(series.values)[order])
    # repr: 1 and 1.0 (or "1") are written differently, though equal as keys.
    data.key = (
        spec.number_format,
        repr([c.label for c in data.categories]),
        repr([(s.name, list(s.values)) for s in data]),
    )
    if horizontal:
        chart_type = XL_CHART_TYPE.BAR_CLUSTERED
    frame = new.shapes.add_chart(chart_type, *(Emu(v) for v in box), data)
    set_name(frame, f"Chart {index + 1}")
    set_alt(frame, spec.alt)
    chart = frame.chart
    # python-pptx's chart XML uses negative axis ids, which the schema (unsignedInt) refuses.
    for element in chart._chartSpace.iter(qn("c:axId"), qn("c:crossAx")):
        element.set("val", str(abs(int(element.get("val")))))
    label_pt = Pt(chart_size(ctx, CHART_LABEL_PT))
    chart.font.size = label_pt
    if ctx.theme.spec.fonts.body:
        chart.font.name = ctx.theme.spec.fonts.body
    if spec.title:
        chart.has_title = True
        frame_ = chart.chart_title.text_frame
        frame_.text = plain(spec.title)
        for paragraph in frame_.paragraphs:
            for run in paragraph.runs:
                run.font.size = Pt(chart_size(ctx, CHART_TITLE_PT))
                run.font.bold = True
    else:
        chart.has_title = False  # `pitchkit check` names a chart without a title
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False
    plot = chart.plots[0]
    # Series that never share a category (the investment in its year, the savings after it)
    # stand in one place instead of beside an empty slot.
    exclusive = spec.type == "bar" and all(
        sum(s.values[i] is not None for s in spec.series) <= 1 for i in range(len(spec.categories))
    )
    if spec.type == "bar":
        plot.gap_width = 60 if horizontal else 80
        if exclusive and len(spec.series) > 1:
            plot.overlap = 100
    _chart_language(chart, ctx.language)
    axis = chart.value_axis
    axis.tick_labels.number_format = spec.number_format
    axis.tick_labels.number_format_is_linked = False
    axis.has_major_gridlines = True
    values = [v for series in spec.series for v in series.values if v is not None]
    low, high = min([0.0, *values]), max([0.0, *values])
    if "%" in spec.number_format:  # few, short tick labels: -50%, 0%, 50%, ...
        # a quarter of the range spare at each end with bars, for the value labels
        pad = (high - low) / 4 if spec.value_labels else 0
        axis.minimum_scale = math.floor((low - pad if low < 0 else 0) / 50) * 50
        axis.maximum_scale = max(
            0 if high <= 0 else 50, math.ceil((high + pad if high > 0 else 0) / 50) * 50
        )
        axis.major_unit = 50
    elif values and low >= 0:
        axis.minimum_scale = 0
        if spec.mark is not None and high > 0:  # room above the bars for the mark's label
            step = 10 ** math.floor(math.log10(high * 1.25)) / 2
            axis.maximum_scale = math.ceil(high * 1.25 / step) * step
    if values and min(values) < 0:
        # category names beside the axis's low end, not on the zero line across the bars
        chart.category_axis.tick_label_position = XL_TICK_LABEL_POSITION.LOW
    if spec.value_labels:
        # every bar says its value: the value axis' tick labels would only crowd the chart
        axis.tick_label_position = XL_TICK_LABEL_POSITION.NONE
        axis.has_major_gridlines = False
        plot.has_data_labels = True
        labels = plot.data_labels
        labels.number_format = spec.number_format
        labels.number_format_is_linked = False
        labels.font.size = label_pt
        labels.position = XL_LABEL_POSITION.OUTSIDE_END
        labels.show_value = True
    muted = mix(ctx.palette["text"], ctx.palette["background"], 0.55)
    colors = [muted, "primary"] if exclusive and len(spec.series) > 1 else ["primary", "accent"]
    count_ = len(spec.series)
    for i, plot_series in enumerate(plot.series):
        fill = plot_series.format.fill
        fill.solid()
        original = count_ - 1 - i if horizontal else i  # the spec's series, reversed above
        fill.fore_color.rgb = ctx.rgb(colors[original % len(colors)])
        if spec.type == "bar":
            plot_series.invert_if_negative = False
    if spec.mark is not None and spec.type == "bar":
        _mark_category(ctx, plot, spec, order, label_pt)


def _mark_category(ctx: DeckContext, plot: Any, spec: Chart, order: slice, size: Any) -> None:
    """The marked category's bar (of the last series with a value there) in the accent colour,
    labelled ``mark_label`` above it: the break-even year."""
    mark = spec.mark
    assert mark is not None
    holders = [i for i, s in enumerate(spec.series) if s.values[mark] is not None]
    if not holders:
        return
    position = list(range(len(spec.categories)))[order].index(mark)
    series = list(range(len(spec.series)))[order].index(holders[-1])
    point = plot.series[series].points[position]
    point.format.fill.solid()
    point.format.fill.fore_color.rgb = ctx.rgb("accent")
    if spec.mark_label:
        label = point.data_label
        label.position = XL_LABEL_POSITION.OUTSIDE_END
        frame = label.text_frame
        frame.text = plain(spec.mark_label)
        for run in frame.paragraphs[0].runs:
            run.font.size = size
            run.font.bold = True
            run.font.color.rgb = ctx.rgb("text")


def _chart_language(chart: Any, tag: str) -> None:
    """The chart's editing language (c:lang), so number formats follow the deck's language."""
    space = chart._chartSpace
    lang = space.find(qn("c:lang"))
    if lang is None:
        lang = etree.Element(qn("c:lang"))
        date1904 = space.find(qn("c:date1904"))
        if date1904 is not None:
            date1904.addnext(lang)
        else:
            space.insert(0, lang)
    lang.set("val", tag)


#: This module's slide kinds: the layout each is built on and its builder (builder.KINDS).
KINDS: dict[str, Kind] = {
    "table": Kind("title-only", build_table),
    "matrix": Kind("title-only", build_matrix),
    "numbers": Kind("title-only", build_numbers),
    "chart": Kind("title-only", build_chart),
}
