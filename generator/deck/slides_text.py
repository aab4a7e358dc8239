"""Slide kinds of text: title, statement, section, bullets, agenda, closing, two columns, image.

One ``build_<kind>(ctx, slide)`` per kind (registered in
:data:`generator.deck.builder.KINDS`), built with :mod:`generator.deck.context`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.slide import Slide as PptxSlide
from pptx.slide import SlideLayout
from pptx.util import Emu, Pt

from generator.compose.doctree import Column, Slide
from generator.compose.inline import escape, plain
from generator.content import images
from generator.deck.context import (
    BODY_CAP,
    BODY_FLOOR,
    STATEMENT_CAP,
    STATEMENT_NAME,
    TITLE_FLOOR,
    DeckContext,
    Kind,
    Para,
    TextStyle,
    body_placeholders,
    bounded,
    content_box,
    defer_last,
    fit_paras,
    inner_size,
    item_paras,
    main_room,
    measured_paras,
    memoized,
    new_slide,
    note_idx,
    paged_slides,
    paged_title,
    paginate,
    set_alt,
    shape_box,
    text_style,
    textbox,
    too_long,
    write_paras,
)
from generator.ooxml.geometry import INSET_X, INSET_Y
from generator.ooxml.pptx_fast import (
    add_textbox,
    qn,
    remove_unused_placeholders,
    set_name,
    title_shape,
)
from generator.theme.metrics import EMU_PER_PT

# -- one function per slide kind -------------------------------------------------------------


def build_title(ctx: DeckContext, slide: Slide) -> None:
    """Title slide: title, then the subtitle and the lines under it (municipality, presenter,
    portfolio holder, occasion and date) on the template's title layout; the theme's logo in the
    top right corner."""
    new = new_slide(ctx, "title", slide, slide.title)
    bodies = body_placeholders(ctx, new)
    kept: list[Any] = []
    paras = [Para(slide.subtitle, bold=True, space_before=0)] if slide.subtitle else []
    paras += [Para(i.text, space_before=0.2 if paras else 0) for i in slide.items]
    if paras:
        if bodies:
            target = bodies[0]
            style = text_style(ctx, target, title=False)
            high = bounded(style.size, 14, min(24.0, ctx.title_max * 0.65), 20)
            size = fit_paras(ctx, paras, style, inner_size(ctx, target), high, ctx.floor(12))
            if size is None:
                # The lines under the title take the room down to the slide's bottom margin.
                left, top, width, _ = (int(v) for v in shape_box(ctx, target))
                target.left, target.top, target.width = Emu(left), Emu(top), Emu(width)
                target.height = Emu(max(int(ctx.height * 0.92) - top, 0))
                size = fit_paras(ctx, paras, style, inner_size(ctx, target), high, ctx.floor(12))
            if size is None:
                too_long(
                    ctx,
                    slide.title,
                    "the lines under the title",
                    paras,
                    style,
                    inner_size(ctx, target),
                    12,
                )
            write_paras(ctx, target, paras, size, style)
            kept.append(target)
        else:
            title = new.shapes.title
            left, top, width, height = content_box(ctx, "title")
            if title is not None:
                top = int(title.top + title.height)
                height = max(int(ctx.height * 0.9) - top, int(ctx.height * 0.1))
            textbox(
                ctx,
                new,
                (left, top, width, height),
                paras,
                24,
                ctx.floor(12),
                "subtitle",
                slide.title,
            )
    remove_unused_placeholders(new, kept)
    logo = ctx.theme.logo
    if logo is not None:
        from PIL import Image as PILImage

        with PILImage.open(logo) as img:
            px_w, px_h = img.size
        h = int(ctx.height * 0.1)
        w = min(int(h * px_w / max(1, px_h)), int(ctx.width * 0.25))
        h = int(w * px_h / max(1, px_w))
        margin = int(ctx.height * 0.04)
        pic = new.shapes.add_picture(
            str(logo), Emu(ctx.width - margin - w), Emu(margin), Emu(w), Emu(h)
        )
        set_name(pic, "Logo")
        set_alt(pic, f"Logo {ctx.author}".strip())


def build_statement(ctx: DeckContext, slide: Slide) -> None:
    """A statement (the opening fact, the key message): one sentence as the slide's title, large,
    in sentence case, in the middle of the content area, sized to fit; a short label above it
    (``subtitle``). Never cut: what does not fit at the smallest size stops the build."""
    new = new_slide(ctx, "statement", slide, slide.title, fill=False)
    remove_unused_placeholders(new, [])
    shape = title_shape(new) or next(
        sh for sh in new.shapes if sh.has_text_frame and sh.name == "Title"
    )
    left, top, width, height = content_box(ctx, "statement")
    label_h = 0
    if slide.subtitle:
        label_h = int(Pt(30))
        textbox(
            ctx,
            new,
            (left, top, width, label_h),
            [Para(slide.subtitle, bold=True, color="accent", space_before=0)],
            18,
            14,
            "the label",
            slide.title,
            name="Label",
        )
    box = (left, top + label_h, width, int((height - label_h) * 0.85))
    set_name(shape, STATEMENT_NAME)
    shape.left, shape.top, shape.width, shape.height = (Emu(v) for v in box)
    style = replace(text_style(ctx, shape, title=True), caps=False)
    if ctx.theme.spec.fonts.heading:
        style = replace(style, explicit_font=ctx.theme.spec.fonts.heading)
    paras = [Para(escape(plain(slide.title)), space_before=0)]
    size = fit_paras(
        ctx, paras, style, inner_size(ctx, shape), STATEMENT_CAP, ctx.floor(TITLE_FLOOR)
    )
    if size is None:
        too_long(
            ctx,
            slide.title,
            "the statement",
            paras,
            style,
            inner_size(ctx, shape),
            ctx.floor(TITLE_FLOOR),
        )
    write_paras(ctx, shape, paras, size, style, MSO_ANCHOR.MIDDLE)
    for rpr in shape.element.iter(qn("a:rPr")):
        rpr.set("cap", "none")  # sentence case, whatever the layout's title style says


def build_section(ctx: DeckContext, slide: Slide) -> None:
    """Section slide: a statement or a chapter title, large."""
    new = new_slide(ctx, "section", slide, slide.title)
    kept: list[Any] = []
    bodies = body_placeholders(ctx, new)
    if bodies and slide.subtitle:
        target = bodies[0]
        style = text_style(ctx, target, title=False)
        paras = [Para(slide.subtitle, space_before=0)]
        size = fit_paras(ctx, paras, style, inner_size(ctx, target), 20, ctx.floor(12))
        if size is None:
            too_long(
                ctx,
                slide.title,
                "the section's text",
                paras,
                style,
                inner_size(ctx, target),
                ctx.floor(12),
            )
        write_paras(ctx, target, paras, size, style)
        kept.append(target)
    remove_unused_placeholders(new, kept)


def _list_target(ctx: DeckContext, new: PptxSlide, kind: str) -> Any:
    """The body placeholder of a bullets slide, or a text box in the content area."""
    bodies = body_placeholders(ctx, new)
    box = content_box(ctx, kind)
    if bodies and ctx.layouts[ctx.kinds[kind].layout].exact:
        target = bodies[0]
    else:
        target = add_textbox(new, box, "Content")
    remove_unused_placeholders(new, [target])
    return target


def _layout_bodies(layout: Any) -> list[Any]:
    """Body/object/subtitle placeholders of a layout, left to right then top to bottom; not
    its small extra ones (see note_idx)."""
    found = []
    notes = note_idx(layout)
    for ph in layout.placeholders:
        kind = str(ph.placeholder_format.type)
        if "TITLE" in kind and "SUBTITLE" not in kind:
            continue
        if ph.placeholder_format.idx in notes:
            continue
        if any(k in kind for k in ("BODY", "OBJECT", "SUBTITLE")):
            found.append(ph)
    return sorted(found, key=lambda s: (int(s.left or 0), int(s.top or 0)))


def _body_rooms(
    ctx: DeckContext, layout: SlideLayout
) -> tuple[tuple[tuple[int, int], TextStyle], ...]:
    """Text room and style of each body placeholder of a layout, in _layout_bodies' order."""

    def read() -> tuple[tuple[tuple[int, int], TextStyle], ...]:
        bodies = _layout_bodies(layout)
        return tuple((inner_size(ctx, ph), text_style(ctx, ph, title=False)) for ph in bodies)

    return memoized(ctx, ("body rooms", str(layout.part.partname)), read)


def _probe_inner(ctx: DeckContext, kind: str) -> tuple[tuple[int, int], TextStyle]:
    """Text room and style of a list slide's body, read from its layout."""
    choice = ctx.layouts[ctx.kinds[kind].layout]
    rooms = _body_rooms(ctx, choice.layout) if choice.exact else ()
    if rooms:
        return rooms[0]
    box = content_box(ctx, kind)
    return (box[2] - 2 * INSET_X, box[3] - 2 * INSET_Y), TextStyle(font=ctx.body_font)


def build_bullets(ctx: DeckContext, slide: Slide, kind: str = "bullets") -> None:
    """Bulleted list, two levels, with an optional lead line (``subtitle``).

    Sized to fit; a list too long for one slide continues on numbered slides "(2/2)"; an item
    too long for a slide of its own stops the build (TextTooLong).
    """
    lead = [Para(slide.subtitle, bold=True, space_before=0)] if slide.subtitle else []
    bullets = len(slide.items) > 1 or bool(lead)
    paras = item_paras(slide.items, bullets)
    inner, style = _probe_inner(ctx, kind)
    high = bounded(style.size, ctx.floor(BODY_FLOOR), BODY_CAP, ctx.body_max)
    size = fit_paras(ctx, [*lead, *paras], style, inner, high, ctx.floor(BODY_FLOOR))
    if size is not None:
        pages = [[*lead, *paras]]
    else:
        size = max(ctx.floor(BODY_FLOOR), min(high, ctx.floor(BODY_FLOOR) + 4))
        groups: list[list[Para]] = []
        for p in paras:  # a level-1 item stays with the item above it
            if p.level and groups:
                groups[-1].append(p)
            else:
                groups.append([p])
        page_size = size

        def fits(trial: list[Para]) -> bool:
            return fit_paras(ctx, [*lead, *trial], style, inner, page_size, page_size) is not None

        pages = [[*lead, *page] for page in paginate(groups, fits)]
        size = min(
            fit_paras(ctx, page, style, inner, high, ctx.floor(BODY_FLOOR)) or ctx.floor(BODY_FLOOR)
            for page in pages
        )
        for n, page in enumerate(pages, 1):
            if fit_paras(ctx, page, style, inner, size, size) is None:
                too_long(ctx, slide.title, "an item", page, style, inner, size, ahead=n)
    for new, page in paged_slides(ctx, kind, slide, pages):
        target = _list_target(ctx, new, kind)
        write_paras(ctx, target, page, size, style)


def build_agenda(ctx: DeckContext, slide: Slide) -> None:
    """Agenda: the topics ahead; more than seven in two columns."""
    if len(slide.items) <= 7:
        build_bullets(ctx, slide, "agenda")
        return
    new = new_slide(ctx, "agenda", slide, slide.title)
    remove_unused_placeholders(new, [])
    left, top, width, height = content_box(ctx, "agenda")
    half = math.ceil(len(slide.items) / 2)
    gap = int(width * 0.04)
    col_w = (width - gap) // 2
    chunks = [slide.items[:half], slide.items[half:]]
    sizes = []
    style = TextStyle(font=ctx.body_font)
    for chunk in chunks:
        inner = (col_w - INSET_X, height - INSET_Y)
        sizes.append(
            fit_paras(ctx, item_paras(chunk), style, inner, 24, ctx.floor(BODY_FLOOR))
            or ctx.floor(BODY_FLOOR)
        )
    size = min(sizes)
    for i, chunk in enumerate(chunks):
        textbox(
            ctx,
            new,
            (left + i * (col_w + gap), top, col_w, height),
            item_paras(chunk),
            size,
            size if i else ctx.floor(BODY_FLOOR),
            "the agenda",
            slide.title,
            name=f"Agenda {i + 1}",
        )


def build_closing(ctx: DeckContext, slide: Slide) -> None:
    """Closing slide: the ask (large, bold), then the visit and contact lines."""
    paras = (
        [Para(slide.subtitle, bold=True, scale=1.15, color="primary", space_before=0)]
        if slide.subtitle
        else []
    )
    paras += [Para(i.text, space_before=0.6) for i in slide.items]
    new = new_slide(ctx, "closing", slide, slide.title)
    target = _list_target(ctx, new, "closing")
    style = text_style(ctx, target, title=False)
    high = bounded(style.size, ctx.floor(BODY_FLOOR), BODY_CAP, ctx.body_max)
    size = fit_paras(ctx, paras, style, inner_size(ctx, target), high, ctx.floor(12))
    if size is None:
        too_long(ctx, slide.title, "the ask", paras, style, inner_size(ctx, target), ctx.floor(12))
    write_paras(ctx, target, paras, size, style)


def _column_paras(column: Column) -> list[Para]:
    return item_paras(column.items, bullets=True)


def build_two_columns(ctx: DeckContext, slide: Slide) -> None:
    """Two columns with a heading each; long columns continue on numbered slides."""
    choice = ctx.layouts["two-columns"]
    placeholders = _body_rooms(ctx, choice.layout)[:2] if choice.exact else ()
    columns = ([*list(slide.columns), Column(), Column()])[:2]
    if len(placeholders) == 2:
        inners = [inner for inner, _ in placeholders]
        styles = [style for _, style in placeholders]
        boxes: list[tuple[int, int, int, int]] = []
    else:
        left, top, width, height = content_box(ctx, "two-columns")
        gap = int(width * 0.04)
        col_w = (width - gap) // 2
        boxes = [(left + i * (col_w + gap), top, col_w, height) for i in range(2)]
        inners = [(col_w - 2 * INSET_X, height - 2 * INSET_Y)] * 2
        styles = [TextStyle(font=ctx.body_font)] * 2
    heads = [[Para(f"**{c.heading}**", space_before=0)] if c.heading else [] for c in columns]
    bodies = [_column_paras(c) for c in columns]
    high = min(bounded(s.size, ctx.floor(BODY_FLOOR), 24, 22) for s in styles)
    size = min(
        fit_paras(ctx, [*h, *b], st, inner, high, ctx.floor(BODY_FLOOR)) or 0
        for h, b, st, inner in zip(heads, bodies, styles, inners, strict=True)
    )
    pages: list[list[list[Para]]]
    if size:
        pages = [bodies]
    else:
        size = ctx.floor(BODY_FLOOR)
        split = []
        for h, b, st, inner in zip(heads, bodies, styles, inners, strict=True):

            def fits(
                t: list[Para],
                h: list[Para] = h,
                st: TextStyle = st,
                inner: tuple[int, int] = inner,
            ) -> bool:
                return fit_paras(ctx, [*h, *t], st, inner, size, size) is not None

            split.append(paginate([[p] for p in b], fits))
        count = max(len(s) for s in split)
        pages = [[s[n] if n < len(s) else [] for s in split] for n in range(count)]
    for new, page in paged_slides(ctx, "two-columns", slide, pages):
        targets = body_placeholders(ctx, new)[:2] if len(placeholders) == 2 else []
        for i, body in enumerate(page):
            paras = [*heads[i], *body]
            if targets:
                if (
                    fit_paras(ctx, paras, styles[i], inner_size(ctx, targets[i]), size, size)
                    is None
                ):
                    what = f"column {i + 1}"
                    too_long(
                        ctx, slide.title, what, paras, styles[i], inner_size(ctx, targets[i]), size
                    )
                write_paras(ctx, targets[i], paras, size, styles[i])
            else:
                textbox(
                    ctx,
                    new,
                    boxes[i],
                    paras,
                    size,
                    size,
                    f"column {i + 1}",
                    slide.title,
                    name=f"Column {i + 1}",
                    insets=(INSET_X, INSET_Y),
                )
        remove_unused_placeholders(new, targets)


def build_image(ctx: DeckContext, slide: Slide) -> None:
    """A picture fitted into the content area without distortion or cropping, with caption;
    with ``items``, the text on the left and the picture on the right. Text that does not fit
    beside the picture at the smallest body size gets a slide of its own before it "(1/2)"."""
    picture = slide.picture
    text_box = None
    if slide.items and picture is not None:
        left, top, width, height = content_box(ctx, "image")
        gap = int(width * 0.04)
        text_w = int((width - gap) * 0.48)
        paras = item_paras(slide.items, bullets=False)
        style = TextStyle(font=ctx.body_font)
        inner = (text_w - 2 * INSET_X, height - 2 * INSET_Y)
        if fit_paras(ctx, paras, style, inner, ctx.body_max, ctx.floor(BODY_FLOOR)) is None:
            room = main_room(ctx, slide)
            build_bullets(ctx, slide.model_copy(update={"title": paged_title(slide.title, 1, 2)}))
            after = slide.model_copy(update={"title": paged_title(slide.title, 2, 2), "items": []})
            build_image(ctx, after)
            if room < 2:
                defer_last(ctx, ctx.prs.slides[-1], after.title)
            return
        text_box = (left, top, text_w, height)
    new = new_slide(ctx, "image", slide, slide.title)
    if picture is None:
        remove_unused_placeholders(new, [])
        return
    # The layout's largest picture placeholder, or its content area, clear of the artwork.
    left, top, width, height = content_box(ctx, "image")
    if text_box is not None:
        shift = text_box[2] + int(width * 0.04)
        left, width = left + shift, width - shift
    remove_unused_placeholders(new, [])
    if text_box is not None:
        textbox(
            ctx,
            new,
            text_box,
            item_paras(slide.items, bullets=False),
            min(ctx.body_max, BODY_CAP),
            ctx.floor(BODY_FLOOR),
            "the text beside the picture",
            slide.title,
            name="Content",
            insets=(INSET_X, INSET_Y),
        )
    caption_h = 0
    caption_paras = (
        [Para(picture.caption, align=PP_ALIGN.CENTER, space_before=0)] if picture.caption else []
    )
    style = TextStyle(font=ctx.body_font)
    caption_size = 0.0
    if caption_paras:
        caption_size = fit_paras(
            ctx, caption_paras, style, (width - INSET_X, int(height * 0.2)), 16, ctx.floor(11)
        ) or ctx.floor(11)
        lines = _lines_needed(ctx, caption_paras, style, width - INSET_X, caption_size)
        caption_h = int((lines * caption_size * 1.2 + 6) * EMU_PER_PT)
    from PIL import Image as PILImage

    data = images.embeddable(Path(picture.path))
    with PILImage.open(data) as img:
        px_w, px_h = img.size
    data.seek(0)
    avail_h = height - caption_h - (int(Pt(4)) if caption_h else 0)
    scale = min(width / px_w, avail_h / px_h)
    w, h = int(px_w * scale), int(px_h * scale)
    x = left + (width - w) // 2
    pic = new.shapes.add_picture(data, Emu(x), Emu(top), Emu(w), Emu(h))
    set_name(pic, "Picture")
    set_alt(pic, picture.alt)
    if caption_paras:
        textbox(
            ctx,
            new,
            (left, top + h + int(Pt(4)), width, caption_h),
            caption_paras,
            caption_size,
            caption_size,
            "the caption",
            slide.title,
            name="Caption",
        )


def _lines_needed(
    ctx: DeckContext, paras: Sequence[Para], style: TextStyle, width: int, size: float
) -> int:
    from generator.theme.metrics import paragraph_lines

    return sum(
        paragraph_lines(p, style.font, size, width / EMU_PER_PT)
        for p in measured_paras(paras, style)
    )


#: This module's slide kinds: the layout each is built on and its builder (builder.KINDS).
KINDS: dict[str, Kind] = {
    "title": Kind("title", build_title),
    "agenda": Kind("bullets", build_agenda),
    "section": Kind("section", build_section),
    "statement": Kind("title-only", build_statement),
    "bullets": Kind("bullets", build_bullets),
    "two-columns": Kind("two-columns", build_two_columns),
    "image": Kind("image", build_image),
    "closing": Kind("bullets", build_closing),
}
