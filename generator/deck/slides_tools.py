"""Slide kinds of thinking tools drawn with native shapes: timeline, values balance, thinking hats.

One ``build_<kind>(ctx, slide)`` per kind (registered in
:data:`generator.deck.builder.KINDS`), built with :mod:`generator.deck.context`. Every
drawn shape is named and has alt text or is marked decorative.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.slide import Slide as PptxSlide
from pptx.util import Cm, Emu, Pt

from generator.compose.doctree import Column, Slide
from generator.deck.context import (
    BODY_FLOOR,
    SMALL_FLOOR,
    DeckContext,
    Kind,
    Para,
    TextStyle,
    content_box,
    even_chunks,
    fit_paras,
    mix,
    new_slide,
    on_colour,
    paged_slides,
    paginate,
    set_alt,
    solid,
    textbox,
    too_long,
    write_paras,
)
from generator.ooxml.geometry import INSET_X, INSET_Y
from generator.ooxml.pptx_fast import (
    add_shape,
    decorative,
    remove_unused_placeholders,
)

HAT_COLORS = {  # De Bono's hats; the white one gets an outline
    "white": "FFFFFF",
    "red": "C8102E",
    "black": "1A1A1A",
    "yellow": "F2C200",
    "green": "2E8540",
    "blue": "1F5FB4",
}


TIMELINE_COLUMN = int(Cm(3.5))


def build_timeline(ctx: DeckContext, slide: Slide) -> None:
    """Milestones on a line, drawn with native shapes: filled dots done, open dots planned."""
    left, top, width, height = content_box(ctx, "timeline")
    # Six milestones a slide where each gets a column of 3.5 cm: on 4:3 templates too.
    per_slide = max(3, min(6, width // TIMELINE_COLUMN))
    chunks = even_chunks(slide.steps, per_slide)
    style = TextStyle(font=ctx.body_font)
    for new, steps in paged_slides(ctx, "timeline", slide, chunks):
        remove_unused_placeholders(new, [])
        if not steps:
            continue
        slot = width // max(len(steps), 3)
        offset = (width - slot * len(steps)) // 2
        when_h = int(height * 0.16)
        line_y = top + when_h + int(Pt(14))
        line = add_shape(
            new,
            MSO_SHAPE.RECTANGLE,
            (left + offset, line_y - int(Pt(2)), slot * len(steps), int(Pt(4))),
            "Timeline",
        )
        solid(ctx, line, "primary")
        decorative(line)
        dot = int(Pt(22))
        box_w = slot - int(Pt(6))
        text_top = line_y + dot // 2 + int(Pt(8))
        text_h = top + height - text_top
        when_size = min(
            fit_paras(
                ctx,
                [Para(s.when, bold=True)],
                style,
                (box_w - INSET_Y * 2, when_h - INSET_Y),
                18,
                ctx.floor(11),
                True,
            )
            or ctx.floor(11)
            for s in steps
        )
        text_paras = [[Para(s.text, align=PP_ALIGN.CENTER, space_before=0)] for s in steps]
        inner = (box_w - 2 * INSET_Y, text_h - 2 * INSET_Y // 2)
        text_sizes = [
            fit_paras(ctx, p, style, inner, 18, ctx.floor(SMALL_FLOOR), True)
            or fit_paras(ctx, p, style, inner, 18, ctx.floor(SMALL_FLOOR))
            or 0
            for p in text_paras
        ]
        for p, fitted in zip(text_paras, text_sizes, strict=True):
            if not fitted:
                too_long(ctx, slide.title, "a milestone", p, style, inner, ctx.floor(SMALL_FLOOR))
        text_size = min(text_sizes)
        for i, step in enumerate(steps):
            cx = left + offset + slot * i + slot // 2
            circle = add_shape(
                new,
                MSO_SHAPE.OVAL,
                (cx - dot // 2, line_y - dot // 2, dot, dot),
                f"Milestone {i + 1}",
            )
            solid(ctx, circle, "accent" if step.done else "background", line="accent")
            circle.line.width = Pt(3)
            set_alt(
                circle,
                f"{step.when}: {step.text} ({'done' if step.done else 'planned'})",  # Markdown
            )
            textbox(
                ctx,
                new,
                (cx - box_w // 2, top, box_w, when_h),
                [
                    Para(
                        step.when, bold=True, color="primary", align=PP_ALIGN.CENTER, space_before=0
                    )
                ],
                when_size,
                when_size,
                "a milestone date",
                slide.title,
                anchor=MSO_ANCHOR.BOTTOM,
                name=f"When {i + 1}",
            )
            textbox(
                ctx,
                new,
                (cx - box_w // 2, text_top, box_w, text_h),
                text_paras[i],
                text_size,
                text_size,
                "a milestone text",
                slide.title,
                name=f"Milestone text {i + 1}",
            )


def build_balance(ctx: DeckContext, slide: Slide) -> None:
    """Values balance: a beam on a pivot, gains hanging left and tensions (with how each is
    addressed) hanging right; long lists continue on numbered slides."""
    left, top, width, height = content_box(ctx, "balance")
    columns = ([*list(slide.columns), Column(), Column()])[:2]
    gap = int(width * 0.06)
    col_w = (width - gap) // 2
    beam_h = int(height * 0.16)
    head_h = int(height * 0.13)
    body_top = top + beam_h + head_h + int(Pt(6))
    body_h = top + height - body_top
    style = TextStyle(font=ctx.body_font)
    inner = (col_w - 2 * INSET_X, body_h - 2 * INSET_Y)
    groups = [_balance_groups(c) for c in columns]
    flat = [[p for g in gs for p in g] for gs in groups]
    size = min(fit_paras(ctx, f, style, inner, 22, ctx.floor(BODY_FLOOR)) or 0 for f in flat)
    if size:
        pages = [flat]
    else:
        size = ctx.floor(BODY_FLOOR)
        split = [
            paginate(gs, lambda t: fit_paras(ctx, t, style, inner, size, size) is not None)
            for gs in groups
        ]
        count = max(len(s) for s in split)
        pages = [[s[n] if n < len(s) else [] for s in split] for n in range(count)]
    head_inner = (col_w - 2 * INSET_X, head_h - INSET_Y)
    head_sizes = [
        fit_paras(ctx, [Para(c.heading or "", bold=True)], style, head_inner, 20, ctx.floor(12))
        for c in columns
    ]
    for c, fitted in zip(columns, head_sizes, strict=True):
        if fitted is None:
            head = [Para(c.heading or "", bold=True)]
            too_long(ctx, slide.title, "a heading", head, style, head_inner, ctx.floor(12), ahead=1)
    head_size = min(s for s in head_sizes if s is not None)
    fills = ["primary", "accent"]
    for new, page in paged_slides(ctx, "balance", slide, pages):
        remove_unused_placeholders(new, [])
        cx = left + width // 2
        pivot_w, pivot_h = int(beam_h * 0.9), int(beam_h * 0.75)
        beam_y = top + int(beam_h * 0.15)
        pivot = add_shape(
            new,
            MSO_SHAPE.ISOSCELES_TRIANGLE,
            (cx - pivot_w // 2, beam_y + int(Pt(5)), pivot_w, pivot_h),
            "Balance pivot",
        )
        solid(ctx, pivot, "text")
        beam = add_shape(
            new,
            MSO_SHAPE.RECTANGLE,
            (left + col_w // 2, beam_y, width - col_w, int(Pt(5))),
            "Balance beam",
        )
        solid(ctx, beam, "text")
        for shape in (pivot, beam):
            decorative(shape)
        for i, body in enumerate(page):
            x = left + i * (col_w + gap)
            string = add_shape(
                new,
                MSO_SHAPE.RECTANGLE,
                (x + col_w // 2 - int(Pt(1)), beam_y, int(Pt(2)), top + beam_h - beam_y),
                "Balance string",
            )
            solid(ctx, string, "text")
            decorative(string)
            pan = add_shape(
                new, MSO_SHAPE.ROUNDED_RECTANGLE, (x, top + beam_h, col_w, head_h), f"Pan {i + 1}"
            )
            solid(ctx, pan, fills[i])
            pan.text_frame.margin_left = pan.text_frame.margin_right = Emu(INSET_X)
            write_paras(
                ctx,
                pan,
                [
                    Para(
                        columns[i].heading or "",
                        bold=True,
                        align=PP_ALIGN.CENTER,
                        color=on_colour(ctx.palette[fills[i]]),
                        space_before=0,
                    )
                ],
                head_size,
                TextStyle(font=ctx.body_font),
                anchor=MSO_ANCHOR.MIDDLE,
            )
            if body:
                textbox(
                    ctx,
                    new,
                    (x, body_top, col_w, body_h),
                    body,
                    size,
                    size,
                    f"column {i + 1}",
                    slide.title,
                    name=f"Values {i + 1}",
                    insets=(INSET_X, INSET_Y),
                )


def _balance_groups(column: Column) -> list[list[Para]]:
    groups: list[list[Para]] = []
    for item in column.items:
        para = Para(
            item.text,
            level=item.level,
            bullet=item.level == 0,
            space_before=0.5 if item.level == 0 else 0.1,
        )
        if item.level and groups:
            groups[-1].append(para)
        else:
            groups.append([para])
    return groups


def build_hats(ctx: DeckContext, slide: Slide) -> None:
    """De Bono's six thinking hats: per hat a coloured hat (native shapes) with its label, and
    under it what the content says under that hat (a question for the room). Items are never
    cut: a hat's last items that do not fit at the smallest size give way whole to a line that
    counts them ("+2 in de notities"), with a warning; the notes carry every item."""
    new = new_slide(ctx, "hats", slide, slide.title)
    remove_unused_placeholders(new, [])
    left, top, width, height = content_box(ctx, "hats")
    hats = list(slide.columns[:6])
    cols = 3 if width / ctx.height > 1.3 else 2
    rows = math.ceil(len(hats) / cols) or 1
    gap_x, gap_y = int(width * 0.03), int(height * 0.04)
    cell_w = (width - gap_x * (cols - 1)) // cols
    cell_h = (height - gap_y * (rows - 1)) // rows
    head_h = min(int(cell_h * 0.3), int(Pt(44)))
    icon_w = int(head_h * 1.3)
    label_x = icon_w + int(Pt(6))
    style = TextStyle(font=ctx.body_font)
    inner = (cell_w - 2 * INSET_Y, cell_h - head_h - 2 * INSET_Y // 2)
    label_inner = (cell_w - label_x - 2 * INSET_Y, head_h - 2 * INSET_Y // 2)
    label_size = min(
        (
            fit_paras(
                ctx, [Para(h.heading or "", bold=True)], style, label_inner, 20, ctx.floor(11), True
            )
            or ctx.floor(11)
            for h in hats
        ),
        default=11,
    )
    # One size for all hats: where a hat's list does not fit at the smallest size, its last
    # items give way whole to a "+n" line (the notes carry every item).
    texts = [[i.text for i in h.items] for h in hats]
    shown = [len(t) for t in texts]
    more = _IN_THE_NOTES.get(ctx.language.split("-")[0].lower(), _IN_THE_NOTES["en"])

    def paras_of(i: int) -> list[Para]:
        return _hat_items(texts[i][: shown[i]], len(texts[i]) - shown[i], more)

    for i in range(len(hats)):
        while shown[i] and fit_paras(ctx, paras_of(i), style, inner, 12, ctx.floor(12)) is None:
            shown[i] -= 1
    hidden = sum(len(t) for t in texts) - sum(shown)
    if hidden:
        ctx.warn(
            slide.title,
            f"{hidden} item(s) under the hats do not fit at 12 pt and are only in the speaker "
            "notes; shorten them",
        )
    paras = [paras_of(i) for i in range(len(hats))]
    size = min(
        (fit_paras(ctx, p, style, inner, 18, ctx.floor(12)) or ctx.floor(12) for p in paras),
        default=ctx.floor(12),
    )
    for i, (hat, p) in enumerate(zip(hats, paras, strict=True)):
        r, c = divmod(i, cols)
        x = left + c * (cell_w + gap_x)
        y = top + r * (cell_h + gap_y)
        _draw_hat(ctx, new, hat, (x, y + int(head_h * 0.1), icon_w, int(head_h * 0.8)))
        textbox(
            ctx,
            new,
            (x + label_x, y, cell_w - label_x, head_h),
            [Para(hat.heading or "", bold=True, space_before=0)],
            label_size,
            label_size,
            f"the label of the {hat.key or ''} hat",
            slide.title,
            anchor=MSO_ANCHOR.MIDDLE,
            name=f"Hat {i + 1}",
        )
        if p:
            textbox(
                ctx,
                new,
                (x, y + head_h, cell_w, cell_h - head_h),
                p,
                size,
                size,
                f"the {hat.key or ''} hat's text",
                slide.title,
                name=f"Hat text {i + 1}",
            )


# The line that counts a hat's items left to the speaker notes, by language.
_IN_THE_NOTES = {"nl": "in de notities", "en": "more in the notes"}


def _hat_items(items: Sequence[str], hidden: int, more: str) -> list[Para]:
    paras = [Para(text, bullet=True, space_before=0.15) for text in items]
    if hidden:
        paras.append(Para(f"*+{hidden} {more}*", space_before=0.15))
    return paras


def _draw_hat(
    ctx: DeckContext, slide: PptxSlide, hat: Column, box: tuple[int, int, int, int]
) -> None:
    """A hat from native shapes: crown, band and brim, grouped, with the hat's name as alt text."""
    x, y, w, h = box
    color = HAT_COLORS.get(hat.key or "", ctx.palette["primary"])
    outline = "5F6B76" if color == "FFFFFF" else None
    group = slide.shapes.add_group_shape()
    group.name = f"{(hat.key or 'hat').capitalize()} hat"
    # The group's shapes count their ids on from the slide's highest (turbo-add), and the
    # group's extents are worked out once, after the last: python-pptx's add_shape works them
    # out after each, and only the last result stays.
    group.shapes.turbo_add_enabled = True
    crown = add_shape(
        group,
        MSO_SHAPE.ROUND_2_SAME_RECTANGLE,
        (x + int(w * 0.2), y, int(w * 0.6), int(h * 0.7)),
    )
    band = add_shape(
        group,
        MSO_SHAPE.RECTANGLE,
        (x + int(w * 0.2), y + int(h * 0.5), int(w * 0.6), int(h * 0.13)),
    )
    brim = add_shape(group, MSO_SHAPE.OVAL, (x, y + int(h * 0.62), w, int(h * 0.3)))
    group.shapes._recalculate_extents()
    for shape in (brim, crown):
        solid(ctx, shape, color, line=outline)
    for shape in (brim, crown, band):
        decorative(shape)
    band_color = mix(color, "FFFFFF" if color != "FFFFFF" else "000000", 0.45)
    solid(ctx, band, band_color)
    # The brim is drawn last in the group but must sit behind the crown: reorder.
    tree = group.element
    tree.remove(brim.element)
    tree.insert(tree.index(crown.element), brim.element)
    if slide.shapes.turbo_add_enabled:  # the group's shapes took ids the slide's count skipped
        slide.shapes.turbo_add_enabled = True
    set_alt(group, hat.heading or hat.key or "hat")


#: This module's slide kinds: the layout each is built on and its builder (builder.KINDS).
KINDS: dict[str, Kind] = {
    "timeline": Kind("title-only", build_timeline),
    "balance": Kind("title-only", build_balance),
    "hats": Kind("title-only", build_hats),
}
