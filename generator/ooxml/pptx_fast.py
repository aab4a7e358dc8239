"""lxml fast paths for python-pptx: what its objects write, without their lookups.

Each function here writes, element for element and attribute for attribute, what the
python-pptx call named in its docstring writes, but straight into the XML: python-pptx looks up
shape ids, placeholders and part names by searching the whole slide or package on every call,
which made these steps most of a deck's build time. They use python-pptx's internals (a slide's
``shapes._spTree``, ``_next_shape_id``, ``slides._sldIdLst``, the parts' constructors) and are
tested against the version pinned in ``pyproject.toml`` (python-pptx 1.0.x): the deck tests
build every slide kind and read the decks back with python-pptx (``tests/deck/``,
``tests/test_template_cache.py``), and the corpus (``tools/build_corpus.py``) must stay
byte-identical. A new python-pptx version is taken only with those tests green.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, cast

from lxml import etree
from pptx.chart.data import CategoryChartData
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR
from pptx.opc.constants import CONTENT_TYPE as CT
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.opc.package import Part
from pptx.opc.packuri import PackURI
from pptx.oxml.ns import qn as _qn
from pptx.parts.slide import NotesSlidePart
from pptx.presentation import Presentation
from pptx.shapes.autoshape import AutoShapeType, Shape
from pptx.shapes.base import BaseShape
from pptx.shapes.group import GroupShape
from pptx.shapes.placeholder import SlidePlaceholder
from pptx.shapes.shapetree import SlideShapeFactory
from pptx.slide import Slide as PptxSlide
from pptx.slide import SlideLayout
from pptx.util import Emu, Pt

if TYPE_CHECKING:
    from generator.compose.inline import Run

# Clark names ("{namespace}tag") of the same few tags, asked for thousands of times a deck.
qn = cache(_qn)


def placeholder_element(shape_element: Any) -> Any:
    """The p:ph of a shape element (in its non-visual properties, its first child), or None.

    What python-pptx's ``shape_element.ph`` finds, without compiling an XPath on every call.
    """
    first = next(shape_element.iterchildren(etree.Element), None)
    return None if first is None else first.find(_NV_PH)


_NV_PH = f"{qn('p:nvPr')}/{qn('p:ph')}"


def clear_text_frame(body: Any, anchor: MSO_ANCHOR | None = None) -> None:
    """python-pptx's ``TextFrame.clear()`` on a text body (p:txBody): the first paragraph,
    emptied of its runs, breaks and fields (its properties and end mark kept); then
    ``word_wrap = True``, ``auto_size = MSO_AUTO_SIZE.NONE`` and ``vertical_anchor = anchor``
    (if given) as the a:bodyPr's wrap, autofit and anchor."""
    first, *rest = body.iterchildren(qn("a:p"))
    for p in rest:
        body.remove(p)
    for child in list(first.iterchildren(*CONTENT_TAGS)):
        first.remove(child)
    body_pr = body.find(qn("a:bodyPr"))
    body_pr.set("wrap", "square")
    no_autofit(body_pr)
    if anchor is not None:
        body_pr.set("anchor", MSO_ANCHOR.to_xml(anchor))


def empty_pPr(p: Any) -> Any:
    """The paragraph's (a:p) properties, emptied: what pitchkit writes is all that applies."""
    pPr = p.find(qn("a:pPr"))
    if pPr is None:
        pPr = etree.SubElement(p, qn("a:pPr"))
        p.insert(0, pPr)  # the first child, as python-pptx's get_or_add_pPr puts it
    for child in list(pPr):
        pPr.remove(child)
    return pPr


CONTENT_TAGS = tuple(qn(f"a:{t}") for t in ("r", "br", "fld"))


_AUTOFITS = tuple(qn(f"a:{t}") for t in ("noAutofit", "normAutofit", "spAutoFit"))


_AFTER_AUTOFIT = tuple(qn(f"a:{t}") for t in ("scene3d", "sp3d", "flatTx", "extLst"))


def no_autofit(body_pr: Any) -> None:
    """Text that does not grow or shrink: a:noAutofit in place of any autofit in a:bodyPr,
    before what the schema puts after it (python-pptx's ``auto_size = MSO_AUTO_SIZE.NONE``)."""
    for old in list(body_pr.iterchildren(*_AUTOFITS)):
        body_pr.remove(old)
    new = etree.SubElement(body_pr, qn("a:noAutofit"))
    later = next(body_pr.iterchildren(*_AFTER_AUTOFIT), None)
    if later is not None:
        later.addprevious(new)


def add_runs(
    part: Part,
    p: Any,
    pieces: Sequence[Run],
    size: float,
    rgb: str | None = None,
    bold: bool = False,
    italic: bool = False,
    typeface: str | None = None,
) -> None:
    """The runs ``pieces`` (inline Markdown, parsed) added to paragraph ``p`` (a:p) of a shape on
    ``part``, in colour ``rgb`` (RRGGBB) if given.

    Each run as python-pptx's add_run and font setters make it: a:rPr with sz, b and i, then
    the colour, the typeface and the link in the schema's order, then a:t; before the
    paragraph's end mark.
    """
    sz = str(Pt(size).centipoints)
    end = p.find(qn("a:endParaRPr"))
    for piece in pieces:
        r = etree.SubElement(p, qn("a:r"))
        if end is not None:
            end.addprevious(r)
        rPr = etree.SubElement(r, qn("a:rPr"))
        rPr.set("sz", sz)
        if piece.bold or bold:
            rPr.set("b", "1")
        if piece.italic or italic:
            rPr.set("i", "1")
        if rgb:
            etree.SubElement(etree.SubElement(rPr, qn("a:solidFill")), qn("a:srgbClr")).set(
                "val", rgb
            )
        if typeface:
            etree.SubElement(rPr, qn("a:latin")).set("typeface", typeface)
        if piece.href:
            rid = part.relate_to(piece.href, RT.HYPERLINK, is_external=True)
            etree.SubElement(rPr, qn("a:hlinkClick")).set(qn("r:id"), rid)
        etree.SubElement(r, qn("a:t")).text = run_text(piece.text)


def run_text(text: str) -> str:
    """Text for a:t with control characters escaped as "_x0007_" (tab and line feed kept), as
    python-pptx writes run text."""
    return _CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", text)


_CONTROL = re.compile(r"([\x00-\x08\x0B-\x1F])")


def title_shape(slide: PptxSlide) -> Shape | None:
    """python-pptx's ``slide.shapes.title`` (the first placeholder with idx 0, or None), found
    with lxml instead of through python-pptx's shape factory for every shape."""
    shapes = slide.shapes
    for element in shapes._spTree.iterchildren(*SHAPE_TAGS):
        ph = placeholder_element(element)
        if ph is not None and ph.get("idx", "0") == "0":
            if element.tag == SP and ph.get("type") in PLAIN_PH_TYPES:
                return SlidePlaceholder(element, shapes)  # what SlideShapeFactory makes of it
            return cast(Shape, SlideShapeFactory(element, shapes))  # as python-pptx's title
    return None


# Placeholder types (p:ph type) that python-pptx's SlideShapeFactory makes a SlidePlaceholder
# of when the placeholder is a p:sp (others: pictures, charts and tables).
PLAIN_PH_TYPES = frozenset({"title", "ctrTitle", "subTitle", "body"})


def add_textbox(slide: PptxSlide, box: tuple[int, int, int, int], name: str | None = None) -> Shape:
    """``slide.shapes.add_textbox`` (named ``name`` if given) without python-pptx's shape
    factory, which looks for a placeholder in the new text box: it is a plain Shape."""
    shapes = slide.shapes
    id_ = shapes._next_shape_id
    left, top, width, height = (Emu(int(v)) for v in box)
    sp = shapes._spTree.add_textbox(id_, f"TextBox {id_ - 1}", left, top, width, height)
    if name is not None:
        sp[0][0].set("name", name)  # p:nvSpPr/p:cNvPr
    return Shape(sp, shapes)


def set_name(shape: BaseShape, name: str) -> None:
    """``shape.name = name`` (the name attribute of the shape's p:cNvPr) without python-pptx's
    XPath for the shape's non-visual properties."""
    shape.element[0].find(qn("p:cNvPr")).set("name", name)


def set_notes_text(notes: Any, text: str) -> None:
    """``notes_slide.notes_text_frame.text = text`` on a notes page (p:notes), written with lxml:
    the body placeholder's paragraphs replaced by one a:p per line, runs split at "\\v" with
    a:br between them, no empty runs (python-pptx's TextFrame.text and append_text)."""
    tree = notes.find(f"{qn('p:cSld')}/{qn('p:spTree')}")
    body = None
    for element in tree.iterchildren(*SHAPE_TAGS):
        ph = placeholder_element(element)
        if ph is not None and ph.get("type") == "body":
            body = element
            break
    if body is None:
        raise ValueError("the notes page has no notes placeholder")
    txBody = body.get_or_add_txBody()
    for p in txBody.findall(qn("a:p")):
        txBody.remove(p)
    for line in text.split("\n"):
        p = etree.SubElement(txBody, qn("a:p"))
        for i, piece in enumerate(re.split("\n|\v", line)):
            if i:
                etree.SubElement(p, qn("a:br"))
            if piece:
                r = etree.SubElement(p, qn("a:r"))
                etree.SubElement(r, qn("a:t")).text = run_text(piece)


def add_slide(prs: Presentation, layout: SlideLayout, memo: dict[Any, Any]) -> PptxSlide:
    """A new slide on ``layout``, as python-pptx's ``prs.slides.add_slide(layout)`` makes it.

    python-pptx clones the layout's placeholders one by one, looking up each one's type, idx
    and a free shape id and name; the clones are the same on every slide made on the layout.
    The first slide on a layout is made by python-pptx and its placeholders kept in the
    template's ``memo``; later slides (in any deck on the template) get copies of them.
    """
    key = ("slide placeholders", str(layout.part.partname))
    made = memo.get(key)
    if made is None:
        new = prs.slides.add_slide(layout)
        memo[key] = tuple(copy.deepcopy(e) for e in new.shapes._spTree.iter_shape_elms())
        return new
    # The steps of Slides.add_slide, with copies for clone_layout_placeholders.
    rid, new = prs.part.add_slide(layout)
    tree = new.shapes._spTree
    for element in made:
        tree.append(copy.deepcopy(element))
    add_slide_id(prs.slides._sldIdLst, rid)
    return new


def add_slide_id(sld_id_lst: Any, rid: str) -> None:
    """``sldIdLst.add_sldId(rid)`` without python-pptx's XPath over the list: a p:sldId with
    the next id (one more than the highest, at least 256, as python-pptx's _next_id; past
    2**31 - 1 python-pptx's own search) and the r:id, appended as the last child."""
    next_id = max([255, *(int(e.get("id")) for e in sld_id_lst.iterchildren(qn("p:sldId")))]) + 1
    if next_id > 2147483647:
        sld_id_lst.add_sldId(rid)
        return
    sld_id = etree.SubElement(sld_id_lst, qn("p:sldId"))
    sld_id.set("id", str(next_id))
    sld_id.set(qn("r:id"), rid)


NOTES_PAGE = "/ppt/notesSlides/notesSlide%d.xml"


@dataclass
class NotesPages:
    """The notes pages of one deck: the first as python-pptx made it (before its text), and
    the part names of the notes pages in the package."""

    blank: Any = None
    names: set[str] = field(default_factory=set)

    def add(self, prs: Presentation, new: PptxSlide) -> Any:
        """Give a new slide the notes page python-pptx's ``slide.notes_slide`` would make for
        it; return the page's element (p:notes).

        python-pptx clones the notes master's placeholders for every page and searches the
        whole package for a free part name. Before their text all pages are alike, so the
        deck's first page is made by python-pptx and copied for the others, which are named and
        related as python-pptx does (NotesSlidePart.new, OpcPackage.next_partname).
        """
        if self.blank is None:
            first = new.notes_slide.element
            self.blank = copy.deepcopy(first)
            prefix = NOTES_PAGE.split("%d")[0]
            self.names = {
                str(p.partname)
                for p in prs.part.package.iter_parts()
                if p.partname.startswith(prefix)
            }
            return first
        # As next_partname: the highest free number up to one more than the pages there are.
        number = next(
            n for n in range(len(self.names) + 1, 0, -1) if NOTES_PAGE % n not in self.names
        )
        name = NOTES_PAGE % number
        self.names.add(name)
        slide_part = new.part
        notes = copy.deepcopy(self.blank)
        part = NotesSlidePart(PackURI(name), CT.PML_NOTES_SLIDE, slide_part.package, notes)
        part.relate_to(prs.part.notes_master_part, RT.NOTES_MASTER)
        part.relate_to(slide_part, RT.SLIDE)
        slide_part.relate_to(part, RT.NOTES_SLIDE)
        return notes


# Elements of a shape tree that are shapes (python-pptx's CT_GroupShape.iter_shape_elms).
SHAPE_TAGS = tuple(
    qn(f"p:{t}") for t in ("sp", "grpSp", "graphicFrame", "cxnSp", "pic", "contentPart")
)


def other_placeholders(slide: PptxSlide) -> list[tuple[Any, Any]]:
    """(shape element, p:ph) of every placeholder on a slide except its title, by idx.

    As python-pptx's slide.placeholders, less the shapes with the id of ``slide.shapes.title``
    (the first placeholder with idx 0).
    """
    found = []
    for element in slide.shapes._spTree.iterchildren(*SHAPE_TAGS):
        ph = placeholder_element(element)
        if ph is not None:
            found.append((element, ph))
    title = next((e for e, ph in found if ph_idx(ph) == 0), None)
    title_id = None if title is None else shape_id(title)
    return sorted(
        ((e, ph) for e, ph in found if title_id is None or shape_id(e) != title_id),
        key=lambda e_ph: ph_idx(e_ph[1]),
    )


def ph_idx(ph: Any) -> int:
    """A p:ph's idx (python-pptx's CT_Placeholder.idx: 0 when absent)."""
    return int(ph.get("idx", "0"))


def shape_id(element: Any) -> int:
    """A shape element's id (python-pptx's ``shape_id``: its non-visual properties' p:cNvPr)."""
    return int(element[0].find(qn("p:cNvPr")).get("id"))


def remove_unused_placeholders(slide: PptxSlide, keep: Sequence[BaseShape | None]) -> None:
    """Remove the slide's placeholders but its title and ``keep`` (shapes)."""
    kept = {id(s.element) for s in keep if s is not None}
    removed = False
    for element, _ in other_placeholders(slide):
        if id(element) not in kept:
            element.getparent().remove(element)
            removed = True
    if removed and slide.shapes.turbo_add_enabled:
        # The highest id may have gone: count on from the highest id left, as python-pptx would.
        slide.shapes.turbo_add_enabled = True


SP = qn("p:sp")


# The fill choices (EG_FillProperties) and what the schema puts after them, by parent.
FILLS = tuple(
    qn(f"a:{t}") for t in ("noFill", "solidFill", "gradFill", "blipFill", "pattFill", "grpFill")
)


AFTER_FILL = {
    "spPr": tuple(
        qn(f"a:{t}") for t in ("ln", "effectLst", "effectDag", "scene3d", "sp3d", "extLst")
    ),
    "ln": tuple(
        qn(f"a:{t}")
        for t in ("prstDash", "custDash", "round", "bevel", "miter", "headEnd", "tailEnd", "extLst")
    ),
    "tcPr": tuple(qn(f"a:{t}") for t in ("headers", "extLst")),
}


def insert_before(parent: Any, tag: str, later: tuple[str, ...]) -> Any:
    """A new empty ``tag`` child of ``parent``, before its first child among ``later`` (else
    last), as python-pptx's generated ``get_or_add_*``/``_add_*`` methods insert it."""
    new = etree.SubElement(parent, tag)
    after = next(parent.iterchildren(*later), None)
    if after is not None:
        after.addprevious(new)
    return new


def set_fill(parent: Any, later: tuple[str, ...], rgb: str | None) -> None:
    """``parent``'s fill replaced by a solid ``rgb`` (RRGGBB) or, with None, by no fill: what
    python-pptx's FillFormat ``solid()`` with ``fore_color.rgb``, or ``background()``, write."""
    for old in list(parent.iterchildren(*FILLS)):
        parent.remove(old)
    fill = insert_before(parent, qn("a:solidFill" if rgb else "a:noFill"), later)
    if rgb:
        etree.SubElement(fill, qn("a:srgbClr")).set("val", rgb)


def add_shape(
    slide: PptxSlide | GroupShape,
    kind: MSO_SHAPE,
    box: tuple[int, int, int, int],
    name: str | None = None,
) -> Shape:
    """``slide.shapes.add_shape(kind, *box)`` (named ``name`` if given), without python-pptx's
    shape factory (which looks for a placeholder in the new shape): a plain Shape. ``slide``
    may be a group shape; its extents are then left to the caller (``_recalculate_extents``)."""
    shapes = slide.shapes
    autoshape = AutoShapeType(kind)
    id_ = shapes._next_shape_id
    left, top, width, height = (Emu(int(v)) for v in box)
    sp = shapes._spTree.add_autoshape(
        id_, f"{autoshape.basename} {id_ - 1}", autoshape.prst, left, top, width, height
    )
    if name is not None:
        sp[0][0].set("name", name)  # p:nvSpPr/p:cNvPr
    return Shape(sp, shapes)


def decorative(shape: BaseShape) -> None:
    """Mark a purely decorative shape, so screen readers and PDF tags skip it."""
    cNvPr = shape.element.find(".//" + qn("p:cNvPr"))
    if cNvPr is None:
        return
    ext_lst = etree.SubElement(cNvPr, qn("a:extLst"))
    ext = etree.SubElement(ext_lst, qn("a:ext"))
    ext.set("uri", "{C183D7F6-B498-43B3-948B-1728B52AA6E4}")
    deco = etree.SubElement(
        ext, "{http://schemas.microsoft.com/office/drawing/2017/decorative}decorative"
    )
    deco.set("val", "1")


class CachedChartData(CategoryChartData):
    """Chart data whose embedded workbook (``xlsx_blob``) is made once per process for the same
    number format, categories and series (``key``), instead of by xlsxwriter for every chart.

    Apart from its clock stamp, which the writer fixes (ooxml.package.package_bytes), the workbook
    depends on nothing else, so a deck gets the same bytes either way.
    """

    key: tuple[Any, ...] = ()

    @property
    def xlsx_blob(self) -> bytes:
        blob = _WORKBOOKS.get(self.key)
        if blob is None:
            if len(_WORKBOOKS) >= 256:  # a long-lived process: keep the memory bounded
                _WORKBOOKS.clear()
            blob = _WORKBOOKS[self.key] = super().xlsx_blob
        return blob


_WORKBOOKS: dict[tuple[Any, ...], bytes] = {}
