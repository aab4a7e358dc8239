"""What every slide kind is built with: the deck context, text measured and written, slides and
their pages.

Contract: a slide kind's builder (:mod:`generator.deck.slides_text`, ``slides_figures``,
``slides_tools``) gets a :class:`DeckContext` and a tree slide; it makes its slides with
:func:`new_slide` or :func:`paged_slides` (continuation pages "(2/2)", the main slides' cap), sizes
text with :func:`fit_paras` between the template's sizes and the floors here, writes it with
:func:`write_paras` or :func:`textbox`, and stops the build with :func:`too_long` where text does
not fit at the smallest size (text is never cut). What is read from the template is kept in the
context's memo (shared by the decks on the same template).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, NoReturn, TypeVar

from lxml import etree
from pptx.dml.color import RGBColor
from pptx.parts.slide import SlideLayoutPart, SlidePart
from pptx.presentation import Presentation
from pptx.shapes.placeholder import SlidePlaceholder
from pptx.shapes.shapetree import SlideShapeFactory
from pptx.slide import Slide as PptxSlide
from pptx.slide import SlideLayout
from pptx.util import Emu, Pt

from generator.compose.doctree import Item, Slide
from generator.compose.inline import escape, plain, runs
from generator.deck.layouts import (
    LayoutChoice,
    content_area,
    placeholder_roles,
)
from generator.errors import TextTooLong
from generator.ooxml.geometry import INSET_X, INSET_Y
from generator.ooxml.pptx_fast import (
    AFTER_FILL,
    SP,
    NotesPages,
    add_runs,
    add_slide,
    add_textbox,
    clear_text_frame,
    empty_pPr,
    insert_before,
    other_placeholders,
    ph_idx,
    placeholder_element,
    qn,
    set_fill,
    set_name,
    set_notes_text,
    title_shape,
)
from generator.theme.colour import luminance
from generator.theme.metrics import EMU_PER_PT, Paragraph, fit_size
from generator.theme.themes import Theme

T = TypeVar("T")


# Bounds around the template's own sizes: a template's 44 pt title or 32 pt body is meant for
# five words; a pitch slide needs room, and below these minimums a room cannot read it.
TITLE_CAP, TITLE_FLOOR = 40.0, 20.0


STATEMENT_CAP = 40.0


BACKUP_NAME = "Back-up"  # p:cSld/@name of a back-up slide


STATEMENT_NAME = "Statement"  # the title shape of a statement slide (a sentence, not a title)


BODY_CAP, BODY_FLOOR = 28.0, 14.0


SMALL_FLOOR = 10.0  # labels in figures (timeline, hats, numbers, table cells)


# The height of the 16:9 and 4:3 standard slides (7.5 inches), for which the sizes above are
# meant; a smaller slide scales its floors (DeckContext.floor).
STANDARD_HEIGHT = 6858000


@dataclass(frozen=True)
class Kind:
    """A slide kind as the deck builds it: the layout it is built on (one of
    layouts.SLIDE_KINDS) and its builder function. Each slide kinds' module lists its own
    (``KINDS``); the builder puts them together (builder.KINDS)."""

    layout: str
    build: Callable[[DeckContext, Slide], None]


@dataclass(frozen=True)
class TextStyle:
    """What the template gives a placeholder's text: size, bold, all caps, typeface."""

    size: float | None = None
    bold: bool = False
    caps: bool = False
    font: str | None = None
    # Formatting a template keeps only in its placeholders' sample text (LibreOffice writes no
    # list styles): written on every run, so the slide looks like the template.
    explicit_bold: bool = False
    explicit_color: str | None = None
    explicit_font: str | None = None


@dataclass(frozen=True)
class Para:
    """A paragraph to write: inline Markdown, list level, bullet, emphasis, colour role."""

    text: str
    level: int = 0
    bullet: bool = False
    bold: bool = False
    scale: float = 1.0
    color: str | None = None
    align: Any = None
    space_before: float = 0.3
    italic: bool = False


@dataclass
class DeckContext:
    """What slide builder functions share while one deck is built."""

    prs: Presentation
    theme: Theme
    language: str
    layouts: dict[str, LayoutChoice]
    body_font: str | None
    heading_font: str | None
    palette: dict[str, str]
    title_max: float = 36.0
    body_max: float = 24.0
    warnings: list[str] = field(default_factory=list)
    slide_no: int = 0
    author: str = ""  # the deck's author (the municipality): the logo's alt text
    # The slide kinds, by name: their layouts and builders (builder.KINDS).
    kinds: Mapping[str, Kind] = field(default_factory=dict)
    # The audience's cap on main slides, the main slides built so far and those still to come
    # (tree slides): pages beyond the cap continue in the back-up (paged_slides). The continuation
    # pages' p:sldId elements, and the first back-up slide's, to move them before it at the end.
    main_cap: int | None = None
    main_built: int = 0
    main_after: int = 0
    deferred: list[Any] = field(default_factory=list)
    first_backup: Any = None
    fallbacks_used: set[str] = field(default_factory=set)
    areas: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)
    # What was measured on the template's layouts (see TemplateFacts.memo); shared by the decks
    # built on the same template and theme settings.
    memo: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    # The deck's notes pages (the first as python-pptx made it, and their part names).
    notes_pages: NotesPages = field(default_factory=NotesPages)
    # The elements (p:sld, p:notes) of the deck's slides and their notes pages, as made.
    pages: list[Any] = field(default_factory=list)
    # The part name of each slide's layout, by id() of the slide's part (kept in the package
    # while the deck is built, so no id is reused).
    layout_names: dict[int, str] = field(default_factory=dict)
    # The slide's height to the standard 7.5 inches, at most 1 (see floor).
    scale: float = 1.0

    def rgb(self, name: str) -> RGBColor:
        """A colour by palette role (primary, accent, text, background) or as RRGGBB."""
        value = self.palette.get(name, name)
        return RGBColor.from_string(value.lstrip("#").upper())

    def floor(self, size: float) -> float:
        """A smallest size (pt) for this deck's slide: ``size`` on a slide 7.5 inches high (the
        16:9 and 4:3 standards), in proportion on a smaller one (a Google Slides export is 5.63
        inches high: 14 pt there is 10.5 pt), so that text is as readable on the screen. Half
        points, as the fit steps below 14 pt."""
        return size if self.scale >= 1 else round(size * self.scale * 2) / 2

    def warn(self, title: str, message: str) -> None:
        """A warning that names the slide (number and title) it concerns."""
        self.warnings.append(f"slide {self.slide_no} '{plain(title)[:60]}': {message}")

    @property
    def width(self) -> int:
        return int(self.prs.slide_width or 12192000)

    @property
    def height(self) -> int:
        return int(self.prs.slide_height or 6858000)


def mix(a: str, b: str, t: float) -> str:
    """Colour ``a`` moved a fraction ``t`` towards ``b`` (RRGGBB strings)."""
    ca = [int(a[i : i + 2], 16) for i in (0, 2, 4)]
    cb = [int(b[i : i + 2], 16) for i in (0, 2, 4)]
    return "".join(f"{round(x + (y - x) * t):02X}" for x, y in zip(ca, cb, strict=True))


def on_colour(fill: str) -> str:
    """Black or white, whichever reads better on ``fill`` (WCAG contrast)."""
    lum = luminance(fill)
    return "1A1A1A" if (lum + 0.05) / 0.05 > 1.05 / (lum + 0.05) else "FFFFFF"


def bounded(value: float | None, low: float, high: float, default: float) -> float:
    return default if value is None else max(low, min(high, value))


# What a placeholder may set for itself instead of inheriting it, by what is measured.
_OWN = {
    "style": f"{qn('p:txBody')}/{qn('a:lstStyle')}/{qn('a:lvl1pPr')}/{qn('a:defRPr')}",
    "insets": f"{qn('p:txBody')}/{qn('a:bodyPr')}",
    "box": f"{qn('p:spPr')}/{qn('a:xfrm')}",
}


_INSET_ATTRS = ("lIns", "tIns", "rIns", "bIns")


def _layout_key(ctx: DeckContext, shape: Any, what: str) -> tuple[Any, ...] | None:
    """A memo key for ``what`` ("style", "insets" or "box") of ``shape`` when the template alone
    decides it, else None.

    That is a layout placeholder (part of the template), or a slide placeholder that sets none
    of ``what`` itself and so inherits it from its layout's placeholder with the same idx: what
    python-pptx makes of a layout's placeholders on a new slide. Text boxes and other shapes,
    and placeholders with values of their own, are measured each time.
    """
    element = shape.element
    ph = placeholder_element(element)
    if ph is None:
        return None
    part = shape.part
    idx = int(ph.get("idx", "0"))  # CT_Placeholder.idx, without its attribute descriptor
    if isinstance(part, SlideLayoutPart):
        return (what, "layout", str(part.partname), idx)
    if not isinstance(part, SlidePart):
        return None
    own = element.find(_OWN[what])
    if own is not None and (what != "insets" or any(own.get(a) for a in _INSET_ATTRS)):
        return None
    # A slide's layout never changes: its part name is looked up once per slide and deck.
    layout_name = ctx.layout_names.get(id(part))
    if layout_name is None:
        layout_name = ctx.layout_names[id(part)] = str(part.slide_layout.part.partname)
    return (what, "slide", layout_name, idx)


def memoized(ctx: DeckContext, key: tuple[Any, ...] | None, measure: Callable[[], T]) -> T:
    """``measure()``, kept in the template's memo under ``key`` (None: not kept)."""
    if key is None:
        return measure()
    if key not in ctx.memo:
        ctx.memo[key] = measure()
    return ctx.memo[key]


def _style_chain(shape: Any) -> list[Any]:
    """The shape, then the layout and master placeholders it inherits from."""
    chain = [shape]
    current = shape
    for _ in range(2):
        try:
            base = current._base_placeholder
        except (AttributeError, KeyError, ValueError):
            base = None
        if base is None:
            break
        chain.append(base)
        current = base
    return chain


def text_style(ctx: DeckContext, shape: Any, title: bool) -> TextStyle:
    """Size, bold, caps and font the template gives a placeholder's first-level text."""
    key = _layout_key(ctx, shape, "style")
    return memoized(ctx, key and (*key, title), lambda: _read_text_style(ctx, shape, title))


def _read_text_style(ctx: DeckContext, shape: Any, title: bool) -> TextStyle:
    """text_style, read from the shape and what it inherits."""
    size: float | None = None
    bold = caps = False
    font: str | None = None
    decided: set[str] = set()
    sources = [
        el.find(f"{qn('p:txBody')}/{qn('a:lstStyle')}/{qn('a:lvl1pPr')}/{qn('a:defRPr')}")
        for el in (s.element for s in _style_chain(shape))
        if el is not None
    ]
    master = ctx.prs.slide_masters[0].element
    style = "titleStyle" if title else "bodyStyle"
    sources.append(
        master.find(f"{qn('p:txStyles')}/{qn('p:' + style)}/{qn('a:lvl1pPr')}/{qn('a:defRPr')}")
    )
    # Last: the run properties of the layout's or master's sample text (what LibreOffice writes).
    samples = []
    for el in (s.element for s in _style_chain(shape)[1:]):
        for path in (
            f"{qn('p:txBody')}/{qn('a:p')}/{qn('a:r')}/{qn('a:rPr')}",
            f"{qn('p:txBody')}/{qn('a:p')}/{qn('a:endParaRPr')}",
        ):
            found = el.find(path)
            if found is not None:
                samples.append(found)
    explicit: dict[str, Any] = {}
    for rpr in [*sources, *samples]:
        if rpr is None:
            continue
        weak = rpr in samples
        if "sz" not in decided and rpr.get("sz"):
            size = int(rpr.get("sz")) / 100
            decided.add("sz")
        if "b" not in decided and rpr.get("b") is not None:
            bold = rpr.get("b") in ("1", "true")
            decided.add("b")
            if weak and bold:
                explicit["bold"] = True
        if "cap" not in decided and rpr.get("cap") is not None:
            caps = rpr.get("cap") == "all"
            decided.add("cap")
        latin = rpr.find(qn("a:latin"))
        if "font" not in decided and latin is not None and latin.get("typeface"):
            font = latin.get("typeface")
            decided.add("font")
            if weak and not font.startswith("+"):
                explicit["font"] = font
        srgb = rpr.find(f"{qn('a:solidFill')}/{qn('a:srgbClr')}")
        if "color" not in decided and (rpr.find(qn("a:solidFill")) is not None):
            decided.add("color")
            if weak and srgb is not None:
                explicit["color"] = srgb.get("val", "").upper() or None
    if font == "+mj-lt":
        font = ctx.heading_font
    elif font is None or font.startswith("+"):
        font = ctx.heading_font if title and font is None else ctx.body_font
    if title and ctx.theme.spec.fonts.heading:
        font = ctx.theme.spec.fonts.heading
    if not title and ctx.theme.spec.fonts.body:
        font = ctx.theme.spec.fonts.body
    return TextStyle(
        size,
        bold,
        caps,
        font,
        explicit_bold=bool(explicit.get("bold")),
        explicit_color=explicit.get("color"),
        explicit_font=explicit.get("font") if font == explicit.get("font") else None,
    )


def text_insets(ctx: DeckContext, shape: Any) -> tuple[int, int, int, int]:
    """Inner margins (left, top, right, bottom) of a text shape, as inherited, in EMU."""
    return memoized(ctx, _layout_key(ctx, shape, "insets"), lambda: _read_insets(shape))


def _read_insets(shape: Any) -> tuple[int, int, int, int]:
    """text_insets, read from the shape and what it inherits."""
    values: dict[str, int] = {}
    for s in _style_chain(shape):
        body_pr = s.element.find(f"{qn('p:txBody')}/{qn('a:bodyPr')}")
        if body_pr is None:
            continue
        for attr in ("lIns", "tIns", "rIns", "bIns"):
            if attr not in values and body_pr.get(attr) is not None:
                values[attr] = int(body_pr.get(attr))
    return (
        values.get("lIns", INSET_X),
        values.get("tIns", INSET_Y),
        values.get("rIns", INSET_X),
        values.get("bIns", INSET_Y),
    )


# -- text: measuring and writing -------------------------------------------------------------

BULLET_INDENT_PT = 20.0  # left margin per level; the bullet hangs in it


def para_indent(para: Para) -> float:
    return BULLET_INDENT_PT * (para.level + (1 if para.bullet else 0))


def measured_paras(paras: Sequence[Para], style: TextStyle) -> list[Paragraph]:
    out = []
    for p in paras:
        spans = tuple((r.text, r.bold or p.bold or style.bold) for r in runs(p.text)) or (
            ("", False),
        )
        out.append(
            Paragraph(
                plain(p.text),
                scale=p.scale,
                indent_pt=para_indent(p),
                space_before=p.space_before,
                spans=spans,
                caps=style.caps,
            )
        )
    return out


def inner_size(ctx: DeckContext, shape: Any) -> tuple[int, int]:
    """Width and height available for text inside a shape (its box less its margins)."""
    left, top, right, bottom = text_insets(ctx, shape)
    _, _, width, height = shape_box(ctx, shape)
    return int(width) - left - right, int(height) - top - bottom


def shape_box(ctx: DeckContext, shape: Any) -> tuple[Any, Any, Any, Any]:
    """A shape's left, top, width and height as python-pptx gives them: inherited, in EMU
    (Length), None where nothing sets them."""
    return memoized(
        ctx,
        _layout_key(ctx, shape, "box"),
        lambda: (shape.left, shape.top, shape.width, shape.height),
    )


def fit_paras(
    ctx: DeckContext,
    paras: Sequence[Para],
    style: TextStyle,
    inner: tuple[int, int],
    high: float,
    low: float,
    whole_words: bool = False,
) -> float | None:
    return fit_size(
        measured_paras(paras, style),
        style.font,
        inner[0],
        inner[1],
        high,
        low,
        inset_emu=(0, 0),
        whole_words=whole_words,
    )


def too_long(
    ctx: DeckContext,
    title: str,
    what: str,
    paras: Sequence[Para],
    style: TextStyle,
    inner: tuple[int, int],
    size: float,
    ahead: int = 0,
) -> NoReturn:
    """Stop the build: ``paras`` do not fit ``inner`` even at ``size``, the smallest allowed
    (on the slide ``ahead`` slides after the last one made).

    Names the longest paragraph (the text to shorten) and about how many of its words would
    fit beside the others; text is never cut nor written smaller (issue #13)."""
    longest = max(range(len(paras)), key=lambda i: len(plain(paras[i].text).split()), default=0)
    words = plain(paras[longest].text).split() if paras else []
    low, high = 0, len(words)  # the most words of it that fit: a binary search

    def fits(count: int) -> bool:
        trial = list(paras)
        trial[longest] = replace(paras[longest], text=escape(" ".join(words[:count])))
        return fit_paras(ctx, trial, style, inner, size, size) is not None

    if not fits(0):
        high = -1  # the other paragraphs alone do not fit
    while low < high:
        mid = (low + high + 1) // 2
        if fits(mid):
            low = mid
        else:
            high = mid - 1
    raise TextTooLong(
        plain(paras[longest].text) if paras else "",
        what,
        size,
        max(high, 0) if high >= 0 else 0,
        ctx.slide_no + ahead,
        plain(title),
    )


def write_paras(
    ctx: DeckContext,
    shape: Any,
    paras: Sequence[Para],
    size: float,
    style: TextStyle | None = None,
    anchor: Any = None,
) -> None:
    """Write paragraphs into a shape's text frame at ``size`` with explicit spacing.

    The paragraphs and runs are written with lxml, element for element what python-pptx's
    paragraph, run and font setters write, without their lookups per property.
    """
    body = shape.text_frame._txBody
    clear_text_frame(body, anchor)
    font = style.font if style else ctx.body_font
    typeface = (
        style.explicit_font
        if style and style.explicit_font
        else font
        if font and ctx.theme.spec.fonts.body
        else None
    )
    for i, para in enumerate(paras):
        p = body.find(qn("a:p")) if i == 0 else etree.SubElement(body, qn("a:p"))
        s = size * para.scale
        pPr = empty_pPr(p)
        margin = para_indent(para)
        pPr.set("marL", str(int(margin * EMU_PER_PT)))
        pPr.set("indent", str(int(-BULLET_INDENT_PT * EMU_PER_PT) if para.bullet else 0))
        pPr.set("lvl", str(min(para.level, 8)))
        if para.align is not None:
            pPr.algn = para.align
        ln = etree.SubElement(pPr, qn("a:lnSpc"))
        etree.SubElement(ln, qn("a:spcPct")).set("val", "100000")
        before = etree.SubElement(pPr, qn("a:spcBef"))
        etree.SubElement(before, qn("a:spcPts")).set(
            "val", str(0 if i == 0 else round(para.space_before * s * 100))
        )
        if para.bullet:
            clr = etree.SubElement(pPr, qn("a:buClr"))
            etree.SubElement(clr, qn("a:srgbClr")).set("val", ctx.palette["accent"])
            etree.SubElement(pPr, qn("a:buChar")).set("char", "•" if para.level == 0 else "–")
        else:
            etree.SubElement(pPr, qn("a:buNone"))
        color = para.color or (style.explicit_color if style else None)
        add_runs(
            shape.part,
            p,
            runs(para.text),
            s,
            str(ctx.rgb(color)) if color else None,
            para.bold or bool(style and style.explicit_bold),
            para.italic,
            typeface,
        )
        end = p.find(qn("a:endParaRPr"))
        if end is None:
            end = etree.SubElement(p, qn("a:endParaRPr"))
        end.set("sz", str(round(s * 100)))


def textbox(
    ctx: DeckContext,
    slide: PptxSlide,
    box: tuple[int, int, int, int],
    paras: Sequence[Para],
    high: float,
    low: float,
    what: str,
    title: str,
    anchor: Any = None,
    whole_words: bool = False,
    name: str | None = None,
    insets: tuple[int, int] = (INSET_Y, INSET_Y // 2),
    font: str | None = None,
) -> tuple[Any, float]:
    """A text box measured to fit ``box``; stops the build (TextTooLong, naming ``what``) when
    even ``low`` is too big."""
    width, height = int(box[2]), int(box[3])
    tb = add_textbox(slide, box, name or None)
    tf = tb.text_frame
    tf.margin_left = tf.margin_right = Emu(insets[0])
    tf.margin_top = tf.margin_bottom = Emu(insets[1])
    style = TextStyle(font=font or ctx.body_font)
    inner = (width - 2 * insets[0], height - 2 * insets[1])
    size = fit_paras(ctx, paras, style, inner, high, low, whole_words)
    if size is None and whole_words:
        size = fit_paras(ctx, paras, style, inner, high, low)
    if size is None:
        too_long(ctx, title, what, paras, style, inner, low)
    write_paras(ctx, tb, paras, size, style, anchor)
    return tb, size


def item_paras(items: Sequence[Item], bullets: bool = True) -> list[Para]:
    return [
        Para(i.text, level=i.level, bullet=bullets, scale=0.9 if i.level else 1.0) for i in items
    ]


# -- slides, titles, placeholders --------------------------------------------------------------


def new_slide(
    ctx: DeckContext, kind: str, slide: Slide, title: str, notes: str = "", fill: bool = True
) -> Any:
    """A slide on the layout for ``kind`` with its title written and notes set.

    Shapes added to the slide through its ``shapes`` take ids counted on from the highest id on
    the slide (python-pptx's turbo-add): the ids python-pptx finds by searching the slide for
    each shape, as long as every shape goes through this one Slide object and the count starts
    again where shapes are removed (remove_unused_placeholders) or added elsewhere (a group's
    shapes, _draw_hat).
    """
    layout_kind = ctx.kinds[kind].layout
    choice = ctx.layouts[layout_kind]
    ctx.slide_no += 1
    new = add_slide(ctx.prs, choice.layout, ctx.memo)
    new.shapes.turbo_add_enabled = True
    if slide.backup:  # the slide's own name says it is back-up (pitchkit check counts on it)
        new.element.find(qn("p:cSld")).set("name", BACKUP_NAME)
        if ctx.first_backup is None:
            ctx.first_backup = ctx.prs.slides._sldIdLst[-1]
    else:
        ctx.main_built += 1
    automatic = layout_kind not in ctx.theme.spec.layouts
    if not choice.exact and automatic and layout_kind not in ctx.fallbacks_used:
        ctx.fallbacks_used.add(layout_kind)
        ctx.warn(
            title,
            f"the template has no layout for '{layout_kind}' slides ({choice.reason}); "
            "the content is placed inside the master's margins",
        )
    heading = title_shape(new)
    if heading is None:
        left, top, width, height = title_box(ctx)
        heading = add_textbox(new, (left, top, width, height), "Title")
    if fill:
        fill_title(ctx, heading, title)
    notes_page = ctx.notes_pages.add(ctx.prs, new)
    set_notes_text(notes_page, notes or slide.notes)
    ctx.pages.extend((new.element, notes_page))
    return new


def title_box(ctx: DeckContext) -> tuple[int, int, int, int]:
    """Where a title goes on a layout without a title placeholder: the master's title box."""
    return memoized(ctx, ("title box",), lambda: _read_title_box(ctx))


def _read_title_box(ctx: DeckContext) -> tuple[int, int, int, int]:
    """title_box, read from the master."""
    # python-pptx 1.0's hint on iterating placeholders is wrong: mypy refuses what works.
    for ph in ctx.prs.slide_masters[0].placeholders:  # type: ignore[misc]
        if ph.placeholder_format.type is not None and "TITLE" in str(ph.placeholder_format.type):
            return int(ph.left), int(ph.top), int(ph.width), int(ph.height)
    return (
        int(ctx.width * 0.06),
        int(ctx.height * 0.05),
        int(ctx.width * 0.88),
        int(ctx.height * 0.15),
    )


def fill_title(ctx: DeckContext, shape: Any, text: str) -> None:
    """The title in the largest size that fits (template's size as the top), never cut: a title
    that does not fit at the smallest size stops the build (TextTooLong)."""
    style = text_style(ctx, shape, title=True)
    high = bounded(style.size, ctx.floor(TITLE_FLOOR), TITLE_CAP, ctx.title_max)
    low = max(ctx.floor(TITLE_FLOOR), round(high * 0.55))
    inner = inner_size(ctx, shape)
    shown = plain(text)
    size = fit_paras(ctx, [Para(shown)], style, inner, high, low)
    if size is None:
        too_long(ctx, text, "the title", [Para(shown)], style, inner, low)
    if placeholder_element(shape.element) is None:
        set_name(shape, "Title")
    if ctx.theme.spec.fonts.heading:  # theme.yaml's heading font, written on every run
        style = replace(style, explicit_font=ctx.theme.spec.fonts.heading)
    write_paras(ctx, shape, [Para(escape(shown), space_before=0)], size, style)


def body_placeholders(ctx: DeckContext, slide: PptxSlide) -> list[Any]:
    """Body/object placeholders of a slide, left to right then top to bottom; not the small
    extra ones of its layout (a source line or footnote: layouts.placeholder_roles' notes)."""
    placeholders = slide.placeholders
    layout = slide.slide_layout
    notes = memoized(ctx, ("notes", str(layout.part.partname)), lambda: note_idx(layout))
    found = [
        # What SlideShapeFactory makes of a p:sp placeholder of these types, without its XPath.
        SlidePlaceholder(element, placeholders)
        if element.tag == SP
        else SlideShapeFactory(element, placeholders)
        for element, ph in other_placeholders(slide)
        if any(k in str(ph.type) for k in ("BODY", "OBJECT", "SUBTITLE"))
        and ph_idx(ph) not in notes
    ]
    return sorted(found, key=lambda s: (shape_box(ctx, s)[0] or 0, shape_box(ctx, s)[1] or 0))


def content_box(ctx: DeckContext, kind: str) -> tuple[int, int, int, int]:
    """The content area of the layout used for ``kind`` (measured once per deck and kind)."""
    if kind not in ctx.areas:
        ctx.areas[kind] = content_area(ctx.prs, ctx.layouts[ctx.kinds[kind].layout].layout)
    return ctx.areas[kind]


def even_chunks(items: Sequence[Any], per: int) -> list[list[Any]]:
    """``items`` in as few slides of at most ``per`` as possible, spread evenly (4+3, not 6+1)."""
    if not items:
        return [[]]
    count = math.ceil(len(items) / per)
    base, extra = divmod(len(items), count)
    out, start = [], 0
    for i in range(count):
        size = base + (1 if i < extra else 0)
        out.append(list(items[start : start + size]))
        start += size
    return out


def paged_title(title: str, index: int, count: int) -> str:
    return title if count == 1 else f"{title} ({index}/{count})"


def paged_slides(
    ctx: DeckContext, kind: str, slide: Slide, pages: Sequence[T]
) -> Iterator[tuple[Any, T]]:
    """A new slide per page of ``slide``, titled and noted "(n/m)" when there are several.

    Long content never makes a longer deck: a main slide's pages beyond the audience's cap
    (``ctx.main_cap``, counting the main slides still to come) continue in the back-up, at the
    start of it, with a warning."""
    room = main_room(ctx, slide)
    for n, page in enumerate(pages, 1):
        title = paged_title(slide.title, n, len(pages))
        new = new_slide(ctx, kind, slide, title, continued_notes(slide, n, len(pages)))
        if n > room:
            defer_last(ctx, new, title if n == room + 1 else None)
        yield new, page


def main_room(ctx: DeckContext, slide: Slide) -> int:
    """How many slides ``slide`` may take in the main part (at least one)."""
    if ctx.main_cap is None or slide.backup:
        return 1_000_000
    return max(1, ctx.main_cap - ctx.main_built - ctx.main_after)


def defer_last(ctx: DeckContext, new: PptxSlide, warn_title: str | None) -> None:
    """The slide just made (``new``) continues in the back-up (see _move_to_backup)."""
    new.element.find(qn("p:cSld")).set("name", BACKUP_NAME)
    ctx.main_built -= 1
    ctx.deferred.append(ctx.prs.slides._sldIdLst[-1])
    if warn_title is not None:
        ctx.warn(
            warn_title,
            f"too long for one slide within the {ctx.main_cap} main slides of this "
            "audience: it continues in the back-up after the closing slide; shorten it",
        )


def paginate(
    groups: Sequence[Sequence[Para]],
    fits: Callable[[list[Para]], bool],
) -> list[list[Para]]:
    """Groups of paragraphs packed greedily into pages on which ``fits`` holds."""
    pages: list[list[Para]] = [[]]
    for group in groups:
        trial = [*pages[-1], *group]
        if pages[-1] and not fits(trial):
            pages.append(list(group))
        else:
            pages[-1] = trial
    return pages


def continued_notes(slide: Slide, index: int, count: int) -> str:
    return slide.notes if count == 1 or index == 1 else f"({index}/{count}) {slide.notes}"


def note_idx(layout: SlideLayout) -> frozenset[int]:
    """The idx of a layout's small extra text placeholders (source lines, footnotes)."""
    return frozenset(s.placeholder_format.idx for s in placeholder_roles(layout)["note"])


def set_alt(shape: Any, alt: str) -> None:
    """Alt text (descr) on a shape's non-visual properties, read by screen readers and PDF tags;
    ``alt`` is inline Markdown (its visible text is written)."""
    for tag in ("p:cNvPr",):
        cNvPr = shape.element.find(".//" + qn(tag))
        if cNvPr is not None:
            cNvPr.set("descr", plain(alt))


def solid(ctx: DeckContext, shape: Any, color: str, line: str | None = None) -> None:
    """An autoshape (p:sp) filled with ``color``, outlined 1.25 pt in ``line`` or not at all,
    and its text emptied: written with lxml, element for element what python-pptx's
    ``fill.solid()``, ``fill.fore_color.rgb``, ``line.color.rgb``, ``line.width``,
    ``line.fill.background()`` and ``text_frame.text = ""`` write."""
    sp = shape.element
    spPr = sp.find(qn("p:spPr"))
    set_fill(spPr, AFTER_FILL["spPr"], str(ctx.rgb(color)))
    ln = spPr.find(qn("a:ln"))
    if ln is None:
        ln = insert_before(spPr, qn("a:ln"), AFTER_FILL["spPr"][1:])
    if line:
        set_fill(ln, AFTER_FILL["ln"], str(ctx.rgb(line)))
        ln.set("w", str(Pt(1.25)))
    else:
        set_fill(ln, AFTER_FILL["ln"], None)
    body = sp.get_or_add_txBody()
    for p in body.findall(qn("a:p")):
        body.remove(p)
    etree.SubElement(body, qn("a:p"))
