"""Build a .pptx from a Deck tree on the theme's own PowerPoint template.

Contract: :func:`build_deck` returns the bytes of a presentation with one slide per tree slide (plus
numbered continuation slides "(2/2)" where a list, table or timeline does not fit), and the warnings
a reader should see (a layout the template lacks, a page moved to the back-up), each naming the
slide. Text is never cut: a text that does not fit its box even at the smallest size allowed there
raises :class:`~generator.errors.TextTooLong` (the build names its content field). Every text is
written in an explicit size, measured with real font metrics (:mod:`generator.theme.metrics`) to fit
its box and chosen within the template's own sizes; paragraph spacing, margins and bullets are
written explicitly so that the measurement holds whatever the template's styles say. Every slide has
a title and speaker notes, every picture, chart and drawn figure alt text, every run the deck's
language tag. The template's masters, layouts, theme colours and fonts are kept and its example
slides removed. It reads nothing but the tree, the theme and the pictures the tree names. One
builder function per slide kind (:data:`SLIDE_BUILDERS`).
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from lxml import etree
from pptx.dml.color import RGBColor
from pptx.enum.chart import (
    XL_CHART_TYPE,
    XL_LABEL_POSITION,
    XL_LEGEND_POSITION,
    XL_TICK_LABEL_POSITION,
)
from pptx.enum.shapes import MSO_SHAPE, PP_PLACEHOLDER
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.parts.slide import SlideLayoutPart, SlidePart
from pptx.shapes.placeholder import SlidePlaceholder
from pptx.shapes.shapetree import SlideShapeFactory
from pptx.table import _Cell
from pptx.util import Cm, Emu, Pt

from generator.compose.doctree import Chart, Column, Deck, Item, Slide
from generator.compose.inline import escape, plain, runs
from generator.compose.selection import BACKUP_SLIDE_CAP
from generator.content import images
from generator.deck.layouts import (
    LayoutChoice,
    content_area,
    match_layouts,
    open_template,
    placeholder_roles,
    remove_all_slides,
    template_fingerprint,
    template_warnings,
)
from generator.errors import TextTooLong
from generator.ooxml.geometry import INSET_X, INSET_Y
from generator.ooxml.namespaces import A as A_NS
from generator.ooxml.package import package_bytes
from generator.ooxml.pptx_fast import (
    AFTER_FILL,
    SP,
    CachedChartData,
    NotesPages,
    add_runs,
    add_shape,
    add_slide,
    add_textbox,
    clear_text_frame,
    decorative,
    empty_pPr,
    insert_before,
    no_autofit,
    other_placeholders,
    ph_idx,
    placeholder_element,
    qn,
    remove_unused_placeholders,
    set_fill,
    set_name,
    set_notes_text,
    title_shape,
)
from generator.theme.colour import luminance
from generator.theme.fonts import part_theme_fonts
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

# Which layout (layouts.SLIDE_KINDS) each slide kind is built on.
LAYOUT_OF = {
    "title": "title",
    "agenda": "bullets",
    "section": "section",
    "statement": "title-only",
    "bullets": "bullets",
    "closing": "bullets",
    "two-columns": "two-columns",
    "image": "image",
    "table": "title-only",
    "matrix": "title-only",
    "numbers": "title-only",
    "timeline": "title-only",
    "chart": "title-only",
    "balance": "title-only",
    "hats": "title-only",
}

HAT_COLORS = {  # De Bono's hats; the white one gets an outline
    "white": "FFFFFF",
    "red": "C8102E",
    "black": "1A1A1A",
    "yellow": "F2C200",
    "green": "2E8540",
    "blue": "1F5FB4",
}


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

    prs: Any
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
    # The audience's cap on main slides, the main slides built so far and those still to come
    # (tree slides): pages beyond the cap continue in the back-up (_paged). The continuation
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


@dataclass
class TemplateFacts:
    """What a template and a theme's settings decide for every deck built on them.

    The fonts, the palette, the largest title and body sizes, and a memo of what the slide
    builders measure on the template's masters and layouts (placeholder styles, margins and
    boxes, the text room of list layouts, the master's title box) and of the placeholders a new
    slide gets from each layout (copied, never changed), keyed by what was measured. Slides
    only ever inherit from the layouts, so a deck's own slides never change these.
    """

    body_font: str | None
    heading_font: str | None
    palette: dict[str, str]
    title_max: float
    body_max: float
    memo: dict[tuple[Any, ...], Any]


# Per worker process: facts by (template fingerprint, theme.yaml's settings). The same template
# file opens to the same layouts (layouts.template_fingerprint), so decks share their facts.
_FACTS: dict[tuple[str, str], TemplateFacts] = {}


def _template_facts(prs: Any, theme: Theme, layouts: dict[str, LayoutChoice]) -> TemplateFacts:
    """The facts for ``prs`` (opened from ``theme``'s template) and ``theme``'s settings.

    Read from the template once per process and file; a presentation not opened with
    layouts.open_template has no fingerprint and gets facts of its own.
    """
    fingerprint = template_fingerprint(prs)
    # Only what theme.yaml sets: a colour it sets wins over the template's, even the default.
    key = (fingerprint or "", theme.spec.model_dump_json(exclude_unset=True))
    if fingerprint is not None and key in _FACTS:
        return _FACTS[key]
    ctx = DeckContext(
        prs=prs,
        theme=theme,
        language="",
        layouts=layouts,
        body_font=theme.spec.fonts.body or part_theme_fonts(prs.slide_masters[0].part).minor,
        heading_font=theme.spec.fonts.heading or part_theme_fonts(prs.slide_masters[0].part).major,
        palette=_palette(prs, theme),
    )
    _title_colour_as_primary(ctx)
    facts = TemplateFacts(
        body_font=ctx.body_font,
        heading_font=ctx.heading_font,
        palette=ctx.palette,
        title_max=_bounded(_master_size(prs, "titleStyle"), 28.0, TITLE_CAP, 36.0),
        body_max=_bounded(_master_size(prs, "bodyStyle"), 18.0, BODY_CAP, 24.0),
        memo=ctx.memo,
    )
    if fingerprint is not None:
        _FACTS[key] = facts
    return facts


def build_deck(deck: Deck, theme: Theme, created: dt.datetime) -> tuple[bytes, list[str]]:
    """Write the deck (see the module contract); return its bytes (entry times fixed, as
    :func:`~generator.ooxml.package.package_bytes` writes them) and warnings."""
    prs = open_template(theme.deck_template)
    remove_all_slides(prs)
    layouts = match_layouts(prs, theme.spec.layouts)
    facts = _template_facts(prs, theme, layouts)
    ctx = DeckContext(
        prs=prs,
        theme=theme,
        language=deck.language,
        layouts=layouts,
        body_font=facts.body_font,
        heading_font=facts.heading_font,
        palette=dict(facts.palette),
        title_max=facts.title_max,
        body_max=facts.body_max,
        memo=facts.memo,
        author=deck.author,
    )
    ctx.warnings.extend(template_warnings(prs))
    ctx.scale = type_scale(ctx.height)
    ctx.main_cap = deck.main_slides
    mains = [not s.backup for s in deck.slides]
    for i, slide in enumerate(deck.slides):
        ctx.main_after = sum(mains[i + 1 :])
        SLIDE_BUILDERS[slide.kind](ctx, slide)
    _move_to_backup(ctx)
    _cap_backup(ctx)
    _number_slides(prs)
    _set_language(ctx.pages, deck.language)
    props = prs.core_properties
    props.title = plain(deck.title)
    props.subject = plain(deck.subject or "")
    props.author = plain(deck.author)
    props.last_modified_by = plain(deck.author)
    props.language = deck.language
    props.keywords = ""
    props.comments = ""
    props.category = ""
    props.revision = 1
    props.created = created
    props.modified = created
    props.last_printed = created
    return package_bytes(prs.part.package, created), ctx.warnings


def type_scale(slide_height: int) -> float:
    """How much smaller a slide is than the standard 7.5 inches high (1.0 at that height or
    more): the factor on the smallest type sizes (DeckContext.floor, and pitchkit check's
    editorial minimums)."""
    return min(1.0, slide_height / STANDARD_HEIGHT) if slide_height > 0 else 1.0


def _number_slides(prs: Any) -> None:
    """Every slide but the first gets its number in the slide-number placeholder of its layout
    (a field, so PowerPoint renumbers when slides move), where the layout has one."""
    for n, slide in enumerate(prs.slides, 1):
        if n == 1:
            continue
        source = next(
            (
                ph.element
                for ph in slide.slide_layout.placeholders
                if ph.placeholder_format.type == PP_PLACEHOLDER.SLIDE_NUMBER
            ),
            None,
        )
        if source is None:
            continue
        tree = slide.shapes._spTree
        ids = [int(e.get("id")) for e in tree.iter(qn("p:cNvPr")) if e.get("id", "").isdigit()]
        sp = copy.deepcopy(source)
        sp.find(qn("p:nvSpPr")).find(qn("p:cNvPr")).set("id", str(max(ids, default=1) + 1))
        sp.find(qn("p:nvSpPr")).find(qn("p:cNvPr")).set("name", f"Slide Number {n}")
        sp_pr = sp.find(qn("p:spPr"))
        for child in list(sp_pr):
            sp_pr.remove(child)  # position and look from the layout
        body = sp.find(qn("p:txBody"))
        no_autofit(body.find(qn("a:bodyPr")))
        for p in list(body.iterchildren(qn("a:p"))):
            body.remove(p)
        para = etree.SubElement(body, qn("a:p"))
        fld = etree.SubElement(para, qn("a:fld"))
        fld.set("id", "{B6F15528-21DE-4FAA-801E-634DDDAF4B2B}")
        fld.set("type", "slidenum")
        etree.SubElement(fld, qn("a:t")).text = str(n)
        tree.append(sp)


# -- the template: theme fonts, colours and sizes ---------------------------------------------


def _theme_root(prs: Any) -> Any:
    master = prs.slide_masters[0]
    for rel in master.part.rels.values():
        if rel.reltype.endswith("/theme"):
            return etree.fromstring(rel.target_part.blob)
    return None


def _theme_colors(prs: Any) -> dict[str, str]:
    """The template's colour scheme as slot -> RRGGBB (dk1, lt1, accent1, ...)."""
    root = _theme_root(prs)
    colors: dict[str, str] = {}
    if root is None:
        return colors
    scheme = root.find(f".//{{{A_NS}}}clrScheme")
    for slot in scheme if scheme is not None else []:
        if not isinstance(slot.tag, str):
            continue
        srgb = slot.find(f"{{{A_NS}}}srgbClr")
        sys_clr = slot.find(f"{{{A_NS}}}sysClr")
        value = (
            srgb.get("val")
            if srgb is not None
            else sys_clr.get("lastClr")
            if sys_clr is not None
            else None
        )
        if value:
            colors[etree.QName(slot).localname] = value.upper()
    return colors


def _palette(prs: Any, theme: Theme) -> dict[str, str]:
    """Colours for what pitchkit draws: theme.yaml's where it sets them, else the template's.

    A theme that names only a template (no colours in theme.yaml) gets the template's own
    accent 1 and 2, text and background colours, so tables and figures match its slides.
    """
    spec_colors = theme.spec.colors
    explicit = spec_colors.model_fields_set if "colors" in theme.spec.model_fields_set else set()
    template = _theme_colors(prs)
    from_template = {
        "primary": template.get("accent1"),
        "accent": template.get("accent2"),
        "text": template.get("dk1"),
        "background": template.get("lt1"),
    }
    palette = {}
    for role in ("primary", "accent", "text", "background"):
        value = getattr(spec_colors, role) if role in explicit else from_template[role]
        palette[role] = (value or getattr(spec_colors, role)).lstrip("#").upper()
    palette["light"] = _mix(palette["primary"], palette["background"], 0.88)
    return palette


def _title_colour_as_primary(ctx: DeckContext) -> None:
    """A template whose theme colours are a program's defaults (LibreOffice writes Office's)
    still shows its own colour in its titles: use that as the primary colour, unless theme.yaml
    sets one."""
    spec = ctx.theme.spec
    if "colors" in spec.model_fields_set and "primary" in spec.colors.model_fields_set:
        return
    layout: Any = ctx.layouts["title-only"].layout
    for ph in list(layout.placeholders):
        if "TITLE" in str(ph.placeholder_format.type):
            colour = _text_style(ctx, ph, title=True).explicit_color
            if colour and 0.02 < luminance(colour) < 0.7:
                ctx.palette["primary"] = colour
                ctx.palette["light"] = _mix(colour, ctx.palette["background"], 0.88)
            return


def _mix(a: str, b: str, t: float) -> str:
    """Colour ``a`` moved a fraction ``t`` towards ``b`` (RRGGBB strings)."""
    ca = [int(a[i : i + 2], 16) for i in (0, 2, 4)]
    cb = [int(b[i : i + 2], 16) for i in (0, 2, 4)]
    return "".join(f"{round(x + (y - x) * t):02X}" for x, y in zip(ca, cb, strict=True))


def _on(fill: str) -> str:
    """Black or white, whichever reads better on ``fill`` (WCAG contrast)."""
    lum = luminance(fill)
    return "1A1A1A" if (lum + 0.05) / 0.05 > 1.05 / (lum + 0.05) else "FFFFFF"


def _master_size(prs: Any, style: str) -> float | None:
    """The master's level-1 size for titles (titleStyle) or body text (bodyStyle)."""
    master = prs.slide_masters[0].element
    found = master.find(f"{qn('p:txStyles')}/{qn('p:' + style)}/{qn('a:lvl1pPr')}/{qn('a:defRPr')}")
    if found is not None and found.get("sz"):
        return int(found.get("sz")) / 100
    return None


def _bounded(value: float | None, low: float, high: float, default: float) -> float:
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


def _memo(ctx: DeckContext, key: tuple[Any, ...] | None, measure: Callable[[], T]) -> T:
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


def _text_style(ctx: DeckContext, shape: Any, title: bool) -> TextStyle:
    """Size, bold, caps and font the template gives a placeholder's first-level text."""
    key = _layout_key(ctx, shape, "style")
    return _memo(ctx, key and (*key, title), lambda: _read_text_style(ctx, shape, title))


def _read_text_style(ctx: DeckContext, shape: Any, title: bool) -> TextStyle:
    """_text_style, read from the shape and what it inherits."""
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


def _insets(ctx: DeckContext, shape: Any) -> tuple[int, int, int, int]:
    """Inner margins (left, top, right, bottom) of a text shape, as inherited, in EMU."""
    return _memo(ctx, _layout_key(ctx, shape, "insets"), lambda: _read_insets(shape))


def _read_insets(shape: Any) -> tuple[int, int, int, int]:
    """_insets, read from the shape and what it inherits."""
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


def _indent(para: Para) -> float:
    return BULLET_INDENT_PT * (para.level + (1 if para.bullet else 0))


def _measured(paras: Sequence[Para], style: TextStyle) -> list[Paragraph]:
    out = []
    for p in paras:
        spans = tuple((r.text, r.bold or p.bold or style.bold) for r in runs(p.text)) or (
            ("", False),
        )
        out.append(
            Paragraph(
                plain(p.text),
                scale=p.scale,
                indent_pt=_indent(p),
                space_before=p.space_before,
                spans=spans,
                caps=style.caps,
            )
        )
    return out


def _inner(ctx: DeckContext, shape: Any) -> tuple[int, int]:
    """Width and height available for text inside a shape (its box less its margins)."""
    left, top, right, bottom = _insets(ctx, shape)
    _, _, width, height = _shape_box(ctx, shape)
    return int(width) - left - right, int(height) - top - bottom


def _shape_box(ctx: DeckContext, shape: Any) -> tuple[Any, Any, Any, Any]:
    """A shape's left, top, width and height as python-pptx gives them: inherited, in EMU
    (Length), None where nothing sets them."""
    return _memo(
        ctx,
        _layout_key(ctx, shape, "box"),
        lambda: (shape.left, shape.top, shape.width, shape.height),
    )


def _fit(
    ctx: DeckContext,
    paras: Sequence[Para],
    style: TextStyle,
    inner: tuple[int, int],
    high: float,
    low: float,
    whole_words: bool = False,
) -> float | None:
    return fit_size(
        _measured(paras, style),
        style.font,
        inner[0],
        inner[1],
        high,
        low,
        inset_emu=(0, 0),
        whole_words=whole_words,
    )


def _too_long(
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
        return _fit(ctx, trial, style, inner, size, size) is not None

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


def _write(
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
        margin = _indent(para)
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


def _textbox(
    ctx: DeckContext,
    slide: Any,
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
    size = _fit(ctx, paras, style, inner, high, low, whole_words)
    if size is None and whole_words:
        size = _fit(ctx, paras, style, inner, high, low)
    if size is None:
        _too_long(ctx, title, what, paras, style, inner, low)
    _write(ctx, tb, paras, size, style, anchor)
    return tb, size


def _items(items: Sequence[Item], bullets: bool = True) -> list[Para]:
    return [
        Para(i.text, level=i.level, bullet=bullets, scale=0.9 if i.level else 1.0) for i in items
    ]


# -- slides, titles, placeholders --------------------------------------------------------------


def _new_slide(
    ctx: DeckContext, kind: str, slide: Slide, title: str, notes: str = "", fill: bool = True
) -> Any:
    """A slide on the layout for ``kind`` with its title written and notes set.

    Shapes added to the slide through its ``shapes`` take ids counted on from the highest id on
    the slide (python-pptx's turbo-add): the ids python-pptx finds by searching the slide for
    each shape, as long as every shape goes through this one Slide object and the count starts
    again where shapes are removed (remove_unused_placeholders) or added elsewhere (a group's
    shapes, _draw_hat).
    """
    layout_kind = LAYOUT_OF[kind]
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
        left, top, width, height = _title_box(ctx)
        heading = add_textbox(new, (left, top, width, height), "Title")
    if fill:
        _fill_title(ctx, heading, title)
    notes_page = ctx.notes_pages.add(ctx.prs, new)
    set_notes_text(notes_page, notes or slide.notes)
    ctx.pages.extend((new.element, notes_page))
    return new


def _title_box(ctx: DeckContext) -> tuple[int, int, int, int]:
    """Where a title goes on a layout without a title placeholder: the master's title box."""
    return _memo(ctx, ("title box",), lambda: _read_title_box(ctx))


def _read_title_box(ctx: DeckContext) -> tuple[int, int, int, int]:
    """_title_box, read from the master."""
    for ph in ctx.prs.slide_masters[0].placeholders:
        if ph.placeholder_format.type is not None and "TITLE" in str(ph.placeholder_format.type):
            return int(ph.left), int(ph.top), int(ph.width), int(ph.height)
    return (
        int(ctx.width * 0.06),
        int(ctx.height * 0.05),
        int(ctx.width * 0.88),
        int(ctx.height * 0.15),
    )


def _fill_title(ctx: DeckContext, shape: Any, text: str) -> None:
    """The title in the largest size that fits (template's size as the top), never cut: a title
    that does not fit at the smallest size stops the build (TextTooLong)."""
    style = _text_style(ctx, shape, title=True)
    high = _bounded(style.size, ctx.floor(TITLE_FLOOR), TITLE_CAP, ctx.title_max)
    low = max(ctx.floor(TITLE_FLOOR), round(high * 0.55))
    inner = _inner(ctx, shape)
    shown = plain(text)
    size = _fit(ctx, [Para(shown)], style, inner, high, low)
    if size is None:
        _too_long(ctx, text, "the title", [Para(shown)], style, inner, low)
    if placeholder_element(shape.element) is None:
        set_name(shape, "Title")
    if ctx.theme.spec.fonts.heading:  # theme.yaml's heading font, written on every run
        style = replace(style, explicit_font=ctx.theme.spec.fonts.heading)
    _write(ctx, shape, [Para(escape(shown), space_before=0)], size, style)


def _body_placeholders(ctx: DeckContext, slide: Any) -> list[Any]:
    """Body/object placeholders of a slide, left to right then top to bottom; not the small
    extra ones of its layout (a source line or footnote: layouts.placeholder_roles' notes)."""
    placeholders = slide.placeholders
    layout = slide.slide_layout
    notes = _memo(ctx, ("notes", str(layout.part.partname)), lambda: _note_idx(layout))
    found = [
        # What SlideShapeFactory makes of a p:sp placeholder of these types, without its XPath.
        SlidePlaceholder(element, placeholders)
        if element.tag == SP
        else SlideShapeFactory(element, placeholders)
        for element, ph in other_placeholders(slide)
        if any(k in str(ph.type) for k in ("BODY", "OBJECT", "SUBTITLE"))
        and ph_idx(ph) not in notes
    ]
    return sorted(found, key=lambda s: (_shape_box(ctx, s)[0] or 0, _shape_box(ctx, s)[1] or 0))


def _area(ctx: DeckContext, kind: str) -> tuple[int, int, int, int]:
    """The content area of the layout used for ``kind`` (measured once per deck and kind)."""
    if kind not in ctx.areas:
        ctx.areas[kind] = content_area(ctx.prs, ctx.layouts[LAYOUT_OF[kind]].layout)
    return ctx.areas[kind]


def _chunks(items: Sequence[Any], per: int) -> list[list[Any]]:
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


def _paged_title(title: str, index: int, count: int) -> str:
    return title if count == 1 else f"{title} ({index}/{count})"


def _paged(
    ctx: DeckContext, kind: str, slide: Slide, pages: Sequence[T]
) -> Iterator[tuple[Any, T]]:
    """A new slide per page of ``slide``, titled and noted "(n/m)" when there are several.

    Long content never makes a longer deck: a main slide's pages beyond the audience's cap
    (``ctx.main_cap``, counting the main slides still to come) continue in the back-up, at the
    start of it, with a warning."""
    room = _room(ctx, slide)
    for n, page in enumerate(pages, 1):
        title = _paged_title(slide.title, n, len(pages))
        new = _new_slide(ctx, kind, slide, title, _continued_notes(slide, n, len(pages)))
        if n > room:
            _defer_last(ctx, new, title if n == room + 1 else None)
        yield new, page


def _room(ctx: DeckContext, slide: Slide) -> int:
    """How many slides ``slide`` may take in the main part (at least one)."""
    if ctx.main_cap is None or slide.backup:
        return 1_000_000
    return max(1, ctx.main_cap - ctx.main_built - ctx.main_after)


def _defer_last(ctx: DeckContext, new: Any, warn_title: str | None) -> None:
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


def _move_to_backup(ctx: DeckContext) -> None:
    """The continuation pages of main slides (_paged) go to the start of the back-up: before the
    first back-up slide, else to the end."""
    sld_id_lst = ctx.prs.slides._sldIdLst
    for sld_id in ctx.deferred:
        sld_id_lst.remove(sld_id)
        if ctx.first_backup is not None:
            ctx.first_backup.addprevious(sld_id)
        else:
            sld_id_lst.append(sld_id)


def _cap_backup(ctx: DeckContext, cap: int = BACKUP_SLIDE_CAP) -> None:
    """At most ``cap`` back-up slides: what the back-up holds beyond them (continuation pages of
    main slides first, then planned back-up slides from the end) leaves the deck, and its titles
    and text go into the speaker notes of the last back-up slide kept, with a warning.
    The selection plans the back-up within the cap (selection.BACKUP_SLIDE_CAP); this holds it
    whatever pages the content needs."""
    sld_id_lst = ctx.prs.slides._sldIdLst
    backup = [
        (slide, sld_id)
        for slide, sld_id in zip(ctx.prs.slides, list(sld_id_lst), strict=True)
        if slide.element.find(qn("p:cSld")).get("name") == BACKUP_NAME
    ]
    if len(backup) <= cap:
        return
    # What goes first: main slides' continuation pages (last first), then the planned back-up
    # slides from the end, so that the objections and the costs stay on screen.
    deferred = {sld_id.rId for sld_id in ctx.deferred}
    order = [b for b in reversed(backup) if b[1].rId in deferred]
    order += [b for b in reversed(backup) if b[1].rId not in deferred]
    leaving = {b[1].rId for b in order[: len(backup) - cap]}
    kept = [slide for slide, sld_id in backup if sld_id.rId not in leaving][-1]
    notes = kept.notes_slide
    lines = [notes.notes_text_frame.text]
    titles = []
    for slide, sld_id in backup:
        if sld_id.rId not in leaving:
            continue
        title = title_shape(slide)
        titles.append(title.text_frame.text if title is not None else "")
        lines += ["", titles[-1].upper(), *_slide_text(slide, title)]
        sld_id_lst.remove(sld_id)  # first: a relationship still referred to is not dropped
        ctx.prs.part.drop_rel(sld_id.rId)  # the slide, its notes and charts leave the package
    set_notes_text(notes.element, "\n".join(lines))
    _unpage_titles(ctx, titles)
    ctx.slide_no = len(sld_id_lst)
    ctx.warn(
        kept.shapes.title.text_frame.text if kept.shapes.title is not None else "",
        f"the back-up holds at most {cap} slides: "
        f"{', '.join(repr(t) for t in titles)} moved into the speaker notes of the last "
        "back-up slide; shorten the answers to the objections or the long lists and tables",
    )


def _unpage_titles(ctx: DeckContext, gone: Sequence[str]) -> None:
    """A slide whose further pages "(2/2)" all left the deck loses its "(1/2)"."""
    paged = re.compile(r"^(.*) \((\d+)/(\d+)\)$")
    left: dict[str, set[int]] = {}
    for title in gone:
        if found := paged.match(title):
            left.setdefault(found[1], set()).add(int(found[2]))
    for slide in ctx.prs.slides:
        shape = title_shape(slide)
        found = paged.match(shape.text_frame.text) if shape is not None else None
        if shape is None or found is None or found[2] != "1" or found[1] not in left:
            continue
        if left[found[1]] >= set(range(2, int(found[3]) + 1)):
            texts = list(shape.element.iter(qn("a:t")))
            suffix = f" (1/{found[3]})"
            if texts and (texts[-1].text or "").endswith(suffix):
                texts[-1].text = (texts[-1].text or "")[: -len(suffix)]


def _slide_text(slide: Any, title: Any) -> list[str]:
    """The lines of text on ``slide`` but its title and slide number: text frames and table
    rows (cells joined with " | "), in shape order."""
    lines: list[str] = []
    for shape in slide.shapes:
        if title is not None and shape.shape_id == title.shape_id:
            continue
        if shape.is_placeholder and "SLIDE_NUMBER" in str(shape.placeholder_format.type):
            continue
        if shape.has_text_frame:
            lines += [p.text for p in shape.text_frame.paragraphs if p.text.strip()]
        elif getattr(shape, "has_table", False) and shape.has_table:
            lines += [" | ".join(c.text for c in row.cells) for row in shape.table.rows]
    return lines


def _paginate(
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


def _continued_notes(slide: Slide, index: int, count: int) -> str:
    return slide.notes if count == 1 or index == 1 else f"({index}/{count}) {slide.notes}"


# -- one function per slide kind -------------------------------------------------------------


def build_title(ctx: DeckContext, slide: Slide) -> None:
    """Title slide: title, then the subtitle and the lines under it (municipality, presenter,
    portfolio holder, occasion and date) on the template's title layout; the theme's logo in the
    top right corner."""
    new = _new_slide(ctx, "title", slide, slide.title)
    bodies = _body_placeholders(ctx, new)
    kept: list[Any] = []
    paras = [Para(slide.subtitle, bold=True, space_before=0)] if slide.subtitle else []
    paras += [Para(i.text, space_before=0.2 if paras else 0) for i in slide.items]
    if paras:
        if bodies:
            target = bodies[0]
            style = _text_style(ctx, target, title=False)
            high = _bounded(style.size, 14, min(24.0, ctx.title_max * 0.65), 20)
            size = _fit(ctx, paras, style, _inner(ctx, target), high, ctx.floor(12))
            if size is None:
                # The lines under the title take the room down to the slide's bottom margin.
                left, top, width, _ = (int(v) for v in _shape_box(ctx, target))
                target.left, target.top, target.width = Emu(left), Emu(top), Emu(width)
                target.height = Emu(max(int(ctx.height * 0.92) - top, 0))
                size = _fit(ctx, paras, style, _inner(ctx, target), high, ctx.floor(12))
            if size is None:
                _too_long(
                    ctx,
                    slide.title,
                    "the lines under the title",
                    paras,
                    style,
                    _inner(ctx, target),
                    12,
                )
            _write(ctx, target, paras, size, style)
            kept.append(target)
        else:
            title = new.shapes.title
            left, top, width, height = _area(ctx, "title")
            if title is not None:
                top = int(title.top + title.height)
                height = max(int(ctx.height * 0.9) - top, int(ctx.height * 0.1))
            _textbox(
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
        _set_alt(pic, f"Logo {ctx.author}".strip())


def build_statement(ctx: DeckContext, slide: Slide) -> None:
    """A statement (the opening fact, the key message): one sentence as the slide's title, large,
    in sentence case, in the middle of the content area, sized to fit; a short label above it
    (``subtitle``). Never cut: what does not fit at the smallest size stops the build."""
    new = _new_slide(ctx, "statement", slide, slide.title, fill=False)
    remove_unused_placeholders(new, [])
    shape = title_shape(new) or next(
        sh for sh in new.shapes if sh.has_text_frame and sh.name == "Title"
    )
    left, top, width, height = _area(ctx, "statement")
    label_h = 0
    if slide.subtitle:
        label_h = int(Pt(30))
        _textbox(
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
    style = replace(_text_style(ctx, shape, title=True), caps=False)
    if ctx.theme.spec.fonts.heading:
        style = replace(style, explicit_font=ctx.theme.spec.fonts.heading)
    paras = [Para(escape(plain(slide.title)), space_before=0)]
    size = _fit(ctx, paras, style, _inner(ctx, shape), STATEMENT_CAP, ctx.floor(TITLE_FLOOR))
    if size is None:
        _too_long(
            ctx,
            slide.title,
            "the statement",
            paras,
            style,
            _inner(ctx, shape),
            ctx.floor(TITLE_FLOOR),
        )
    _write(ctx, shape, paras, size, style, MSO_ANCHOR.MIDDLE)
    for rpr in shape.element.iter(qn("a:rPr")):
        rpr.set("cap", "none")  # sentence case, whatever the layout's title style says


def build_section(ctx: DeckContext, slide: Slide) -> None:
    """Section slide: a statement or a chapter title, large."""
    new = _new_slide(ctx, "section", slide, slide.title)
    kept: list[Any] = []
    bodies = _body_placeholders(ctx, new)
    if bodies and slide.subtitle:
        target = bodies[0]
        style = _text_style(ctx, target, title=False)
        paras = [Para(slide.subtitle, space_before=0)]
        size = _fit(ctx, paras, style, _inner(ctx, target), 20, ctx.floor(12))
        if size is None:
            _too_long(
                ctx,
                slide.title,
                "the section's text",
                paras,
                style,
                _inner(ctx, target),
                ctx.floor(12),
            )
        _write(ctx, target, paras, size, style)
        kept.append(target)
    remove_unused_placeholders(new, kept)


def _list_target(ctx: DeckContext, new: Any, kind: str) -> Any:
    """The body placeholder of a bullets slide, or a text box in the content area."""
    bodies = _body_placeholders(ctx, new)
    box = _area(ctx, kind)
    if bodies and ctx.layouts[LAYOUT_OF[kind]].exact:
        target = bodies[0]
    else:
        target = add_textbox(new, box, "Content")
    remove_unused_placeholders(new, [target])
    return target


def _note_idx(layout: Any) -> frozenset[int]:
    """The idx of a layout's small extra text placeholders (source lines, footnotes)."""
    return frozenset(s.placeholder_format.idx for s in placeholder_roles(layout)["note"])


def _layout_bodies(layout: Any) -> list[Any]:
    """Body/object/subtitle placeholders of a layout, left to right then top to bottom; not
    its small extra ones (see _note_idx)."""
    found = []
    notes = _note_idx(layout)
    for ph in layout.placeholders:
        kind = str(ph.placeholder_format.type)
        if "TITLE" in kind and "SUBTITLE" not in kind:
            continue
        if ph.placeholder_format.idx in notes:
            continue
        if any(k in kind for k in ("BODY", "OBJECT", "SUBTITLE")):
            found.append(ph)
    return sorted(found, key=lambda s: (int(s.left or 0), int(s.top or 0)))


def _body_rooms(ctx: DeckContext, layout: Any) -> tuple[tuple[tuple[int, int], TextStyle], ...]:
    """Text room and style of each body placeholder of a layout, in _layout_bodies' order."""

    def read() -> tuple[tuple[tuple[int, int], TextStyle], ...]:
        bodies = _layout_bodies(layout)
        return tuple((_inner(ctx, ph), _text_style(ctx, ph, title=False)) for ph in bodies)

    return _memo(ctx, ("body rooms", str(layout.part.partname)), read)


def _probe_inner(ctx: DeckContext, kind: str) -> tuple[tuple[int, int], TextStyle]:
    """Text room and style of a list slide's body, read from its layout."""
    choice = ctx.layouts[LAYOUT_OF[kind]]
    rooms = _body_rooms(ctx, choice.layout) if choice.exact else ()
    if rooms:
        return rooms[0]
    box = _area(ctx, kind)
    return (box[2] - 2 * INSET_X, box[3] - 2 * INSET_Y), TextStyle(font=ctx.body_font)


def build_bullets(ctx: DeckContext, slide: Slide, kind: str = "bullets") -> None:
    """Bulleted list, two levels, with an optional lead line (``subtitle``).

    Sized to fit; a list too long for one slide continues on numbered slides "(2/2)"; an item
    too long for a slide of its own stops the build (TextTooLong).
    """
    lead = [Para(slide.subtitle, bold=True, space_before=0)] if slide.subtitle else []
    bullets = len(slide.items) > 1 or bool(lead)
    paras = _items(slide.items, bullets)
    inner, style = _probe_inner(ctx, kind)
    high = _bounded(style.size, ctx.floor(BODY_FLOOR), BODY_CAP, ctx.body_max)
    size = _fit(ctx, [*lead, *paras], style, inner, high, ctx.floor(BODY_FLOOR))
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
            return _fit(ctx, [*lead, *trial], style, inner, page_size, page_size) is not None

        pages = [[*lead, *page] for page in _paginate(groups, fits)]
        size = min(
            _fit(ctx, page, style, inner, high, ctx.floor(BODY_FLOOR)) or ctx.floor(BODY_FLOOR)
            for page in pages
        )
        for n, page in enumerate(pages, 1):
            if _fit(ctx, page, style, inner, size, size) is None:
                _too_long(ctx, slide.title, "an item", page, style, inner, size, ahead=n)
    for new, page in _paged(ctx, kind, slide, pages):
        target = _list_target(ctx, new, kind)
        _write(ctx, target, page, size, style)


def build_agenda(ctx: DeckContext, slide: Slide) -> None:
    """Agenda: the topics ahead; more than seven in two columns."""
    if len(slide.items) <= 7:
        build_bullets(ctx, slide, "agenda")
        return
    new = _new_slide(ctx, "agenda", slide, slide.title)
    remove_unused_placeholders(new, [])
    left, top, width, height = _area(ctx, "agenda")
    half = math.ceil(len(slide.items) / 2)
    gap = int(width * 0.04)
    col_w = (width - gap) // 2
    chunks = [slide.items[:half], slide.items[half:]]
    sizes = []
    style = TextStyle(font=ctx.body_font)
    for chunk in chunks:
        inner = (col_w - INSET_X, height - INSET_Y)
        sizes.append(
            _fit(ctx, _items(chunk), style, inner, 24, ctx.floor(BODY_FLOOR))
            or ctx.floor(BODY_FLOOR)
        )
    size = min(sizes)
    for i, chunk in enumerate(chunks):
        _textbox(
            ctx,
            new,
            (left + i * (col_w + gap), top, col_w, height),
            _items(chunk),
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
    new = _new_slide(ctx, "closing", slide, slide.title)
    target = _list_target(ctx, new, "closing")
    style = _text_style(ctx, target, title=False)
    high = _bounded(style.size, ctx.floor(BODY_FLOOR), BODY_CAP, ctx.body_max)
    size = _fit(ctx, paras, style, _inner(ctx, target), high, ctx.floor(12))
    if size is None:
        _too_long(ctx, slide.title, "the ask", paras, style, _inner(ctx, target), ctx.floor(12))
    _write(ctx, target, paras, size, style)


def _column_paras(column: Column) -> list[Para]:
    return _items(column.items, bullets=True)


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
        left, top, width, height = _area(ctx, "two-columns")
        gap = int(width * 0.04)
        col_w = (width - gap) // 2
        boxes = [(left + i * (col_w + gap), top, col_w, height) for i in range(2)]
        inners = [(col_w - 2 * INSET_X, height - 2 * INSET_Y)] * 2
        styles = [TextStyle(font=ctx.body_font)] * 2
    heads = [[Para(f"**{c.heading}**", space_before=0)] if c.heading else [] for c in columns]
    bodies = [_column_paras(c) for c in columns]
    high = min(_bounded(s.size, ctx.floor(BODY_FLOOR), 24, 22) for s in styles)
    size = min(
        _fit(ctx, [*h, *b], st, inner, high, ctx.floor(BODY_FLOOR)) or 0
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
                return _fit(ctx, [*h, *t], st, inner, size, size) is not None

            split.append(_paginate([[p] for p in b], fits))
        count = max(len(s) for s in split)
        pages = [[s[n] if n < len(s) else [] for s in split] for n in range(count)]
    for new, page in _paged(ctx, "two-columns", slide, pages):
        targets = _body_placeholders(ctx, new)[:2] if len(placeholders) == 2 else []
        for i, body in enumerate(page):
            paras = [*heads[i], *body]
            if targets:
                if _fit(ctx, paras, styles[i], _inner(ctx, targets[i]), size, size) is None:
                    what = f"column {i + 1}"
                    _too_long(
                        ctx, slide.title, what, paras, styles[i], _inner(ctx, targets[i]), size
                    )
                _write(ctx, targets[i], paras, size, styles[i])
            else:
                _textbox(
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
        left, top, width, height = _area(ctx, "image")
        gap = int(width * 0.04)
        text_w = int((width - gap) * 0.48)
        paras = _items(slide.items, bullets=False)
        style = TextStyle(font=ctx.body_font)
        inner = (text_w - 2 * INSET_X, height - 2 * INSET_Y)
        if _fit(ctx, paras, style, inner, ctx.body_max, ctx.floor(BODY_FLOOR)) is None:
            room = _room(ctx, slide)
            build_bullets(ctx, slide.model_copy(update={"title": _paged_title(slide.title, 1, 2)}))
            after = slide.model_copy(update={"title": _paged_title(slide.title, 2, 2), "items": []})
            build_image(ctx, after)
            if room < 2:
                _defer_last(ctx, ctx.prs.slides[-1], after.title)
            return
        text_box = (left, top, text_w, height)
    new = _new_slide(ctx, "image", slide, slide.title)
    if picture is None:
        remove_unused_placeholders(new, [])
        return
    # The layout's largest picture placeholder, or its content area, clear of the artwork.
    left, top, width, height = _area(ctx, "image")
    if text_box is not None:
        shift = text_box[2] + int(width * 0.04)
        left, width = left + shift, width - shift
    remove_unused_placeholders(new, [])
    if text_box is not None:
        _textbox(
            ctx,
            new,
            text_box,
            _items(slide.items, bullets=False),
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
        caption_size = _fit(
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
    _set_alt(pic, picture.alt)
    if caption_paras:
        _textbox(
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
        paragraph_lines(p, style.font, size, width / EMU_PER_PT) for p in _measured(paras, style)
    )


def _set_alt(shape: Any, alt: str) -> None:
    """Alt text (descr) on a shape's non-visual properties, read by screen readers and PDF tags;
    ``alt`` is inline Markdown (its visible text is written)."""
    for tag in ("p:cNvPr",):
        cNvPr = shape.element.find(".//" + qn(tag))
        if cNvPr is not None:
            cNvPr.set("descr", plain(alt))


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
            max(widest_word_pt(_measured([Para(x)], style), style.font, 20) for x in cells)
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
            tallest, text_height_pt(_measured([Para(cell)], style), style.font, size, inner)
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
        new = _new_slide(ctx, kind, slide, slide.title)
        remove_unused_placeholders(new, [])
        return
    left, top, width, height = _area(ctx, kind)
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
    for new, page in _paged(ctx, kind, slide, pages):
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
                color = _on(ctx.palette["primary"]) if is_head else "text"
                para = Para(row[c], bold=is_head, align=align, space_before=0, color=color)
                _write(ctx, _Cell(tc, tbl), [para], size)
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


# -- figures: numbers, timeline, charts, balance, hats -------------------------------------------


def build_numbers(ctx: DeckContext, slide: Slide) -> None:
    """Big numbers: up to four figures side by side (three on 4:3), each with label and detail."""
    left, top, width, height = _area(ctx, "numbers")
    per = 4 if width / ctx.height > 1.3 else 3
    chunks = _chunks(slide.numbers, per)
    for new, numbers in _paged(ctx, "numbers", slide, chunks):
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
            _fit(ctx, [Para(x.value, bold=True)], style, (inner_w, value_h - INSET_Y), 44, 18, True)
            or 18
            for x in numbers
        )
        label_size = min(
            _fit(
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
            _fit(
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
            _solid(ctx, bar, "accent")
            decorative(bar)
            y = top + bar_h + int(Pt(8))
            _textbox(
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
            _textbox(
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
                _textbox(
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


def _solid(ctx: DeckContext, shape: Any, color: str, line: str | None = None) -> None:
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


TIMELINE_COLUMN = int(Cm(3.5))


def build_timeline(ctx: DeckContext, slide: Slide) -> None:
    """Milestones on a line, drawn with native shapes: filled dots done, open dots planned."""
    left, top, width, height = _area(ctx, "timeline")
    # Six milestones a slide where each gets a column of 3.5 cm: on 4:3 templates too.
    per_slide = max(3, min(6, width // TIMELINE_COLUMN))
    chunks = _chunks(slide.steps, per_slide)
    style = TextStyle(font=ctx.body_font)
    for new, steps in _paged(ctx, "timeline", slide, chunks):
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
        _solid(ctx, line, "primary")
        decorative(line)
        dot = int(Pt(22))
        box_w = slot - int(Pt(6))
        text_top = line_y + dot // 2 + int(Pt(8))
        text_h = top + height - text_top
        when_size = min(
            _fit(
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
            _fit(ctx, p, style, inner, 18, ctx.floor(SMALL_FLOOR), True)
            or _fit(ctx, p, style, inner, 18, ctx.floor(SMALL_FLOOR))
            or 0
            for p in text_paras
        ]
        for p, fitted in zip(text_paras, text_sizes, strict=True):
            if not fitted:
                _too_long(ctx, slide.title, "a milestone", p, style, inner, ctx.floor(SMALL_FLOOR))
        text_size = min(text_sizes)
        for i, step in enumerate(steps):
            cx = left + offset + slot * i + slot // 2
            circle = add_shape(
                new,
                MSO_SHAPE.OVAL,
                (cx - dot // 2, line_y - dot // 2, dot, dot),
                f"Milestone {i + 1}",
            )
            _solid(ctx, circle, "accent" if step.done else "background", line="accent")
            circle.line.width = Pt(3)
            _set_alt(
                circle,
                f"{step.when}: {step.text} ({'done' if step.done else 'planned'})",  # Markdown
            )
            _textbox(
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
            _textbox(
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


def build_chart(ctx: DeckContext, slide: Slide) -> None:
    """Native, editable charts (one, or two side by side) with alt text from the data."""
    new = _new_slide(ctx, "chart", slide, slide.title)
    remove_unused_placeholders(new, [])
    charts = [c for c in [slide.chart, *slide.charts] if c is not None]
    if not charts:
        return
    left, top, width, height = _area(ctx, "chart")
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
    ctx: DeckContext, new: Any, spec: Chart, box: tuple[int, int, int, int], index: int, count: int
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
    _set_alt(frame, spec.alt)
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
    muted = _mix(ctx.palette["text"], ctx.palette["background"], 0.55)
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


def build_balance(ctx: DeckContext, slide: Slide) -> None:
    """Values balance: a beam on a pivot, gains hanging left and tensions (with how each is
    addressed) hanging right; long lists continue on numbered slides."""
    left, top, width, height = _area(ctx, "balance")
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
    size = min(_fit(ctx, f, style, inner, 22, ctx.floor(BODY_FLOOR)) or 0 for f in flat)
    if size:
        pages = [flat]
    else:
        size = ctx.floor(BODY_FLOOR)
        split = [
            _paginate(gs, lambda t: _fit(ctx, t, style, inner, size, size) is not None)
            for gs in groups
        ]
        count = max(len(s) for s in split)
        pages = [[s[n] if n < len(s) else [] for s in split] for n in range(count)]
    head_inner = (col_w - 2 * INSET_X, head_h - INSET_Y)
    head_sizes = [
        _fit(ctx, [Para(c.heading or "", bold=True)], style, head_inner, 20, ctx.floor(12))
        for c in columns
    ]
    for c, fitted in zip(columns, head_sizes, strict=True):
        if fitted is None:
            head = [Para(c.heading or "", bold=True)]
            _too_long(
                ctx, slide.title, "a heading", head, style, head_inner, ctx.floor(12), ahead=1
            )
    head_size = min(s for s in head_sizes if s is not None)
    fills = ["primary", "accent"]
    for new, page in _paged(ctx, "balance", slide, pages):
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
        _solid(ctx, pivot, "text")
        beam = add_shape(
            new,
            MSO_SHAPE.RECTANGLE,
            (left + col_w // 2, beam_y, width - col_w, int(Pt(5))),
            "Balance beam",
        )
        _solid(ctx, beam, "text")
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
            _solid(ctx, string, "text")
            decorative(string)
            pan = add_shape(
                new, MSO_SHAPE.ROUNDED_RECTANGLE, (x, top + beam_h, col_w, head_h), f"Pan {i + 1}"
            )
            _solid(ctx, pan, fills[i])
            pan.text_frame.margin_left = pan.text_frame.margin_right = Emu(INSET_X)
            _write(
                ctx,
                pan,
                [
                    Para(
                        columns[i].heading or "",
                        bold=True,
                        align=PP_ALIGN.CENTER,
                        color=_on(ctx.palette[fills[i]]),
                        space_before=0,
                    )
                ],
                head_size,
                TextStyle(font=ctx.body_font),
                anchor=MSO_ANCHOR.MIDDLE,
            )
            if body:
                _textbox(
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
    new = _new_slide(ctx, "hats", slide, slide.title)
    remove_unused_placeholders(new, [])
    left, top, width, height = _area(ctx, "hats")
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
            _fit(
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
        while shown[i] and _fit(ctx, paras_of(i), style, inner, 12, ctx.floor(12)) is None:
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
        (_fit(ctx, p, style, inner, 18, ctx.floor(12)) or ctx.floor(12) for p in paras),
        default=ctx.floor(12),
    )
    for i, (hat, p) in enumerate(zip(hats, paras, strict=True)):
        r, c = divmod(i, cols)
        x = left + c * (cell_w + gap_x)
        y = top + r * (cell_h + gap_y)
        _draw_hat(ctx, new, hat, (x, y + int(head_h * 0.1), icon_w, int(head_h * 0.8)))
        _textbox(
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
            _textbox(
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


def _draw_hat(ctx: DeckContext, slide: Any, hat: Column, box: tuple[int, int, int, int]) -> None:
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
        _solid(ctx, shape, color, line=outline)
    for shape in (brim, crown, band):
        decorative(shape)
    band_color = _mix(color, "FFFFFF" if color != "FFFFFF" else "000000", 0.45)
    _solid(ctx, band, band_color)
    # The brim is drawn last in the group but must sit behind the crown: reorder.
    tree = group.element
    tree.remove(brim.element)
    tree.insert(tree.index(crown.element), brim.element)
    if slide.shapes.turbo_add_enabled:  # the group's shapes took ids the slide's count skipped
        slide.shapes.turbo_add_enabled = True
    _set_alt(group, hat.heading or hat.key or "hat")


SLIDE_BUILDERS: dict[str, Callable[[DeckContext, Slide], None]] = {
    "title": build_title,
    "agenda": build_agenda,
    "section": build_section,
    "statement": build_statement,
    "bullets": build_bullets,
    "two-columns": build_two_columns,
    "image": build_image,
    "table": build_table,
    "matrix": build_matrix,
    "numbers": build_numbers,
    "timeline": build_timeline,
    "chart": build_chart,
    "closing": build_closing,
    "balance": build_balance,
    "hats": build_hats,
}


def _set_language(pages: Sequence[Any], tag: str) -> None:
    """The language on every run and paragraph end of ``pages``, the deck's slides and notes
    pages (p:sld, p:notes; for screen readers)."""
    r_tag, end_tag, p_tag, rpr_tag = qn("a:r"), qn("a:endParaRPr"), qn("a:p"), qn("a:rPr")
    for root in pages:
        # One walk over the page, collected first: the changes do not disturb the walk.
        for element in list(root.iter(r_tag, end_tag, p_tag)):
            if element.tag == r_tag:
                rpr = element.find(rpr_tag)
                if rpr is None:
                    rpr = etree.Element(rpr_tag)
                    element.insert(0, rpr)
                rpr.set("lang", tag)
            elif element.tag == end_tag:
                element.set("lang", tag)
            elif element.find(r_tag) is None and element.find(end_tag) is None:
                etree.SubElement(element, end_tag).set("lang", tag)
