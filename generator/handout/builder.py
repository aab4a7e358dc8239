"""Build the one-page handout (.docx) from a Handout tree on the theme's Word template.

Contract: :func:`build_handout` returns the bytes of an A4 document on the template's own styles,
margins (at most 2 cm), header and footer. The page, top to bottom:

- the header: the template's own if it has one, else the theme logo and the municipality;
- the title block: title, subtitle, the headline (the first real heading) and the key message box;
- two columns: on the left the numbers box (sections ``numbers`` and ``costs``, as wide as
  their numbers need), then those story sections that make the columns most even (estimated
  with real font metrics); on the right (wide) the story: every section the builder has no
  other place for, in tree order (benefits, audience sections). When one full-width column is
  shorter (long names in a narrow box), the story and the numbers run full width instead;
- the strip: sections with ``steps`` (the timeline), full width;
- the closing band: ``ask`` (what we ask of you) beside ``contact``, and a QR code to ``qr_url``;
- the footer: the template's footer, then the handout's footer line, where ``{version}`` becomes a
  short fingerprint of the handout's text (the same text gives the same fingerprint).

Columns are Word section columns, not layout tables, so the reading order and the tags of the PDF
are the order of the text. Headings use the template's heading styles (found by name, by Dutch or
English style id, or by outline level; created when missing). Language on every run and as the
document default, alt text on every picture, table header rows marked, colours darkened where
needed for 4.5:1 contrast. ``density`` sets sizes and spacing; ``leave_out`` names section keys to
skip: the one-page fit (:mod:`generator.handout.fit`) steps these until the page is not over.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import segno
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.package import Unmarshaller
from docx.opc.part import PartFactory
from docx.opc.pkgreader import PackageReader
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.parser import oxml_parser
from docx.package import Package
from docx.section import Section as DocxSection
from docx.shared import Cm, Emu, Pt, RGBColor
from docx.styles.style import StyleFactory
from docx.text.paragraph import Paragraph as DocxParagraph
from lxml import etree

from generator.compose.doctree import Handout, Item, Section, Step, Table
from generator.compose.inline import plain, runs
from generator.ooxml.package import package_bytes
from generator.theme.colour import contrast
from generator.theme.metrics import LINE_HEIGHT, Paragraph, text_height_pt, text_width_pt
from generator.theme.packages import CleanPackage, load_package
from generator.theme.themes import Theme

#: Sections in the left-hand column (the numbers box), in this order.
SIDE_KEYS = ("numbers", "costs", "funding")
#: Sections in the closing band, left to right.
CLOSING_KEYS = ("ask", "contact")
#: A timeline strip shows at most this many milestones (the last done ones and the next ones).
MAX_STEPS = 6


@dataclass(frozen=True)
class Density:
    """Sizes (pt) and spacing of one step of the fit; the fit steps from the first to the last."""

    body_pt: float = 10.5
    space_after_pt: float = 4.0
    heading_pt: float = 12.0
    title_pt: float = 22.0
    line: float = 1.05  # line spacing, as a factor of single


#: From roomy to dense. Body text is at least 10 pt; the last step, 9.5 pt, is a last resort
#: (the fit leaves sections out at 10 pt first: see generator/handout/fit.py).
DENSITIES = (
    Density(10.5, 4.0, 12.0, 22.0, 1.05),
    Density(10.0, 3.0, 11.5, 20.0, 1.0),
    Density(9.5, 2.0, 11.0, 18.0, 1.0),
)

TWIPS_PER_PT = 20
_DEFAULT_MARGIN = Cm(2.0)
GAP = Cm(0.7).twips  # between columns
_MAIN_SHARE = 0.58  # the story column's share of the text width, when the numbers fit
_MAX_SIDE_SHARE = 0.5  # the numbers box never takes more than half
QR_WIDTH = Cm(2.5)
_QR_ALT = {"nl": "QR-code naar {url}", "en": "QR code to {url}"}
LIST_INDENT = 284  # twips (0.5 cm): bullet items
_LIST_HANGING = 198


def build_handout(
    handout: Handout,
    theme: Theme,
    created: dt.datetime,
    density: Density = DENSITIES[0],
    leave_out: Iterable[str] = (),
) -> bytes:
    """Write the handout (see the module contract) and return its bytes (entry times fixed, as
    :func:`~generator.ooxml.package.package_bytes` writes them)."""
    doc = _open_template(theme.handout_template)
    page = _Page(doc, theme, handout, density)
    page.write(set(leave_out))
    return finish_document(
        doc,
        language=handout.language,
        title=plain(handout.title),
        subject=plain(handout.key_message),
        author=plain(handout.municipality),
        created=created,
    )


def finish_document(
    doc: Any, *, language: str, title: str, subject: str, author: str, created: dt.datetime
) -> bytes:
    """What every Word document pitchkit writes (handout, engagement plan) gets last: the
    language on every style and run, drawing ids unique over body, headers and footers, the
    document properties (texts cut to Office's 255 characters, every date ``created``, nothing
    of the template's author left), and the bytes zipped at ``created``."""
    _set_language(doc, language)
    _unique_drawing_ids(doc.part)
    props = doc.core_properties
    props.title = title[:255]
    props.subject = subject[:255]
    props.author = author[:255]
    props.last_modified_by = author[:255]
    props.language = language
    props.created = created
    props.modified = created
    props.last_printed = created
    props.revision = 1
    props.comments = ""
    props.keywords = ""
    props.category = ""
    return package_bytes(doc.part.package, created)


def _unique_drawing_ids(document_part: Any) -> None:
    """Give every drawing (``wp:docPr``) an id of its own over the body, headers and footers.

    python-docx numbers the pictures of each part on its own, so a header logo and the body's QR
    code both get id 1: Word then offers to repair the file. The template's headers and footers
    keep their ids; a later drawing whose id is taken gets the next free one.
    """
    parts = [
        rel.target_part
        for rel in document_part.rels.values()
        if not rel.is_external and rel.reltype in (RT.HEADER, RT.FOOTER)
    ]
    parts.sort(key=lambda part: str(part.partname))
    drawings = [d for part in [*parts, document_part] for d in part.element.iter(_WP_DOC_PR)]
    taken: set[int] = set()
    numbers = [int(d.get("id")) if (d.get("id") or "").isdigit() else 0 for d in drawings]
    free = max(numbers, default=0) + 1
    for drawing, number in zip(drawings, numbers, strict=True):
        if number < 1 or number in taken:
            number, free = free, free + 1
            drawing.set("id", str(number))
        taken.add(number)


def _open_template(path: Path) -> Any:
    """The theme's Word template as a python-docx Document, read through
    :func:`generator.theme.packages.load_package` (a .dotx, .docm or .dotm becomes a plain, clean
    document in memory); the package is read once per process, the parts parsed afresh each time.
    """
    package = Package()
    Unmarshaller.unmarshal(_template_reader(load_package(path, "docx")), package, PartFactory)
    return package.main_document_part.document


@functools.lru_cache(maxsize=16)
def _template_reader(package: CleanPackage) -> PackageReader:
    """The template's serialized parts (read only: every open parses its own copy)."""
    return PackageReader.from_file(io.BytesIO(package.data))


def fingerprint(handout: Handout) -> str:
    """A short, stable fingerprint of the handout's content: printed as its version."""
    return hashlib.sha256(handout.model_dump_json().encode()).hexdigest()[:7]


#: The key of the line that says where what was left out can be found (last in the story).
MORE_KEY = "more"


def shown_sections(handout: Handout, skipped: set[str]) -> list[Section]:
    """The sections the page shows without ``skipped``; when any was left out and the handout
    says where to find more, a last line names them: "Meer: risico's en planning op ..."."""
    sections = [s for s in handout.sections if s.key not in skipped]
    gone = [s for s in handout.sections if s.key in skipped]
    if not gone or not handout.more:
        return sections
    topics = [_topic(s) for s in gone]
    named = (
        topics[0]
        if len(topics) == 1
        else f"{', '.join(topics[:-1])} {handout.more_and} {topics[-1]}"
    )
    line = handout.more.replace("{topics}", named)
    return [*sections, Section(key=MORE_KEY, priority=100, paragraphs=[line])]


def _topic(section: Section) -> str:
    """What a left-out section is called in running text: its topic, else its heading with a
    small first letter (not in an abbreviation such as KPI or CO₂)."""
    name = plain(section.topic or section.heading or section.key)
    if len(name) > 1 and name[1].isupper():
        return name
    return name[:1].lower() + name[1:]


def place_sections(
    sections: Sequence[Section],
) -> tuple[list[Section], list[Section], list[Section], list[Section]]:
    """Split sections into (story, numbers box, strip, closing band), tree order kept."""
    main: list[Section] = []
    side: list[Section] = []
    strip: list[Section] = []
    closing: list[Section] = []
    for s in sections:
        if s.steps:
            strip.append(s)
        elif s.key in CLOSING_KEYS:
            closing.append(s)
        elif s.key in SIDE_KEYS:
            side.append(s)
        else:
            main.append(s)
    side.sort(key=lambda s: SIDE_KEYS.index(s.key))
    closing.sort(key=lambda s: CLOSING_KEYS.index(s.key))
    return main, side, strip, closing


# -- the page ---------------------------------------------------------------------------------


class _Page:
    """One handout being written: the document, its styles and geometry, and the section breaks.

    The body is written as lxml elements directly (python-docx's proxies look every style up
    again and walk the whole table per cell); the XML is the same as python-docx would write.
    """

    def __init__(self, doc: Any, theme: Theme, handout: Handout, density: Density) -> None:
        self.doc = doc
        self.part = doc.part
        self.theme = theme
        self.handout = handout
        self.d = density
        explicit = theme_colours_set(theme)
        neutralise_template(doc)
        # theme.yaml's primary colour where it sets one, else the template's Heading 1 colour.
        own = None if "primary" in explicit else _heading_colour(doc)
        base = f"#{own}" if own else theme.spec.colors.primary
        self.tint = _tint(base, 0.90)
        self.tint_strong = _tint(base, 0.75)
        # Table heads, the key message and bullets are in the primary colour, on these tints.
        self.primary_hex = _readable(base, on=self.tint_strong)
        self.primary = RGBColor.from_string(self.primary_hex)
        _clear_body(doc)
        self.body = doc.element.body
        self.sect_pr = self.body.find(_W_SECT_PR)
        # Still the only section: python-docx's doc.sections[0], without its XPath each time.
        section: Any = DocxSection(self.sect_pr, doc.part)
        self.section = section
        _page_setup(section, self.sect_pr)  # sets the sizes and margins read below
        self.text_width = Emu(section.page_width - section.left_margin - section.right_margin).twips
        self.styles = _Styles(doc, theme, density, self.primary, explicit)
        self.measure = Measure(density, theme.spec.fonts.body or self.styles.body_font)
        self.bullets = _bullet_numbering(doc, self.primary_hex)
        self.breaks = 0  # section breaks written so far
        self.last_columns: list[int] | None = None  # of the last section (the body's sectPr)

    # The body is written as up to four Word sections (continuous breaks): title block, columns,
    # strip, closing band. Each break closes the section before it with that section's columns.
    def write(self, skipped: set[str]) -> None:
        h = self.handout
        _header(self.section, h, self.theme, self.primary)
        _footer(self.section, h)
        self._title_block()
        sections = shown_sections(h, skipped)
        main, side, strip, closing = place_sections(sections)
        if main or side:
            self._end_section(None)
            plan = plan_columns(main, side, self.text_width, self.measure)
            if plan.widths is not None:
                self._sections(plan.left, plan.widths[0])
                self._sections(plan.right, plan.widths[1], column_break=True)
                self._end_section(list(plan.widths))
            else:
                self._sections(plan.left, self.text_width)
        for s in strip:
            self._end_section(None)
            self._section(s, self.text_width)
        if closing:
            # Room above the band, whose headings open their columns with none (so they line up).
            _tiny(self._paragraph(), after=self.d.space_after_pt * 2 + 6)
            self._end_section(None)
            self._closing(closing)
        self._finish()

    # -- blocks -------------------------------------------------------------------------------

    def _paragraph(self) -> Any:
        """A new w:p at the end of the body (before its sectPr)."""
        p = self.body.makeelement(_W_P)
        self.sect_pr.addprevious(p)
        return p

    def _styled(self, style_id: str | None) -> Any:
        """A new w:p in a paragraph style (see :func:`_set_style`)."""
        p = self._paragraph()
        _set_style(p, style_id)
        return p

    def _title_block(self) -> None:
        h, s, d = self.handout, self.styles, self.d
        _add_runs(self._styled(s.title_id), self.part, h.title)
        if h.subtitle:
            _add_runs(self._styled(s.subtitle_id), self.part, h.subtitle)
        _add_runs(self._styled(s.heading1_id), self.part, h.headline)
        key = self._paragraph()
        size = d.body_pt + 1.5
        _add_runs(key, self.part, h.key_message, size=size, color=self.primary_hex, bold=True)
        _box(key, self.primary_hex, self.tint)
        _spacing(key, before=_twips(d.space_after_pt), after=_twips(d.space_after_pt * 2))

    def _sections(self, sections: list[Section], width: int, column_break: bool = False) -> None:
        for i, section in enumerate(sections):
            self._section(section, width, column_break=column_break and i == 0, top=i == 0)

    def _section(
        self, section: Section, width: int, column_break: bool = False, top: bool = False
    ) -> None:
        """One section; ``top``: it opens a column, so no space above (both columns line up)."""
        first = True

        def start() -> Any:
            # The column break goes into the first paragraph of the second column.
            nonlocal first
            if first and column_break:
                first = False
                return self._column_break_paragraph()
            first = False
            return self._paragraph()

        if section.heading:
            p = start()
            _set_style(p, self.styles.heading2_id)
            _add_runs(p, self.part, section.heading)
            if top:
                _spacing(p, before="0")
        for text in section.paragraphs:
            if text:
                _add_runs(start(), self.part, text)
        for item in section.items:
            self._bullet(start(), item)
        if section.table is not None:
            if first and column_break:
                self._column_break_paragraph(empty=True)
                first = False
            self._data_table(section.table, width, section.heading)
        if section.steps:
            self._steps(section.steps, width, section.heading)

    def _column_break_paragraph(self, empty: bool = False) -> Any:
        p = self._paragraph()
        _sub(_sub(p, "r"), "br", type="column")
        if empty:
            _tiny(p)
        return p

    def _bullet(self, p: Any, item: Item) -> None:
        num = _sub(_ppr(p), "numPr")
        _sub(num, "ilvl", val=str(item.level))
        _sub(num, "numId", val=str(self.bullets))
        _spacing(p, after=_twips(self.d.space_after_pt * 0.75))
        _add_runs(p, self.part, item.text)

    def _data_table(self, table: Table, width: int, caption: str | None) -> None:
        """A data table in a tinted box: a marked header row, numbers right-aligned."""
        cols = len(table.header)
        size = cell_size(self.d)
        widths = column_widths(table, width, self.styles.body_font, size)
        cells = self._table(1 + len(table.rows), widths, caption, 12)
        numeric = set(table.numeric)
        for r, row in enumerate([table.header, *table.rows]):
            fill = self.tint_strong if r == 0 else self.tint
            for c in range(cols):
                tcpr, p = cells[r][c]
                _cell_fill(tcpr, fill)
                _compact(p, right=c in numeric)
                text = row[c] if c < len(row) else ""
                if r == 0:
                    _add_runs(p, self.part, text, size=size, color=self.primary_hex, bold=True)
                else:
                    bold = (c > 0 and c == cols - 1) or None
                    _add_runs(p, self.part, text, size=size, bold=bold)
        self._after_table()

    def _steps(self, steps: list[Step], width: int, caption: str | None) -> None:
        """A timeline strip: one column per milestone, when above (a marked header row)."""
        size = cell_size(self.d)
        shown = strip_window(steps, width, self.styles.body_font, size)
        widths = [width // len(shown)] * len(shown)
        widths[-1] = width - sum(widths[:-1])
        cells = self._table(2, widths, caption, 18)
        # Column by column: links get their relationship ids in this order.
        for c, step in enumerate(shown):
            for r in (0, 1):
                tcpr, p = cells[r][c]
                if step.done:
                    _cell_fill(tcpr, self.tint)
                _compact(p)
                if r == 0:
                    when = ("✓ " if step.done else "") + step.when
                    _add_runs(p, self.part, when, size, self.primary_hex, bold=True)
                else:
                    _add_runs(p, self.part, step.text, size=size)
        self._after_table()

    def _table(
        self, rows: int, widths: list[int], caption: str | None, top_size: int
    ) -> list[list[tuple[Any, Any]]]:
        """A fixed-width table (our own properties, not the template's table styles), header
        row marked (repeats, and is tagged TH in the PDF); its cells as (w:tcPr, w:p) by row."""
        tbl = self.body.makeelement(_W + "tbl")
        self.sect_pr.addprevious(tbl)
        tblpr = _sub(tbl, "tblPr")
        _sub(tblpr, "tblW", w=str(sum(widths)), type="dxa")
        _sub(tblpr, "tblInd", w="0", type="dxa")
        borders = _sub(tblpr, "tblBorders")
        _border(borders, "top", "single", top_size, self.primary_hex)
        for side in ("left", "bottom", "right"):
            _border(borders, side, "nil", 0, "auto")
        for side in ("insideH", "insideV"):
            _border(borders, side, "single", 4, "FFFFFF")
        _sub(tblpr, "tblLayout", type="fixed")
        margins = _sub(tblpr, "tblCellMar")
        for side, value in (("top", "40"), ("left", "85"), ("bottom", "40"), ("right", "85")):
            _sub(margins, side, w=value, type="dxa")
        _sub(tblpr, "tblLook", **_TABLE_LOOK)
        if caption:
            _sub(tblpr, "tblCaption", val=plain(caption)[:255])
        grid = _sub(tbl, "tblGrid")
        for w in widths:
            _sub(grid, "gridCol", w=str(w))
        cells = []
        for r in range(rows):
            tr = _sub(tbl, "tr")
            trpr = _sub(tr, "trPr")
            _sub(trpr, "cantSplit")
            if r == 0:
                _sub(trpr, "tblHeader")
            row = []
            for w in widths:
                tc = _sub(tr, "tc")
                tcpr = _sub(tc, "tcPr")
                _sub(tcpr, "tcW", type="dxa", w=str(w))
                row.append((tcpr, _sub(tc, "p")))
            cells.append(row)
        return cells

    def _after_table(self) -> None:
        # A small gap after a table; also keeps a following section break out of the table.
        _tiny(self._paragraph(), after=self.d.space_after_pt)

    def _closing(self, closing: list[Section]) -> None:
        """What we ask (a tinted box) beside the contact, and the QR code at the far right."""
        ask = next((s for s in closing if s.key == "ask"), None)
        contact = next((s for s in closing if s.key == "contact"), None)
        url = self.handout.qr_url
        gap = GAP
        qr_w = Emu(QR_WIDTH + Cm(0.1)).twips
        widths: list[int] = []
        if ask is not None:
            self._ask(ask)
        if contact is not None:
            self._contact(contact, column_break=ask is not None)
        if url:
            self._qr(url, column_break=ask is not None or contact is not None)
        if ask is not None and contact is not None:
            rest = self.text_width - gap * (2 if url else 1) - (qr_w if url else 0)
            widths = [int(rest * 0.55), rest - int(rest * 0.55)]
        elif ask is not None or contact is not None:
            widths = [self.text_width - (gap + qr_w if url else 0)]
        if url:
            widths.append(qr_w)
        self.last_columns = widths if len(widths) > 1 else None

    def _ask(self, section: Section) -> None:
        if section.heading:
            h = self._paragraph()
            _text_run(h, plain(section.heading))
            _set_style(h, self.styles.heading2_id)
            _spacing(h, before="0")
        for text in section.paragraphs:
            if text:
                p = self._paragraph()
                _add_runs(p, self.part, text)
                _box(p, self.primary_hex, self.tint)
                _spacing(p, after="0")

    def _contact(self, section: Section, column_break: bool) -> None:
        p = self._column_break_paragraph() if column_break else self._paragraph()
        if section.heading:
            _set_style(p, self.styles.heading2_id)
            _spacing(p, before="0")
            _add_runs(p, self.part, section.heading)
            p = None
        for text in section.paragraphs:
            if text:
                q = self._paragraph() if p is None else p
                p = None
                _add_runs(q, self.part, text)
                _spacing(q, after="0")

    def _qr(self, url: str, column_break: bool) -> None:
        p = self._column_break_paragraph() if column_break else self._paragraph()
        _spacing(p, before="0")  # level with the band's headings
        paragraph = DocxParagraph(p, self.doc._body)
        pic = paragraph.add_run().add_picture(io.BytesIO(_qr_png(url)), width=QR_WIDTH)
        lang = self.handout.language.split("-")[0]
        _alt(pic, _QR_ALT.get(lang, _QR_ALT["en"]).format(url=url))

    # -- section breaks -----------------------------------------------------------------------

    def _end_section(self, columns: list[int] | None) -> None:
        """Close the body so far as one section with ``columns`` (twips each; None: one column)."""
        body = self.body
        last = body[-2] if len(body) > 1 else None
        # LibreOffice drops an empty paragraph that ends a section, and its spacing with it: a
        # spacer (after a table, before the closing band) keeps its own paragraph.
        if last is None or last.tag != _W_P or not _has_text(last):
            last = self._paragraph()
            _tiny(last)
        if last.find(_W_PPR + "/" + _W_SECT_PR) is not None:
            return  # already closed (an empty section would add nothing)
        sect = copy.deepcopy(self.sect_pr)
        if self.breaks == 0:
            # The first section carries the header and footer; later ones follow it.
            for ref in list(self.sect_pr):
                if ref.tag in (qn("w:headerReference"), qn("w:footerReference")):
                    self.sect_pr.remove(ref)
            title_pg = self.sect_pr.find(qn("w:titlePg"))
            if title_pg is not None:
                self.sect_pr.remove(title_pg)
        else:
            _set_continuous(sect)
        _set_columns(sect, columns, GAP)
        _insert_ppr_child(_ppr(last), sect)
        self.breaks += 1

    def _finish(self) -> None:
        """The last section's columns go on the body's own section properties."""
        if self.breaks:
            _set_continuous(self.sect_pr)
        _set_columns(self.sect_pr, self.last_columns, GAP)


# -- balancing the columns --------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """What section heights are estimated with: the density and the body font."""

    d: Density
    font: str | None


@dataclass(frozen=True)
class ColumnPlan:
    """The story and the numbers box: ``left`` and ``right`` columns ``widths`` (twips) wide,
    or, with ``widths`` None, everything in ``left``, full width."""

    left: list[Section]
    right: list[Section]
    widths: tuple[int, int] | None


def plan_columns(
    main: list[Section], side: list[Section], text_width: int, measure: Measure
) -> ColumnPlan:
    """Where the story (``main``) and the numbers box (``side``) go; the builder writes this plan
    and the one-page prediction (:mod:`generator.handout.layout`) measures it.

    The numbers box is as wide as its tables need (no broken numbers), within bounds. It comes
    first, on the left: LibreOffice (7.4) does not grow a column section for a table in the second
    column that would end below the first column (it moves the table to the next page); lists
    there are fine. Where one full-width column is shorter (a numbers box of long names in a
    narrow column), the story and then the numbers run full width.
    """
    room = text_width - GAP
    size = cell_size(measure.d)
    need = max(
        (
            sum(column_widths(s.table, 10**6, measure.font, size, tight=True))
            for s in side
            if s.table
        ),
        default=0,
    )
    side_w = int(min(max(need, room * (1 - _MAIN_SHARE)), room * _MAX_SIDE_SHARE))
    main_w = room - side_w
    if main and side:
        main, side = _balance(main, side, main_w, side_w, measure)
        two = max(_height(main, main_w, measure), _height(side, side_w, measure))
        if two < _height(main + side, text_width, measure):
            return ColumnPlan(side, main, (side_w, main_w))
    return ColumnPlan(main + side, [], None)


def cell_size(d: Density) -> float:
    """The text size in tables and the timeline strip: half a point under the body, but not
    under 10 pt unless the body is (the last resort)."""
    return max(min(10.0, d.body_pt), d.body_pt - 0.5)


def strip_window(steps: list[Step], width: int, font: str | None, size: float) -> list[Step]:
    """The milestones the timeline strip shows: as many as fit ``width`` (twips) without breaking
    a word, three at least, at most MAX_STEPS (see :func:`_window` for which)."""
    words = [(w, True) for st in steps for w in st.when.split()]
    words += [(w, False) for st in steps for w in plain(st.text).split()]
    widest = max((text_width_pt(w, font, b, size) for w, b in words), default=0)
    room = width / TWIPS_PER_PT // (widest + CELL_PAD_PT)
    return _window(steps, max(3, min(MAX_STEPS, int(room))))


def _balance(
    main: list[Section], side: list[Section], main_w: int, side_w: int, measure: Measure
) -> tuple[list[Section], list[Section]]:
    """Move story sections under the numbers box where that makes the columns most even.

    Every choice of sections after the first (the story's lead stays on top) is tried; both
    columns keep the tree order. The shortest taller column wins, then the fewest moved.
    """
    lead, rest = main[:1], main[1:]
    here = [_estimate(s, main_w, measure) for s in rest]
    there = [_estimate(s, side_w, measure) for s in rest]
    lead_h = sum(_estimate(s, main_w, measure) for s in lead)
    side_h = sum(_estimate(s, side_w, measure) for s in side)
    best: tuple[float, int, int] | None = None
    n = len(rest)
    masks = range(1 << n) if n <= 10 else [((1 << n) - 1) ^ ((1 << k) - 1) for k in range(n + 1)]
    for mask in masks:
        right = side_h + sum(there[k] for k in range(n) if mask >> k & 1)
        left = lead_h + sum(here[k] for k in range(n) if not mask >> k & 1)
        score = (max(left, right), bin(mask).count("1"), -mask)
        if best is None or score < best:
            best = score
    mask = -best[2] if best is not None else 0
    moved = [s for k, s in enumerate(rest) if mask >> k & 1]
    kept = [s for k, s in enumerate(rest) if not mask >> k & 1]
    return lead + kept, side + moved


#: Section heights by what they depend on: the section's text, the width, the font and the
#: density. The fit's prediction and the builder ask for the same ones (balancing tries each
#: section at both column widths, for every variant); emptied when full.
_ESTIMATES: dict[tuple[Any, ...], float] = {}
_ESTIMATES_MAX = 4096


def _estimate(section: Section, width_twips: int, measure: Measure) -> float:
    """Estimated height in points of a section at ``width_twips`` (real font metrics)."""
    table = section.table
    key = (
        bool(section.heading),
        tuple(section.paragraphs),
        tuple(i.text for i in section.items),
        None if table is None else (tuple(table.header), tuple(tuple(r) for r in table.rows)),
        width_twips,
        measure.font,
        measure.d,
    )
    height = _ESTIMATES.get(key)
    if height is None:
        if len(_ESTIMATES) >= _ESTIMATES_MAX:
            _ESTIMATES.clear()
        height = _ESTIMATES[key] = _measure(section, width_twips, measure)
    return height


def _measure(section: Section, width_twips: int, measure: Measure) -> float:
    d, font = measure.d, measure.font
    width = width_twips / TWIPS_PER_PT
    height = 0.0
    if section.heading:
        height += d.heading_pt * LINE_HEIGHT + d.space_after_pt * 2.5
    paras = [Paragraph(plain(t), space_before=0) for t in section.paragraphs if t]
    paras += [
        Paragraph(plain(i.text), indent_pt=LIST_INDENT / TWIPS_PER_PT, space_before=0)
        for i in section.items
    ]
    height += text_height_pt(paras, font, d.body_pt, width) * d.line
    height += len(paras) * d.space_after_pt
    if section.table is not None:
        table = section.table
        size = cell_size(d)
        widths = column_widths(table, width_twips, font, size)
        pad = 2 * 40 / TWIPS_PER_PT  # top and bottom cell margins (see _Page._table)
        for row in [table.header, *table.rows]:
            height += pad + max(
                text_height_pt([Paragraph(plain(c))], font, size, w / TWIPS_PER_PT - CELL_PAD_PT)
                for c, w in zip(row, widths, strict=False)
            )
        height += d.space_after_pt + 2
    return height


def _height(sections: list[Section], width_twips: int, measure: Measure) -> float:
    return sum(_estimate(s, width_twips, measure) for s in sections)


# -- page, styles, numbering ------------------------------------------------------------------


def _clear_body(doc: Any) -> None:
    """Remove the template's own body text; keep the final section properties."""
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


def theme_colours_set(theme: Theme) -> set[str]:
    """The colour roles theme.yaml sets itself; the template decides the others."""
    spec = theme.spec
    return set(spec.colors.model_fields_set) if "colors" in spec.model_fields_set else set()


def _heading_colour(doc: Any) -> str | None:
    """The colour (RRGGBB) of the template's Heading 1, following its base styles; None when
    it has none of its own (automatic, black or white)."""
    style = find_style(doc, "heading1")
    seen = 0
    while style is not None and seen < 20:
        rpr = style.element.rPr
        color = rpr.find(qn("w:color")) if rpr is not None else None
        value = (color.get(qn("w:val")) or "") if color is not None else ""
        if re.fullmatch(r"[0-9A-Fa-f]{6}", value):
            value = value.upper()
            return None if value in ("000000", "FFFFFF") else value
        if value:
            return None  # "auto"
        style, seen = style.base_style, seen + 1
    return None


#: Paragraph properties that push text onto a next page, per style; removed in the handout's copy.
_PAGE_FIGHTERS = {"pageBreakBefore": "page break before", "keepNext": "keep with next"}


def neutralise_template(doc: Any) -> list[str]:
    """Take out of the handout's copy of the template what fights a one-page handout, and say
    what it was (one line each, naming the style):

    - "page break before" on the styles the handout writes with (title, subtitle, headings,
      body text, and the styles they are based on); "keep with next" on the body text style
      (it chains every paragraph to the next);
    - a different first page (``titlePg``) when the template's body starts with a cover page:
      that page's header and footer belong to the cover, the handout takes the running ones;
    - a page centred or bottom-aligned vertically (cover pages are);
    - the template's own body: cover page, table of contents, section breaks (the handout
      replaces the body; this only names what was there).
    """
    said: list[str] = []
    index = _style_index(doc)
    default = _default_paragraph_style(doc)
    roles = [find_style(doc, role, index) for role in _ROLES]
    seen: set[str] = set()
    for role_style in [default, *roles]:
        style = role_style
        while style is not None and style.style_id not in seen:
            seen.add(style.style_id)
            ppr = style.element.pPr
            for tag, what in _PAGE_FIGHTERS.items():
                if tag == "keepNext" and role_style is not default:
                    continue  # headings keep with their text: the builder sets that itself
                el = ppr.find(qn(f"w:{tag}")) if ppr is not None else None
                if el is not None and el.get(qn("w:val")) not in ("0", "false", "off"):
                    ppr.remove(el)
                    said.append(f"style '{style.name}': {what} (left out)")
            if ppr is not None and role_style is default:
                # A first-line indent runs through every table cell and narrow column.
                ind = ppr.find(qn("w:ind"))
                for attr in ("firstLine", "hanging", "firstLineChars", "hangingChars"):
                    if ind is not None and ind.get(qn(f"w:{attr}")) not in (None, "0"):
                        del ind.attrib[qn(f"w:{attr}")]
                        said.append(f"style '{style.name}': first-line indent (left out)")
            elif ppr is not None and ppr.find(qn("w:numPr")) is not None:
                # Chapter numbers (1, 1.1) read as a report's, not a one-page handout's. Word's
                # own Subtitle carries a stray level without a list: dropped without a word.
                num = ppr.find(qn("w:numPr"))
                num_id = num.find(qn("w:numId"))
                ppr.remove(num)
                if num_id is not None and num_id.get(qn("w:val")) != "0":
                    said.append(f"style '{style.name}': numbering (left out)")
            style = style.base_style
    body = doc.element.body
    sect = body.find(_W_SECT_PR)
    gallery = {g.get(_W_VAL) for g in body.iter(_W + "docPartGallery")}
    text = " ".join(t.text or "" for t in body.iter(_W + "instrText"))
    sections = sum(1 for p in body.iter(_W_PPR) if p.find(_W_SECT_PR) is not None)
    heading = roles[2].style_id if roles[2] is not None else None
    cover = "Cover Pages" in gallery or _cover_page(body, heading)
    if cover:
        said.append("a cover page (left out: the handout is one page)")
        title_pg = sect.find(qn("w:titlePg")) if sect is not None else None
        if title_pg is not None:
            sect.remove(title_pg)
            said.append("the cover page's own header and footer (the running ones are used)")
    if "Table of Contents" in gallery or re.search(r"\bTOC\b", text):
        said.append("a table of contents (left out)")
    if sections:
        said.append(f"{sections} section break(s) (left out: the handout is one section)")
    valign = sect.find(qn("w:vAlign")) if sect is not None else None
    if valign is not None and valign.get(_W_VAL) not in (None, "top"):
        sect.remove(valign)
        said.append(f"text aligned to the page's {valign.get(_W_VAL)} (set to the top)")
    numbers = sect.find(qn("w:pgNumType")) if sect is not None else None
    if numbers is not None and numbers.get(_W + "start") not in (None, "1"):
        # A report's body starts on page 3 after its cover and contents; the handout is page 1.
        del numbers.attrib[_W + "start"]
        said.append("page numbers starting at a later page (the handout is page 1)")
    return said


def _cover_page(body: Any, heading_id: str | None) -> bool:
    """Whether the template's body opens with a page of its own: text, then a page or section
    break before the first Heading 1."""
    text = False
    for p in body.iter(_W_P):
        style = p.find(_W_PPR + "/" + _W_PSTYLE)
        if heading_id is not None and style is not None and style.get(_W_VAL) == heading_id:
            return False
        page_break = any(b.get(_W_TYPE) == "page" for b in p.iter(_W + "br"))
        if page_break or p.find(_W_PPR + "/" + _W_SECT_PR) is not None:
            return text or _has_text(p)
        text = text or _has_text(p)
    return False


def template_warnings(path: Path) -> list[str]:
    """What :func:`neutralise_template` takes out of the Word template at ``path``, as one
    warning (empty when nothing): said once per template, not per handout."""
    try:
        stat = path.stat()
    except OSError:
        return []
    said = _template_warnings(str(path), stat.st_mtime_ns, stat.st_size)
    if not said:
        return []
    lead = "Word template: for a one-page handout pitchkit sets aside "
    return [lead + "; ".join(said)]


@functools.lru_cache(maxsize=16)
def _template_warnings(path: str, mtime_ns: int, size: int) -> tuple[str, ...]:
    return tuple(neutralise_template(_open_template(Path(path))))


def _page_setup(section: DocxSection, sect: Any) -> None:
    """A4 portrait with the template's own margins and header and footer distances: its
    letterhead (a logo in a tall header, a 4.4 cm top margin) stays clear of the text. Where the
    template sets none: 2 cm margins, 0.9 cm to the header and footer.

    ``sect``: the section's w:sectPr.
    """
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        if getattr(section, side) is None:
            setattr(section, side, _DEFAULT_MARGIN)
    for side in ("header_distance", "footer_distance"):
        if getattr(section, side) is None:
            setattr(section, side, Cm(0.9))
    grid = sect.find(qn("w:docGrid"))
    if grid is not None:
        # A line grid (common in templates from East Asian Word versions) snaps every line to
        # it in LibreOffice and makes the page run over; text flows freely instead.
        grid.attrib.pop(qn("w:type"), None)


class _Styles:
    """The template's paragraph styles for each role, sized for the density."""

    def __init__(
        self, doc: Any, theme: Theme, d: Density, primary: RGBColor, explicit: set[str]
    ) -> None:
        default = _default_paragraph_style(doc)
        self.normal = default or doc.styles["Normal"]
        fonts = theme.spec.fonts
        normal = self.normal
        normal.font.size = Pt(d.body_pt)
        if fonts.body:
            _set_font(normal, fonts.body)
        self.body_font = fonts.body or style_font(doc, normal)
        pf = normal.paragraph_format
        pf.space_before = Pt(0)
        pf.space_after = Pt(d.space_after_pt)
        pf.line_spacing = d.line
        # Found in one list of the template's styles: a style added for one role never matches
        # a later role (other names and ids; title and subtitle have no outline level).
        found = _style_index(doc)
        self.title = find_style(doc, "title", found) or _add_style(doc, "Title", None, False)
        self.subtitle = find_style(doc, "subtitle", found) or _add_style(
            doc, "Subtitle", None, False
        )
        self.heading1 = find_style(doc, "heading1", found) or _add_style(doc, "Heading 1", 0)
        self.heading2 = find_style(doc, "heading2", found) or _add_style(doc, "Heading 2", 1)
        # The pStyle values python-docx would write (none for the default paragraph style).
        default_el = default.element if default is not None else None
        ids = [None if s.element is default_el else s.style_id for s in self._roles()]
        self.title_id, self.subtitle_id, self.heading1_id, self.heading2_id = ids
        for style, size, before, after in (
            (self.title, d.title_pt, 0, d.space_after_pt),
            (self.heading1, d.heading_pt + 3, d.space_after_pt * 2, d.space_after_pt),
            (self.heading2, d.heading_pt, d.space_after_pt * 2.5, d.space_after_pt / 2),
        ):
            style.font.size = Pt(size)
            if "primary" in explicit:  # else the template's own heading colours stay
                style.font.color.rgb = primary
            if fonts.heading:
                _set_font(style, fonts.heading)
            spf = style.paragraph_format
            spf.space_before = Pt(before)
            spf.space_after = Pt(after)
            spf.line_spacing = 1.0
            spf.keep_with_next = True
        self.subtitle.font.size = Pt(d.body_pt + 1.5)
        if "text" in explicit or self.subtitle.font.color.rgb is None:
            self.subtitle.font.color.rgb = RGBColor.from_string(_readable(theme.spec.colors.text))
        self.subtitle.paragraph_format.space_after = Pt(d.space_after_pt * 2)
        self.subtitle.paragraph_format.space_before = Pt(0)
        _drop_numbering(self.subtitle)

    def _roles(self) -> tuple[Any, Any, Any, Any]:
        return self.title, self.subtitle, self.heading1, self.heading2


#: Per role: names (lower case; Word stores built-in names in English) and style ids (Dutch Word
#: writes ids such as Kop1, Titel). Outline levels are the last resort for headings.
_ROLES: dict[str, tuple[tuple[str, ...], tuple[str, ...], int | None]] = {
    "title": (("title", "titel"), ("Title", "Titel"), None),
    "subtitle": (("subtitle", "ondertitel"), ("Subtitle", "Ondertitel"), None),
    "heading1": (("heading 1", "kop 1"), ("Heading1", "Kop1"), 0),
    "heading2": (("heading 2", "kop 2"), ("Heading2", "Kop2"), 1),
}


def _style_index(doc: Any) -> dict[tuple[str, str | None], tuple[int, Any]]:
    """The template's first paragraph style per lower-case name, style id and outline level:
    ``("name" | "id" | "outline", value) -> (position among the styles, w:style)``."""
    index: dict[tuple[str, str | None], tuple[int, Any]] = {}
    styles = (s for s in doc.styles.element.iterchildren(_W_STYLE) if s.get(_W_TYPE) == "paragraph")
    for position, style in enumerate(styles):
        name = style.find(_W + "name")
        keys = [
            ("name", ((name.get(_W_VAL) if name is not None else None) or "").lower()),
            ("id", style.get(_W + "styleId")),
        ]
        ppr = style.find(_W_PPR)
        outline = ppr.find(_W + "outlineLvl") if ppr is not None else None
        if outline is not None:
            keys.append(("outline", outline.get(_W_VAL)))
        for key in keys:
            index.setdefault(key, (position, style))
    return index


def _default_paragraph_style(doc: Any) -> Any | None:
    """python-docx's ``styles.default(PARAGRAPH)`` (the last default paragraph style), without
    building a proxy and an enum for every style of the template."""
    found = None
    for s in doc.styles.element.iterchildren(_W_STYLE):
        if s.get(_W_TYPE) == "paragraph" and s.get(_W + "default") in ("1", "true", "on"):
            found = s
    return StyleFactory(found) if found is not None else None


def find_style(
    doc: Any, role: str, index: dict[tuple[str, str | None], tuple[int, Any]] | None = None
) -> Any | None:
    """The template's paragraph style for ``role`` (see ``_ROLES``), or None: the first style
    with one of the role's names or ids, else the first at the role's outline level.

    ``index``: what :func:`_style_index` gives (made again if None).
    """
    names, ids, level = _ROLES[role]
    if index is None:
        index = _style_index(doc)
    keys = [*(("name", n) for n in names), *(("id", i) for i in ids)]
    found = [index[k] for k in keys if k in index]
    if found:
        return StyleFactory(min(found, key=lambda f: f[0])[1])
    if level is not None and ("outline", str(level)) in index:
        return StyleFactory(index["outline", str(level)][1])
    return None


def _add_style(doc: Any, name: str, outline: int | None, bold: bool = True) -> Any:
    """A missing role's style, based on Normal; headings get their outline level (PDF tags)."""
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles.default(WD_STYLE_TYPE.PARAGRAPH)
    style.font.bold = bold
    if outline is not None:
        ppr = style.element.get_or_add_pPr()
        lvl = OxmlElement("w:outlineLvl")
        lvl.set(qn("w:val"), str(outline))
        _insert_ppr_child(ppr, lvl)
    return style


def _set_font(style: Any, name: str) -> None:
    """Set a style's font; a theme font reference (asciiTheme...) would win over it in Word."""
    style.font.name = name
    rpr = style.element.rPr
    rfonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
    if rfonts is not None:
        for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
            rfonts.attrib.pop(qn(f"w:{attr}"), None)
        rfonts.set(qn("w:cs"), name)


def _drop_numbering(style: Any) -> None:
    """Word's Subtitle carries a stray numPr (ilvl 1, no list): LibreOffice may number it."""
    ppr = style.element.find(qn("w:pPr"))
    if ppr is not None:
        for num in ppr.findall(qn("w:numPr")):
            ppr.remove(num)


def style_font(doc: Any, style: Any) -> str | None:
    """The font a style resolves to (direct, else the document default), for measuring."""
    while style is not None:
        if style.font.name:
            return str(style.font.name)
        style = style.base_style
    rfonts = doc.styles.element.find(
        qn("w:docDefaults") + "/" + qn("w:rPrDefault") + "/" + qn("w:rPr") + "/" + qn("w:rFonts")
    )
    if rfonts is not None and rfonts.get(qn("w:ascii")):
        return str(rfonts.get(qn("w:ascii")))
    return None


def _bullet_numbering(doc: Any, color: str) -> int:
    """Our own bullet list definition (any template may lack one); returns its numId."""
    numbering = doc.part.numbering_part.element
    abstract_ids = [
        int(a.get(qn("w:abstractNumId"))) for a in numbering.findall(qn("w:abstractNum"))
    ]
    num_ids = [int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num"))]
    abstract_id = max(abstract_ids, default=-1) + 1
    num_id = max(num_ids, default=0) + 1
    abstract = OxmlElement("w:abstractNum")
    abstract.set(qn("w:abstractNumId"), str(abstract_id))
    multi = OxmlElement("w:multiLevelType")
    multi.set(qn("w:val"), "hybridMultilevel")
    abstract.append(multi)
    for level, glyph in ((0, "•"), (1, "–")):
        lvl = OxmlElement("w:lvl")
        lvl.set(qn("w:ilvl"), str(level))
        for tag, val in (("w:start", "1"), ("w:numFmt", "bullet"), ("w:lvlText", glyph)):
            el = OxmlElement(tag)
            el.set(qn("w:val"), val)
            lvl.append(el)
        jc = OxmlElement("w:lvlJc")
        jc.set(qn("w:val"), "left")
        lvl.append(jc)
        ppr = OxmlElement("w:pPr")
        ind = OxmlElement("w:ind")
        ind.set(qn("w:left"), str(LIST_INDENT * (level + 1)))
        ind.set(qn("w:hanging"), str(_LIST_HANGING))
        ppr.append(ind)
        lvl.append(ppr)
        rpr = OxmlElement("w:rPr")
        c = OxmlElement("w:color")
        c.set(qn("w:val"), color)
        rpr.append(c)
        lvl.append(rpr)
        abstract.append(lvl)
    # Schema order: every abstractNum before the first num (or numIdMacAtCleanup).
    first_num = numbering.find(qn("w:num"))
    if first_num is None:
        first_num = numbering.find(qn("w:numIdMacAtCleanup"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    num = OxmlElement("w:num")
    num.set(qn("w:numId"), str(num_id))
    ref = OxmlElement("w:abstractNumId")
    ref.set(qn("w:val"), str(abstract_id))
    num.append(ref)
    # Schema order: abstractNum, num, then numIdMacAtCleanup (Office-made templates end with it).
    cleanup = numbering.find(qn("w:numIdMacAtCleanup"))
    if cleanup is not None:
        cleanup.addprevious(num)
    else:
        numbering.append(num)
    return num_id


# -- header and footer ------------------------------------------------------------------------


def _first_page(section: Any, kind: str) -> Any:
    """The header or footer the (only) page shows: the first-page one when the template has it."""
    if section.different_first_page_header_footer:
        return getattr(section, f"first_page_{kind}")
    return getattr(section, kind)


def _has_content(part: Any) -> bool:
    element = part._element
    text = "".join(t.text or "" for t in element.iter(qn("w:t"))).strip()
    return bool(text) or next(element.iter(qn("w:drawing")), None) is not None


def _header(section: DocxSection, handout: Handout, theme: Theme, primary: RGBColor) -> None:
    """The template's header as designed; an empty one gets the logo and the municipality."""
    header = _first_page(section, "header")
    if not header.is_linked_to_previous and _has_content(header):
        _describe_pictures(header._element, f"Logo {plain(handout.municipality)}")
        return
    header.is_linked_to_previous = False
    p = header.paragraphs[0] if header.paragraphs else header.add_paragraph()
    for child in list(p._p):
        if child.tag != qn("w:pPr"):
            p._p.remove(child)
    if theme.logo is not None:
        pic = p.add_run().add_picture(str(theme.logo), height=Cm(1.1))
        _alt(pic, f"Logo {handout.municipality}")  # Markdown: _alt writes its text
        p.add_run("   ")
    run = p.add_run(plain(handout.municipality))
    run.bold = True
    run.font.size = Pt(11)
    run.font.color.rgb = primary
    borders = _element("pBdr")
    _border(borders, "bottom", "single", 6, str(primary), space=4)
    _insert_ppr_child(p._p.get_or_add_pPr(), borders)


def _footer(section: DocxSection, handout: Handout) -> None:
    """The template's footer stays; the handout's line (date, occasion, version) goes under it."""
    if not handout.footer:
        return
    footer = _first_page(section, "footer")
    keep = not footer.is_linked_to_previous and _has_content(footer)
    footer.is_linked_to_previous = False
    if keep:
        p = footer.add_paragraph()
    else:
        p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        for child in list(p._p):
            if child.tag != qn("w:pPr"):
                p._p.remove(child)
    _describe_pictures(footer._element, f"Logo {plain(handout.municipality)}")
    version = fingerprint(handout)
    text = handout.footer.replace(" {version}", "\u00a0" + version).replace("{version}", version)
    _add_runs(p._p, p.part, text, size=8, color="595959")


# -- text -------------------------------------------------------------------------------------

# Elements are made with lxml directly, attributes in the order python-docx would set them.
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_W_P = _W + "p"
_W_PPR = _W + "pPr"
_W_SECT_PR = _W + "sectPr"
_W_SPACING = _W + "spacing"
_W_PSTYLE = _W + "pStyle"
_W_VAL = _W + "val"
_W_STYLE = _W + "style"
_W_R = _W + "r"
_W_RPR = _W + "rPr"
_W_LANG = _W + "lang"
_R_ID = qn("r:id")
_WP_DOC_PR = qn("wp:docPr")
_HEADER_FOOTER_REFS = (_W + "headerReference", _W + "footerReference")
_W_TYPE = _W + "type"
_XML_SPACE = qn("xml:space")
_NSMAP = {"w": _W[1:-1]}
_HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
_RUN_BREAKS = re.compile(r"([\t\r\n])")
_TABLE_LOOK = {
    "val": "0020",
    "firstRow": "1",
    "lastRow": "0",
    "firstColumn": "0",
    "lastColumn": "0",
    "noHBand": "1",
    "noVBand": "1",
}


def _element(tag: str, **attrs: str) -> Any:
    """A new ``w:tag`` element (as python-docx's OxmlElement makes it) with ``w:`` attributes."""
    return oxml_parser.makeelement(_W + tag, {_W + k: v for k, v in attrs.items()}, _NSMAP)


def _sub(parent: Any, tag: str, **attrs: str) -> Any:
    """A new ``w:tag`` child at the end of ``parent``, with ``w:`` attributes in this order."""
    return etree.SubElement(parent, _W + tag, {_W + k: v for k, v in attrs.items()})


def _twips(pt: float) -> str:
    """A length in points as python-docx writes it in twips (w:spacing and the like)."""
    return str(Pt(pt).twips)


def _half_points(pt: float) -> str:
    """A font size as python-docx writes it (w:sz: half points, truncated)."""
    return str(int(Pt(pt).pt * 2))


def _ppr(p: Any) -> Any:
    """The paragraph's w:pPr, added as its first child when missing (as python-docx does)."""
    ppr = p.find(_W_PPR)
    if ppr is None:
        ppr = p.makeelement(_W_PPR)
        p.insert(0, ppr)
    return ppr


def _set_style(p: Any, style_id: str | None) -> None:
    """Paragraph style by id; None (the default style) leaves an empty pPr, as python-docx."""
    ppr = _ppr(p)
    pstyle = ppr.find(_W_PSTYLE)
    if style_id is None:
        if pstyle is not None:
            ppr.remove(pstyle)
        return
    if pstyle is None:
        pstyle = ppr.makeelement(_W_PSTYLE)
        ppr.insert(0, pstyle)
    pstyle.set(_W_VAL, style_id)


def _spacing(p: Any, **attrs: str) -> None:
    """Set w:spacing attributes (twips), adding the element in schema order when missing."""
    ppr = _ppr(p)
    spacing = ppr.find(_W_SPACING)
    if spacing is None:
        spacing = _element("spacing")
        _insert_ppr_child(ppr, spacing)
    for key, value in attrs.items():
        spacing.set(_W + key, value)


def _add_runs(
    p: Any,
    part: Any,
    text: str,
    size: float | None = None,
    color: str | None = None,
    bold: bool | None = None,
) -> None:
    """Append the runs of inline Markdown ``text`` to the w:p ``p`` of ``part`` (links relate
    to that part); ``color`` is RRGGBB. Every run gets a w:rPr, as python-docx's setters do."""
    for piece in runs(text):
        if piece.href:
            _hyperlink(p, part, piece.text, piece.href, size)
            continue
        r = _sub(p, "r")
        rpr = _sub(r, "rPr")
        if piece.bold or bold:
            _sub(rpr, "b")
        if piece.italic:
            _sub(rpr, "i")
        if color is not None:
            _sub(rpr, "color", val=color)
        if size:
            _sub(rpr, "sz", val=_half_points(size))
        _append_text(r, piece.text)


def _text_run(p: Any, text: str) -> None:
    """A run without properties, as python-docx's ``add_paragraph(text)`` writes it."""
    if text:
        _append_text(_sub(p, "r"), text)


def _append_text(r: Any, text: str) -> None:
    """Run content as python-docx writes ``run.text``: a tab is w:tab, a line break w:br."""
    for piece in _RUN_BREAKS.split(text):
        if piece == "\t":
            _sub(r, "tab")
        elif piece in ("\r", "\n"):
            _sub(r, "br")
        elif piece:
            t = _sub(r, "t")
            t.text = piece
            if len(piece.strip()) < len(piece):
                t.set(_XML_SPACE, "preserve")


def _hyperlink(p: Any, part: Any, text: str, url: str, size: float | None) -> None:
    """A real hyperlink (clickable in the PDF), underlined in the link colour."""
    r_id = part.relate_to(url, _HYPERLINK, is_external=True)
    link = _sub(p, "hyperlink")
    link.set(qn("r:id"), r_id)
    run = _sub(link, "r")
    rpr = _sub(run, "rPr")
    _sub(rpr, "color", val="0550AE")  # 7:1 on white, 6:1 on the box tints
    if size:
        for tag in ("sz", "szCs"):
            _sub(rpr, tag, val=str(round(size * 2)))
    _sub(rpr, "u", val="single")
    t = _sub(run, "t")
    t.text = text
    t.set(_XML_SPACE, "preserve")


@functools.lru_cache(maxsize=64)
def _qr_png(url: str) -> bytes:
    """The QR code as a PNG; a quiet zone of 4 modules (the standard's), so it scans anywhere."""
    png = io.BytesIO()
    segno.make(url, error="m").save(png, kind="png", scale=10, border=4)
    return png.getvalue()


def _has_text(p: Any) -> bool:
    return any((t.text or "").strip() for t in p.iter(qn("w:t")))


def _tiny(p: Any, after: float = 0) -> None:
    """An empty paragraph that takes (almost) no room: holds a break, or a gap after a table."""
    ppr = _ppr(p)
    spacing = _element(
        "spacing", before="0", after=str(round(after * TWIPS_PER_PT)), line="20", lineRule="exact"
    )
    _insert_ppr_child(ppr, spacing)
    rpr = _element("rPr")
    for tag in ("sz", "szCs"):
        _sub(rpr, tag, val="2")
    _insert_ppr_child(ppr, rpr)


def _compact(p: Any, right: bool = False) -> None:
    """A new table cell's paragraph: no spacing, single lines; ``right``: right-aligned."""
    _spacing(p, before="0", after="0", line="240", lineRule="auto")
    if right:
        _insert_ppr_child(_ppr(p), _element("jc", val="right"))


def _box(p: Any, border_hex: str, fill_hex: str) -> None:
    """A tinted background with a thick left border: the key message and the ask."""
    ppr = _ppr(p)
    borders = _element("pBdr")
    for side in ("top", "left", "bottom", "right"):
        if side == "left":
            _border(borders, side, "single", 24, border_hex, space=6)
        else:
            _border(borders, side, "single", 4, fill_hex, space=3)
    _insert_ppr_child(ppr, borders)
    _insert_ppr_child(ppr, _element("shd", val="clear", color="auto", fill=fill_hex))
    _insert_ppr_child(ppr, _element("ind", left="120", right="60"))


def _border(parent: Any, side: str, val: str, size: int, color: str, space: int = 0) -> Any:
    """A ``w:<side>`` border appended to ``parent`` (w:pBdr, w:tblBorders)."""
    return _sub(parent, side, val=val, sz=str(size), space=str(space), color=color)


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
_PPR_RANK = {name: i for i, name in enumerate(_PPR_ORDER)}


def _insert_ppr_child(ppr: Any, child: Any) -> None:
    """Insert into w:pPr in schema order, replacing an element of the same kind."""
    _insert_in_order(ppr, child, _PPR_RANK)


def _insert_in_order(parent: Any, child: Any, rank: dict[str, int]) -> None:
    """Insert ``child`` where the schema's sequence (``rank``: position by name) wants it,
    replacing its namesake."""
    name = child.tag.split("}")[1]
    for existing in parent.findall(child.tag):
        parent.remove(existing)
    mine = rank[name]
    for i, existing in enumerate(parent):
        other = rank.get(existing.tag.split("}")[1])
        if other is not None and other > mine:
            parent.insert(i, child)
            return
    parent.append(child)


# -- colours ----------------------------------------------------------------------------------


def _rgb(hex_color: str) -> list[int]:
    value = hex_color.lstrip("#")
    return [int(value[i : i + 2], 16) for i in (0, 2, 4)]


def _tint(hex_color: str, amount: float = 0.88) -> str:
    return "".join(f"{int(c + (255 - c) * amount):02X}" for c in _rgb(hex_color))


def _readable(hex_color: str, on: str = "E6EEF7") -> str:
    """``hex_color`` darkened until it has 4.5:1 contrast on a light tint (and so on white)."""
    rgb = [float(c) for c in _rgb(hex_color)]
    for _ in range(40):
        value = "".join(f"{round(c):02X}" for c in rgb)
        if contrast(value, on) >= 4.5:
            return value
        rgb = [c * 0.9 for c in rgb]
    return "1A1A1A"


# -- tables -----------------------------------------------------------------------------------


def _cell_fill(tcpr: Any, fill: str) -> None:
    # tcPr order: tcW, gridSpan, vMerge, tcBorders, shd, ...: after whatever is there (tcW).
    _sub(tcpr, "shd", val="clear", color="auto", fill=fill)


def _window(steps: list[Step], most: int = MAX_STEPS) -> list[Step]:
    """At most ``most`` milestones, in date order: where we are and where we go.

    Chosen in this order: the last one (the goal), the next one, the last one done, the
    following ones, then earlier ones done, latest first.
    """
    if len(steps) <= most:
        return list(steps)
    upcoming = [i for i, s in enumerate(steps) if not s.done]
    done = [i for i, s in enumerate(steps) if s.done]
    ranked = [len(steps) - 1, *upcoming[:1], *done[-1:], *upcoming[1:], *reversed(done[:-1])]
    chosen = list(dict.fromkeys(ranked))[:most]
    return [steps[i] for i in sorted(chosen)]


CELL_PAD_PT = 2 * 85 / TWIPS_PER_PT + 3  # cell margins (see _Page._table) and a little slack


def column_widths(
    table: Table, width: int, font: str | None, size: float, tight: bool = False
) -> list[int]:
    """Column widths (twips) so that no number and, where possible, no word breaks.

    A value column gets the width of its longest cell (at most 30% of the table) and never less
    than its longest word (a no-break space joins, as in "€ 250.000"); the first column (the
    labels) takes the rest, but at least its own longest word: value columns give up their
    extra room first, and the labels give way (down to a fifth) before a number breaks.
    """
    rows = (tuple(table.header), *(tuple(row) for row in table.rows))
    return list(_widths(rows, width, font, size, tight))


@functools.lru_cache(maxsize=1024)
def _widths(
    rows: tuple[tuple[str, ...], ...], width: int, font: str | None, size: float, tight: bool
) -> tuple[int, ...]:
    """:func:`column_widths` of the header and rows ``rows``, kept per process: the builder,
    its balancing and the fit's prediction ask for the same tables again."""
    cols = len(rows[0])
    if cols == 1:
        return (width,)

    def widest(pieces: list[tuple[str, bool]]) -> float:
        return max((text_width_pt(t, font, b, size) for t, b in pieces), default=0.0)

    need: list[float] = []
    want: list[float] = []
    for c in range(1, cols):
        bold = c == cols - 1
        cells = [
            (plain(row[c]) if c < len(row) else "", r == 0 or bold) for r, row in enumerate(rows)
        ]
        pieces = [(w, b) for t, b in cells for w in _SPACES.split(t) if w]
        need.append(widest(pieces) + CELL_PAD_PT)
        want.append(max(need[-1], min(widest(cells) + CELL_PAD_PT, width / TWIPS_PER_PT * 0.3)))
    label_words = [
        (w, r == 0) for r, row in enumerate(rows) for w in _SPACES.split(plain(row[0])) if w
    ]
    total = width / TWIPS_PER_PT
    label = widest(label_words) + CELL_PAD_PT
    if tight:  # the least width that breaks nothing: labels at their longest word, values whole
        return tuple(
            round(v * TWIPS_PER_PT)
            for v in [label, *(max(n, w) for n, w in zip(need, want, strict=True))]
        )
    label = max(label, total / 4)
    floor = total / 5  # numbers break worse than words: the labels give way down to a fifth
    values = want
    if total - sum(values) < label:
        # Give up the extra room of the value columns, down to what their words need.
        spare = sum(want) - sum(need)
        short = label - (total - sum(want))
        cut = min(1.0, short / spare) if spare > 0 else 1.0
        values = [w - (w - n) * cut for w, n in zip(want, need, strict=True)]
    if total - sum(values) < floor:  # too narrow for any layout: share it out
        scale = (total - floor) / sum(values)
        values = [v * scale for v in values]
    out = [round(v * TWIPS_PER_PT) for v in values]
    return (width - sum(out), *out)


_SPACES = re.compile(r"[ \t\n]+")  # not the no-break space: it joins


# -- section properties -----------------------------------------------------------------------

_SECT_ORDER = [
    "headerReference",
    "footerReference",
    "footnotePr",
    "endnotePr",
    "type",
    "pgSz",
    "pgMar",
    "paperSrc",
    "pgBorders",
    "lnNumType",
    "pgNumType",
    "cols",
    "formProt",
    "vAlign",
    "noEndnote",
    "titlePg",
    "textDirection",
    "bidi",
    "rtlGutter",
    "docGrid",
    "printerSettings",
    "sectPrChange",
]
_SECT_RANK = {name: i for i, name in enumerate(_SECT_ORDER)}


def _insert_sect_child(sect: Any, child: Any) -> None:
    """Insert into w:sectPr in schema order, replacing an element of the same kind."""
    _insert_in_order(sect, child, _SECT_RANK)


def _set_continuous(sect: Any) -> None:
    kind = OxmlElement("w:type")
    kind.set(qn("w:val"), "continuous")
    _insert_sect_child(sect, kind)


def _set_columns(sect: Any, widths: list[int] | None, gap: int) -> None:
    cols = OxmlElement("w:cols")
    if not widths or len(widths) == 1:
        cols.set(qn("w:space"), str(gap))
    else:
        cols.set(qn("w:num"), str(len(widths)))
        cols.set(qn("w:space"), str(gap))
        cols.set(qn("w:equalWidth"), "0")
        for i, w in enumerate(widths):
            col = OxmlElement("w:col")
            col.set(qn("w:w"), str(w))
            if i < len(widths) - 1:
                col.set(qn("w:space"), str(gap))
            cols.append(col)
    _insert_sect_child(sect, cols)


# -- pictures and language --------------------------------------------------------------------


def _alt(inline_shape: Any, text: str) -> None:
    """python-docx writes pictures without a description: set it for screen readers and PDF tags."""
    doc_pr = inline_shape._inline.docPr
    doc_pr.set("descr", plain(text))
    # No title: LibreOffice would tag the figure "title - description", saying it twice.
    doc_pr.attrib.pop("title", None)


def _describe_pictures(root: Any, text: str) -> None:
    """Give every picture in a template's header or footer a description if it has none."""
    for doc_pr in root.iter(qn("wp:docPr")):
        if not doc_pr.get("descr"):
            doc_pr.set("descr", text)


def _set_language(doc: Any, tag: str) -> None:
    """The document default language and the language of every run."""
    styles_root = doc.styles.element
    defaults = styles_root.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles_root.insert(0, defaults)
    rpr_default_wrap = defaults.find(qn("w:rPrDefault"))
    if rpr_default_wrap is None:
        rpr_default_wrap = OxmlElement("w:rPrDefault")
        defaults.insert(0, rpr_default_wrap)
    rpr_default = rpr_default_wrap.find(qn("w:rPr"))
    if rpr_default is None:
        rpr_default = OxmlElement("w:rPr")
        rpr_default_wrap.append(rpr_default)
    lang = rpr_default.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr_default.append(lang)
    lang.set(qn("w:val"), tag)
    # The body and every header and footer a section defines (python-docx's section.header,
    # .footer, .first_page_header and .first_page_footer where not linked to the previous).
    roots = [doc.element.body]
    related = doc.part.related_parts
    for sect in doc.element.body.iter(_W_SECT_PR):
        for ref in sect:
            if ref.tag in _HEADER_FOOTER_REFS and ref.get(_W_TYPE) in ("default", "first"):
                roots.append(related[ref.get(_R_ID)].element)
    for root in roots:
        for r in root.iter(_W_R):
            rpr = r.find(_W_RPR)
            if rpr is None:
                rpr = r.makeelement(_W_RPR)
                r.insert(0, rpr)
            lang = rpr.find(_W_LANG)
            if lang is None:
                lang = _sub(rpr, "lang")
            lang.set(_W_VAL, tag)
