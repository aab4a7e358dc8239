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
builder function per slide kind (:data:`KINDS`), in the module of its family
(:mod:`generator.deck.slides_text`, :mod:`~generator.deck.slides_figures`,
:mod:`~generator.deck.slides_tools`), built with :mod:`generator.deck.context`.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lxml import etree
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.presentation import Presentation
from pptx.slide import SlideLayout

from generator.compose.doctree import Deck
from generator.compose.inline import plain
from generator.compose.selection import BACKUP_SLIDE_CAP
from generator.deck import slides_figures, slides_text, slides_tools
from generator.deck.context import (
    BACKUP_NAME,
    BODY_CAP,
    STANDARD_HEIGHT,
    TITLE_CAP,
    DeckContext,
    Kind,
    bounded,
    mix,
    text_style,
)
from generator.deck.layouts import (
    LayoutChoice,
    match_layouts,
    open_template,
    remove_all_slides,
    template_fingerprint,
    template_warnings,
)
from generator.ooxml.namespaces import A as A_NS
from generator.ooxml.package import package_bytes
from generator.ooxml.pptx_fast import (
    no_autofit,
    qn,
    set_notes_text,
    title_shape,
)
from generator.theme.colour import luminance
from generator.theme.fonts import part_theme_fonts
from generator.theme.themes import Theme


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


def _template_facts(
    prs: Presentation, theme: Theme, layouts: dict[str, LayoutChoice]
) -> TemplateFacts:
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
        title_max=bounded(_master_size(prs, "titleStyle"), 28.0, TITLE_CAP, 36.0),
        body_max=bounded(_master_size(prs, "bodyStyle"), 18.0, BODY_CAP, 24.0),
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
        kinds=KINDS,
    )
    ctx.warnings.extend(template_warnings(prs))
    ctx.scale = type_scale(ctx.height)
    ctx.main_cap = deck.main_slides
    mains = [not s.backup for s in deck.slides]
    for i, slide in enumerate(deck.slides):
        ctx.main_after = sum(mains[i + 1 :])
        KINDS[slide.kind].build(ctx, slide)
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


def _number_slides(prs: Presentation) -> None:
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


def _theme_root(prs: Presentation) -> Any:
    master = prs.slide_masters[0]
    for rel in master.part.rels.values():
        if rel.reltype.endswith("/theme"):
            return etree.fromstring(rel.target_part.blob)
    return None


def _theme_colors(prs: Presentation) -> dict[str, str]:
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


def _palette(prs: Presentation, theme: Theme) -> dict[str, str]:
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
    palette["light"] = mix(palette["primary"], palette["background"], 0.88)
    return palette


def _title_colour_as_primary(ctx: DeckContext) -> None:
    """A template whose theme colours are a program's defaults (LibreOffice writes Office's)
    still shows its own colour in its titles: use that as the primary colour, unless theme.yaml
    sets one."""
    spec = ctx.theme.spec
    if "colors" in spec.model_fields_set and "primary" in spec.colors.model_fields_set:
        return
    layout: SlideLayout = ctx.layouts["title-only"].layout
    for ph in list(layout.placeholders):
        if "TITLE" in str(ph.placeholder_format.type):
            colour = text_style(ctx, ph, title=True).explicit_color
            if colour and 0.02 < luminance(colour) < 0.7:
                ctx.palette["primary"] = colour
                ctx.palette["light"] = mix(colour, ctx.palette["background"], 0.88)
            return


def _master_size(prs: Presentation, style: str) -> float | None:
    """The master's level-1 size for titles (titleStyle) or body text (bodyStyle)."""
    master = prs.slide_masters[0].element
    found = master.find(f"{qn('p:txStyles')}/{qn('p:' + style)}/{qn('a:lvl1pPr')}/{qn('a:defRPr')}")
    if found is not None and found.get("sz"):
        return int(found.get("sz")) / 100
    return None


def _move_to_backup(ctx: DeckContext) -> None:
    """The continuation pages of main slides (paged_slides) go to the start of the back-up:
    before the first back-up slide, else to the end."""
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


#: Every slide kind (its layout and builder), from the slide kinds' modules (one per family).
KINDS: dict[str, Kind] = {**slides_text.KINDS, **slides_figures.KINDS, **slides_tools.KINDS}


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
