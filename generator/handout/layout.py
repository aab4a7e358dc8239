"""Predict how much of the A4 page a handout variant fills, from its tree, without rendering it.

Contract: :func:`predict` returns the predicted height of the page body a handout takes at a density
without some sections, as a share of the room between header and footer (``<= 1.0`` fits). It lays
the page out the way :mod:`generator.handout.builder` writes it (title block, the two columns as the
builder plans them with :func:`~generator.handout.builder.plan_columns`, the timeline strip, the
closing band) with the fonts' real metrics (:mod:`generator.theme.metrics`) and the line height
LibreOffice sets (:func:`line_height`). It is calibrated against LibreOffice (see
``benchmarks/calibrate_handout.py``): the one-page fit trusts a prediction up to
:data:`SAFE_SHARE` and measures with LibreOffice only where it must be sure (``--pdf``, ``check``).
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.compose.doctree import Handout, Section, Table
from generator.compose.inline import runs
from generator.handout.builder import (
    CELL_PAD_PT,
    DENSITIES,
    GAP,
    LIST_INDENT,
    QR_WIDTH,
    TWIPS_PER_PT,
    Density,
    Measure,
    build_handout,
    cell_size,
    column_widths,
    find_style,
    place_sections,
    plan_columns,
    shown_sections,
    strip_window,
    style_font,
)
from generator.ooxml.geometry import EMU_PER_PT as _EMU_PER_PT
from generator.theme.fonts import ThemeFonts, part_theme_fonts
from generator.theme.metrics import (
    Paragraph,
    measured_as_itself,
    paragraph_lines,
    text_width_pt,
    vertical_metrics,
)
from generator.theme.themes import Theme

#: A prediction up to this share of the page body is trusted to fit on one page. The prediction
#: errs long: in the calibration corpus (410 variants, three templates) every variant LibreOffice
#: put on two pages was predicted at 1.016 or more, and full pages were predicted 0.5-5.8 % fuller.
SAFE_SHARE = 1.0
#: The same where a font of the template is not installed (nor a metric-compatible one): its
#: substitute is measured, LibreOffice may pick another (a template in CMU Serif, measured as
#: DejaVu Sans, ran onto page 2 at a predicted 0.992), so a near-full page is measured instead.
SUBSTITUTED_SHARE = 0.95


def safe_share(theme: Theme) -> float:
    """The predicted share up to which ``theme``'s handouts are trusted to fit on one page."""
    geo = geometry(theme)
    styles = (geo.body, geo.title, geo.subtitle, geo.heading1, geo.heading2)
    fonts = {s.font for s in styles} | {geo.plan_font}
    return SAFE_SHARE if all(_installed(f) for f in fonts) else SUBSTITUTED_SHARE


def _installed(family: str | None) -> bool:
    """Whether ``family`` is measured as itself: pitchkit's shipped metrics of it (or of its
    metric-compatible alias), else its installed font; not a substitute."""
    return measured_as_itself(family)


#: Words are measured as fit.py does (3 % wide); lines are counted in a box 2 % wider, which
#: leaves them 1 % wide (the calibration's safest setting that still errs long everywhere).
_COMPENSATE = 0.98


@dataclass(frozen=True)
class TextStyle:
    """How a paragraph style's text is measured: font, extra space per character (pt)."""

    font: str | None
    tracking: float = 0.0
    bold: bool = False


@dataclass(frozen=True)
class PageGeometry:
    """What a handout's template fixes: the room for the body and how each role's text is set."""

    text_width: int  # twips between the side margins
    body_pt: float  # the height between header and footer
    body: TextStyle
    title: TextStyle
    subtitle: TextStyle
    heading1: TextStyle
    heading2: TextStyle
    plan_font: str | None  # the font the builder plans its columns with


#: The sample the geometry is read from: the builder's own header, footer and styles.
_SAMPLE = Handout(
    title="T",
    municipality="Gemeente",
    headline="H",
    key_message="K",
    language="nl",
    footer="11 maart 2027 · {version}",
)


_GEOMETRIES: dict[str, PageGeometry] = {}


def _theme_geometry(theme: Theme) -> PageGeometry:
    import datetime as dt

    from docx import Document

    data = build_handout(_SAMPLE, theme, dt.datetime(2027, 1, 1))
    doc = Document(io.BytesIO(data))
    section = doc.sections[-1]
    theme_fonts = part_theme_fonts(doc.part)
    styles = {s.name.lower(): s for s in doc.styles if s.name}
    default = doc.styles.default(_paragraph_type())

    def style(name: str | None) -> TextStyle:
        st = styles.get(name.lower()) if name else default
        return _text_style(doc, st or default, theme_fonts)

    body = style(None)
    # The header and footer of the first (only) page, as the sample was built.
    first = doc.sections[0]
    header = first.first_page_header if first.different_first_page_header_footer else first.header
    footer = first.first_page_footer if first.different_first_page_header_footer else first.footer
    top = max(
        _emu_pt(first.top_margin),
        _emu_pt(first.header_distance) + _part_height(header._element, body),
    )
    bottom = max(
        _emu_pt(first.bottom_margin),
        _emu_pt(first.footer_distance) + _part_height(footer._element, body),
    )
    width = (
        _emu_pt(section.page_width) - _emu_pt(section.left_margin) - _emu_pt(section.right_margin)
    )
    found = {
        role: _role_style_name(doc, role) for role in ("title", "subtitle", "heading1", "heading2")
    }

    return PageGeometry(
        round(width * TWIPS_PER_PT),
        _emu_pt(section.page_height) - top - bottom,
        body,
        style(found["title"]),
        style(found["subtitle"]),
        style(found["heading1"]),
        style(found["heading2"]),
        theme.spec.fonts.body or style_font(doc, default),
    )


def _emu_pt(value: int | None) -> float:
    return (value or 0) / _EMU_PER_PT


def _role_style_name(doc: object, role: str) -> str | None:
    found = find_style(doc, role)
    return None if found is None else str(found.name)


def _paragraph_type() -> object:
    from docx.enum.style import WD_STYLE_TYPE

    return WD_STYLE_TYPE.PARAGRAPH


def _text_style(doc: object, style: object, theme_fonts: ThemeFonts) -> TextStyle:
    """The font (direct, else via the theme, else inherited), tracking and boldness of a style."""
    from docx.oxml.ns import qn

    font = tracking = bold = None
    chain = []
    current = style
    while current is not None:
        chain.append(current.element.rPr)  # type: ignore[attr-defined]
        current = current.base_style  # type: ignore[attr-defined]
    defaults = doc.styles.element.find(  # type: ignore[attr-defined]
        qn("w:docDefaults") + "/" + qn("w:rPrDefault") + "/" + qn("w:rPr")
    )
    chain.append(defaults)
    for rpr in chain:
        if rpr is None:
            continue
        rfonts = rpr.find(qn("w:rFonts"))
        if font is None and rfonts is not None:
            theme_ref = rfonts.get(qn("w:asciiTheme")) or ""
            font = rfonts.get(qn("w:ascii")) or theme_fonts.get(theme_ref[:5])
        spacing = rpr.find(qn("w:spacing"))
        if tracking is None and spacing is not None:
            tracking = int(spacing.get(qn("w:val"), "0")) / TWIPS_PER_PT
        b = rpr.find(qn("w:b"))
        if bold is None and b is not None:
            bold = b.get(qn("w:val"), "1") not in ("0", "false")
    return TextStyle(font, tracking or 0.0, bool(bold))


def _part_height(root: object, body: TextStyle) -> float:
    """A header's or footer's height: per paragraph its tallest picture or line, and its rule."""
    from docx.oxml.ns import qn

    height = 0.0
    for p in root.iter(qn("w:p")):  # type: ignore[attr-defined]
        sizes = [
            int(sz.get(qn("w:val"))) / 2
            for sz in p.iter(qn("w:sz"))
            if sz.getparent().tag == qn("w:rPr")
        ]
        tallest = max(sizes, default=11.0) * line_height(body.font)
        for extent in p.iter(qn("wp:extent")):
            if extent.getparent().tag == qn("wp:inline"):
                tallest = max(tallest, int(extent.get("cy", "0")) / _EMU_PER_PT)
        for anchor in p.iter(qn("wp:anchor")):
            # A banner anchored to its paragraph with text above and below it (a letterhead's
            # logo) pushes the paragraph's line, and so the body, down by its bottom edge.
            position = anchor.find(qn("wp:positionV"))
            offset = position.find(qn("wp:posOffset")) if position is not None else None
            extent = anchor.find(qn("wp:extent"))
            if (
                anchor.find(qn("wp:wrapTopAndBottom")) is not None
                and position is not None
                and position.get("relativeFrom") in ("paragraph", "line")
                and extent is not None
            ):
                top = int(offset.text or 0) if offset is not None else 0
                bottom = (top + int(extent.get("cy", "0"))) / _EMU_PER_PT
                tallest = max(tallest, bottom + max(sizes, default=11.0) * line_height(body.font))
        rule = p.find(qn("w:pPr") + "/" + qn("w:pBdr") + "/" + qn("w:bottom"))
        if rule is not None:
            tallest += int(rule.get(qn("w:space"), "0")) + int(rule.get(qn("w:sz"), "0")) / 8
        height += tallest
    return height


def geometry(theme: Theme) -> PageGeometry:
    """The page geometry of ``theme``'s handout (read once per process and theme files)."""
    files = [theme.handout_template, *([theme.logo] if theme.logo else [])]
    key = repr((files, [Path(f).stat().st_mtime_ns for f in files], theme.spec.model_dump_json()))
    if key not in _GEOMETRIES:
        _GEOMETRIES[key] = _theme_geometry(theme)
    return _GEOMETRIES[key]


@functools.cache
def line_height(family: str | None) -> float:
    """A line's height as a factor of the font size: the larger of the font's Windows ascent plus
    descent and its horizontal header's ascent, descent and line gap (LibreOffice uses the
    latter: Liberation Serif sets 1.15, not the 1.11 of its Windows metrics)."""
    metrics = vertical_metrics(family)
    if metrics is None:
        return 1.22
    ascender, descender, gap = metrics.hhea
    win_ascent, win_descent = metrics.win
    return float(max(win_ascent + win_descent, ascender - descender + gap) / metrics.units_per_em)


# -- the page ---------------------------------------------------------------------------------


def predict(
    handout: Handout, theme: Theme, density: int | Density, left_out: Iterable[str] = ()
) -> float:
    """The share of the page body the handout takes (see the module contract)."""
    d = DENSITIES[density] if isinstance(density, int) else density
    page = _Layout(geometry(theme), d)
    return page.handout(handout, set(left_out)) / page.geo.body_pt


class _Layout:
    """Heights in points of the blocks :class:`~generator.handout.builder._Page` writes."""

    def __init__(self, geo: PageGeometry, d: Density) -> None:
        self.geo = geo
        self.d = d
        self.body = geo.body.font

    def text(
        self,
        text: str,
        size: float,
        width_pt: float,
        style: TextStyle | None = None,
        bold: bool = False,
        line: float = 1.0,
        indent: float = 0.0,
    ) -> float:
        """One paragraph's lines times the line height."""
        style = style or self.geo.body
        return _paragraph_height(text, size, width_pt, style, bold or style.bold, line, indent)

    def handout(self, h: Handout, skipped: set[str]) -> float:
        d, width = self.d, self.geo.text_width / TWIPS_PER_PT
        g = self.geo
        height = self.text(h.title, d.title_pt, width, g.title) + d.space_after_pt
        if h.subtitle:
            height += self.text(h.subtitle, d.body_pt + 1.5, width, g.subtitle)
            height += d.space_after_pt * 2
        height += d.space_after_pt * 2
        height += self.text(h.headline, d.heading_pt + 3, width, g.heading1)
        height += d.space_after_pt
        # The key message box: borders 0.5 pt with 3 pt inside, top and bottom.
        height += d.space_after_pt + d.space_after_pt * 2 + 7
        height += self.text(h.key_message, d.body_pt + 1.5, width - 9, bold=True)
        sections = shown_sections(h, skipped)
        main, side, strip, closing = place_sections(sections)
        height += self.columns(main, side)
        for s in strip:
            height += self.section(s, self.geo.text_width, top=False)
        if closing:
            height += 1 + d.space_after_pt * 2 + 6
            height += self.closing(closing, h.qr_url)
        return height

    def columns(self, main: list[Section], side: list[Section]) -> float:
        """The two columns as the builder plans them (the taller counts), or one full width."""
        if not (main or side):
            return 0.0
        plan = plan_columns(main, side, self.geo.text_width, Measure(self.d, self.geo.plan_font))
        if plan.widths is None:
            return self.stack(plan.left, self.geo.text_width)
        return max(self.stack(plan.left, plan.widths[0]), self.stack(plan.right, plan.widths[1]))

    def stack(self, sections: Sequence[Section], width: int) -> float:
        """Sections one under the other in a column ``width`` twips wide."""
        return sum(self.section(s, width, top=i == 0) for i, s in enumerate(sections))

    def section(self, s: Section, width_twips: int, top: bool) -> float:
        d = self.d
        width = width_twips / TWIPS_PER_PT
        height = 0.0
        if s.heading:
            height += 0 if top else d.space_after_pt * 2.5
            height += self.text(s.heading, d.heading_pt, width, self.geo.heading2)
            height += d.space_after_pt / 2
        for text in s.paragraphs:
            if text:
                height += self.text(text, d.body_pt, width, line=d.line) + d.space_after_pt
        indent = LIST_INDENT / TWIPS_PER_PT
        for item in s.items:
            height += self.text(item.text, d.body_pt, width, line=d.line, indent=indent)
            height += d.space_after_pt * 0.75
        if s.table is not None:
            height += self.table(s.table, width_twips)
        if s.steps:
            height += self.steps(s, width_twips)
        return height

    def rows(self, rows: Sequence[Sequence[str]], widths: Sequence[int], bold_head: bool) -> float:
        size = cell_size(self.d)
        height = 0.0
        for r, row in enumerate(rows):
            cells = [
                self.text(text, size, w / TWIPS_PER_PT - CELL_PAD_PT, bold=bold_head and r == 0)
                for text, w in zip(row, widths, strict=False)
            ]
            height += max(cells, default=0.0) + 4 + 0.5  # cell margins 2 + 2 pt, a rule
        return height + 1 + self.d.space_after_pt + 2  # the top rule, the gap after the table

    def table(self, table: Table, width: int) -> float:
        widths = column_widths(table, width, self.body, cell_size(self.d))
        return self.rows([table.header, *table.rows], widths, bold_head=True)

    def steps(self, s: Section, width: int) -> float:
        shown = strip_window(s.steps, width, self.body, cell_size(self.d))
        widths = [width // len(shown)] * len(shown)
        head = [("✓ " if st.done else "") + st.when for st in shown]
        return self.rows([head, [st.text for st in shown]], widths, bold_head=True)

    def closing(self, closing: list[Section], url: str | None) -> float:
        d = self.d
        ask = next((s for s in closing if s.key == "ask"), None)
        contact = next((s for s in closing if s.key == "contact"), None)
        full = self.geo.text_width / TWIPS_PER_PT
        qr = QR_WIDTH / _EMU_PER_PT
        rest = full - (GAP / TWIPS_PER_PT) * (2 if url else 1) - (qr + 3 if url else 0)
        ask_w, contact_w = (rest * 0.55, rest * 0.45) if ask and contact else (rest, rest)
        columns = [qr * 1.05 + 2 if url else 0.0]
        for s, w, boxed in ((ask, ask_w, True), (contact, contact_w, False)):
            if s is None:
                continue
            h = 0.0
            if s.heading:
                h += self.text(s.heading, d.heading_pt, w, self.geo.heading2)
                h += d.space_after_pt / 2
            for text in s.paragraphs:
                if text:
                    h += self.text(text, d.body_pt, w - (9 if boxed else 0), line=d.line)
                    h += 7 if boxed else 0
            columns.append(h)
        return max(columns)


@functools.lru_cache(maxsize=8192)
def _paragraph_height(
    text: str,
    size: float,
    width_pt: float,
    style: TextStyle,
    bold: bool,
    line: float,
    indent: float,
) -> float:
    """See :meth:`_Layout.text` (the variants of one handout measure the same texts again)."""
    spans = tuple((r.text, bool(r.bold) or bold) for r in runs(text)) or (("", bold),)
    if style.tracking:
        # Letter spacing widens every character: narrow the box by the same share.
        chars = "".join(t for t, _ in spans)
        natural = text_width_pt(chars, style.font, bold, size) or 1.0
        width_pt /= 1 + style.tracking * len(chars) / natural
    # fit.py measures words a little wide (safe for a deck's boxes); here the lines must come
    # out nearly as LibreOffice breaks them (see _COMPENSATE).
    para = Paragraph("", spans=spans, indent_pt=indent / _COMPENSATE)
    lines = paragraph_lines(para, style.font, size, width_pt / _COMPENSATE)
    return lines * size * line_height(style.font) * line
