"""Match slide kinds to the layouts of any PowerPoint template, by their placeholders.

Corporate templates come from PowerPoint, Google Slides and LibreOffice, in 16:9 or 4:3,
with layouts named in any language (or not at all) and in any order. A layout is therefore
judged only by its placeholders: their types, how many there are, where they sit and how
large they are; never by its name or position. Date, footer and slide-number placeholders
are ignored.

Every slide kind always gets a layout. When a template has no layout that fits a kind
exactly, a fallback is chosen (`LayoutChoice.exact` is False): the builder then fills only
the title placeholder and places the content itself in `content_area(prs, layout)`.

Matching and content areas are worked out once per template file in a process: they depend
only on the masters and layouts, which the same file bytes always open to
(see `template_fingerprint`).
"""

from __future__ import annotations

import hashlib
import io
import json
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree
from pptx import Presentation
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.oxml.ns import qn
from pptx.presentation import Presentation as PresentationT
from pptx.slide import SlideLayout, SlideMaster

from generator.errors import PackageError, TemplateError
from generator.ooxml.geometry import EMU_PER_PT as _EMU_PER_PT
from generator.ooxml.pptx_fast import placeholder_element
from generator.theme.packages import load_package

__all__ = [
    "SLIDE_KINDS",
    "LayoutChoice",
    "TemplateError",
    "artwork_boxes",
    "content_area",
    "describe_template",
    "explain_template",
    "match_layouts",
    "open_template",
    "placeholder_roles",
    "remove_all_slides",
    "template_fingerprint",
    "template_warnings",
]

SLIDE_KINDS: tuple[str, ...] = (
    "title",
    "section",
    "bullets",
    "two-columns",
    "image",
    "title-only",
    "blank",
)

Box = tuple[int, int, int, int]  # left, top, width, height in EMU


# --------------------------------------------------------------------------- opening

_SAVE_AS = (
    "Save it as a .pptx or .potx from PowerPoint, LibreOffice Impress or Google Slides "
    "(File > Download > Microsoft PowerPoint) and point the theme at that file."
)

# Where each opened template came from, for error messages (Presentation is unhashable).
_sources: weakref.WeakKeyDictionary[Any, Path] = weakref.WeakKeyDictionary()
# The fingerprint of each opened template's file bytes (see template_fingerprint).
_fingerprints: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()
# What open_template repaired in its copy of each template, and what it noticed, as warnings.
_warnings: weakref.WeakKeyDictionary[Any, list[str]] = weakref.WeakKeyDictionary()
# Each template as open_template repaired it, saved, with its warnings: finding what to repair
# classifies every layout, which cost more than building a deck's slides, so it is done once per
# template and process. Keyed by the file's fingerprint and name (the warnings name the file).
_repaired: dict[tuple[str, str], tuple[bytes, tuple[str, ...]]] = {}


def open_template(path: Path) -> PresentationT:
    """Open a .pptx, .potx, .pptm or .potm as a python-pptx Presentation.

    The file is read through :func:`generator.theme.packages.load_package`: a template or macro file
    becomes a plain presentation in memory, cleaned of macros, ActiveX, OLE objects and
    external references, so saving gives a plain .pptx. Layout placeholders whose `idx` is taken
    (LibreOffice writes no idx, so every placeholder is idx 0, the title's) get one of their own,
    so that slide placeholders inherit from their own layout placeholder and
    `slide.shapes.title` is the title. The file itself is not changed.
    Raises TemplateError for anything unreadable.
    """
    path = Path(path)
    try:
        package = load_package(path, "pptx")
    except PackageError as exc:
        raise TemplateError(f"{exc}. {_SAVE_AS}") from None
    key = (package.fingerprint, path.name)
    if key not in _repaired:
        try:
            prs = Presentation(io.BytesIO(package.data))
        except Exception as exc:  # XML and python-pptx errors alike
            raise TemplateError(
                f"{path}: not a readable PowerPoint file ({type(exc).__name__}: {exc}). {_SAVE_AS}"
            ) from None
        if not any(len(master.slide_layouts) for master in prs.slide_masters):
            raise TemplateError(f"{path}: the template has no slide layouts. {_SAVE_AS}")
        for layout in _all_layouts(prs):
            _unique_placeholder_idx(layout)
        found = _repair_template(prs, path)
        saved = io.BytesIO()
        prs.save(saved)
        _repaired[key] = (saved.getvalue(), tuple(found))
    # Every deck starts from the same saved copy, the first one too.
    data, noticed = _repaired[key]
    prs = Presentation(io.BytesIO(data))
    _sources[prs.part] = path
    _fingerprints[prs.part] = package.fingerprint
    _warnings[prs.part] = list(noticed)
    return prs


def template_warnings(prs: PresentationT) -> list[str]:
    """What `open_template` repaired in its in-memory copy of the template, and what it noticed
    that the user should know (branding only on example slides), one warning each, naming the
    file and saying what to do. Empty for a Presentation not opened with open_template."""
    return list(_warnings.get(prs.part, ()))


def template_fingerprint(prs: PresentationT) -> str | None:
    """A digest of the file `open_template` read for `prs`; None for any other Presentation.

    Opening the same bytes always gives the same masters, layouts, part names and placeholder
    idx, so what is derived from those alone may be kept under this key and reused for every
    presentation opened from the same file in this process, as long as the masters and layouts
    are not changed after opening (pitchkit only adds slides).
    """
    return _fingerprints.get(prs.part)


def _unique_placeholder_idx(layout: SlideLayout) -> None:
    """Give every non-title placeholder an idx of its own (idx 0 is the title's).

    Slide placeholders find the layout placeholder they inherit position and formatting
    from by idx, and python-pptx's `slide.shapes.title` is the placeholder with idx 0.
    """
    title_types = ("title", "ctrTitle")
    phs = [placeholder_element(e) for e in layout.shapes._spTree.iter_shape_elms()]
    seen: set[int] = set()
    redo = []
    for ph in phs:
        if ph is None:
            continue
        is_title = ph.get("type") in title_types
        if ph.idx in seen or (ph.idx == 0 and not is_title):
            redo.append(ph)
        else:
            seen.add(ph.idx)
    for ph in redo:
        new = 1
        while new in seen:
            new += 1
        ph.idx = new
        seen.add(new)


def remove_all_slides(prs: PresentationT) -> None:
    """Delete the template's own example slides: their sldId entries and relationships.

    Parts no longer reachable (slides, their notes and media) are then not written on save.
    Custom shows and slide sections, which refer to the removed slides, are removed too.
    """
    pres = prs.part._element
    sld_id_lst = pres.find(qn("p:sldIdLst"))
    if sld_id_lst is None:
        return
    rids = [sld_id.rId for sld_id in sld_id_lst]
    # Keep the (now empty) list element itself: python-pptx may already hold it (prs.slides).
    for sld_id in list(sld_id_lst):
        sld_id_lst.remove(sld_id)
    cust_show_lst = pres.find(qn("p:custShowLst"))
    if cust_show_lst is not None:
        pres.remove(cust_show_lst)
    ext_lst = pres.find(qn("p:extLst"))
    if ext_lst is not None:
        for ext in list(ext_lst):
            if any(
                isinstance(el.tag, str) and etree.QName(el).localname == "sectionLst" for el in ext
            ):
                ext_lst.remove(ext)
        if len(ext_lst) == 0:
            pres.remove(ext_lst)
    for rid in rids:
        prs.part.drop_rel(rid)


# --------------------------------------------------------------------------- template repair

_CNVPR = qn("p:cNvPr")
_SP_TREE = f"{qn('p:cSld')}/{qn('p:spTree')}"
_CM = 360000


def _repair_template(prs: PresentationT, path: Path) -> list[str]:
    """Repair in the copy in memory what Office would repair or what makes a layout unusable,
    and note what the user should know; return one warning per finding.

    Duplicate shape ids on a master or layout (LibreOffice writes them; a master picture may
    reuse a placeholder's id) are renumbered; title and body placeholders too small to hold
    their text take the master's title and body areas; a presentation without a notes master
    gets one listed, since every deck has notes. The template file itself is never changed.
    """
    name = path.name
    warnings = []
    renumbered = _repair_shape_ids(prs)
    if renumbered:
        warnings.append(
            f"{name}: on {_series(renumbered)}, shapes share an id with another shape (a "
            "defect LibreOffice and some templates carry, which makes PowerPoint offer to "
            "repair every deck); they are renumbered in the deck. To repair the template "
            "itself, open it in PowerPoint and save it."
        )
    warnings += _repair_degenerate(prs, name)
    _list_notes_master(prs)
    warnings += _sample_branding(prs, name)
    return warnings


def _series(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _owners(prs: PresentationT) -> Iterable[tuple[str, Any, Any]]:
    """(label, master or layout, its master) for every master and layout."""
    for m, master in enumerate(prs.slide_masters, 1):
        yield f"master {m}", master, master
        for layout in master.slide_layouts:
            yield f"layout '{_layout_name(layout)}'", layout, master


def _layout_name(layout: SlideLayout) -> str:
    name = (layout.name or "").strip()
    if name:
        return name
    index = _all_layouts(layout.part.package.presentation_part.presentation).index(layout)
    return f"layout {index + 1}"


def _repair_shape_ids(prs: PresentationT) -> list[str]:
    """Give every shape on a master or layout an id of its own; the labels of those changed."""
    changed = []
    for label, owner, _ in _owners(prs):
        if _renumber_duplicate_ids(owner.element):
            changed.append(label)
    return changed


def _renumber_duplicate_ids(root: Any) -> int:
    """Renumber, after the highest id, every shape whose id is taken (the shape tree's own
    group, first in document order, keeps its id) or not a positive number; return how many."""
    tree = root.find(_SP_TREE)
    if tree is None:
        return 0
    cnv_prs = list(tree.iter(_CNVPR))

    def number(c: Any) -> int:
        try:
            return int(c.get("id"))
        except (TypeError, ValueError):
            return 0

    next_id = max((number(c) for c in cnv_prs), default=0) + 1
    seen: set[int] = set()
    changed = 0
    for c in cnv_prs:
        n = number(c)
        if n < 1 or n in seen:
            c.set("id", str(next_id))
            n = next_id
            next_id += 1
            changed += 1
        seen.add(n)
    return changed


def _list_notes_master(prs: PresentationT) -> None:
    """Make sure the presentation lists a notes master (python-pptx adds the part for the first
    notes page, but not the p:notesMasterIdLst entry PowerPoint expects)."""
    pres = prs.part._element
    if pres.find(qn("p:notesMasterIdLst")) is not None:
        return
    notes_master = prs.notes_master  # made from python-pptx's default when missing
    rid = prs.part.relate_to(notes_master.part, _RT_NOTES_MASTER)
    lst = etree.SubElement(pres, qn("p:notesMasterIdLst"))
    entry = etree.SubElement(lst, qn("p:notesMasterId"))
    entry.set(qn("r:id"), rid)
    pres.remove(lst)
    pres.find(qn("p:sldMasterIdLst")).addnext(lst)


_RT_NOTES_MASTER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/notesMaster"


def _style_size(owner_element: Any, ph_shape: Any, style: str, default: float) -> float:
    """The level-1 font size (pt) a placeholder's text gets: its own list style, else the
    master's text style (titleStyle or bodyStyle), else ``default``."""
    for element in (ph_shape.element, owner_element):
        path = (
            f"{qn('p:txBody')}/{qn('a:lstStyle')}/{qn('a:lvl1pPr')}/{qn('a:defRPr')}"
            if element is ph_shape.element
            else f"{qn('p:txStyles')}/{qn(style)}/{qn('a:lvl1pPr')}/{qn('a:defRPr')}"
        )
        found = element.find(path)
        if found is not None and found.get("sz"):
            return int(found.get("sz")) / 100
    return default


def _repair_degenerate(prs: PresentationT, name: str) -> list[str]:
    """Title and body placeholders of content layouts too small to hold their text (zero size,
    a title lower than one line of its own size, a body under a tenth of the slide's height,
    as in Google Slides exports) take the master's title and body areas, in this copy."""
    width, height = _slide_size(prs)
    slide_box = (0, 0, width, height)
    warnings = []
    narrow: list[str] = []
    for master in prs.slide_masters:
        master_phs = _classify(master.placeholders, slide_box)
        m_title = next((p.box for p in master_phs if p.role == "title"), None)
        m_body = next((p.box for p in master_phs if p.role == "body"), None)
        for layout in master.slide_layouts:
            phs = _classify(layout.placeholders, slide_box)
            titles = [p for p in phs if p.role == "title"]
            if len(titles) != 1 or titles[0].type != PP_PLACEHOLDER.TITLE:
                continue  # title slides (centred title) keep what their author drew
            found = []
            title = titles[0]
            title_pt = _style_size(master.element, title.shape, "p:titleStyle", 44.0)
            new_title = title.box
            if _too_small(title.box, width, height) or title.box[3] < title_pt * _EMU_PER_PT:
                sane = m_title if m_title and not _too_small(m_title, width, height) else None
                left, w = (
                    (title.box[0], title.box[2])
                    if title.box[2] >= 0.3 * width
                    else (sane[0], sane[2])
                    if sane
                    else (width // 20, width - width // 10)
                )
                top, h = (sane[1], sane[3]) if sane else (height // 20, height * 3 // 20)
                new_title = (left, top, w, h)
                _set_box(title.shape, new_title)
                found.append(f"title {title.box[3] / _CM:.1f} cm")
            for body in (p for p in phs if p.role == "body"):
                if not (_too_small(body.box, width, height) or body.box[3] < height // 10):
                    continue
                sane = m_body if m_body and not _too_small(m_body, width, height) else None
                left, w = (
                    (body.box[0], body.box[2])
                    if body.box[2] >= 0.15 * width
                    else (sane[0], sane[2])
                    if sane
                    else (width // 20, width - width // 10)
                )
                top = max(sane[1] if sane else 0, new_title[1] + new_title[3] + height // 50)
                bottom = sane[1] + sane[3] if sane else height * 9 // 10
                if bottom - top < height // 5:
                    bottom = height * 9 // 10
                _set_box(body.shape, (left, top, w, bottom - top))
                found.append(f"body {body.box[3] / _CM:.1f} cm")
            if not found and _widen_lone_body(prs, layout, phs, m_body):
                narrow.append(f"'{_layout_name(layout)}'")
            if found:
                warnings.append(
                    f"{name}: layout '{_layout_name(layout)}' has placeholders too small for "
                    f"their text ({', '.join(found)} high); the deck uses the master's title "
                    "and body areas for them instead. To fix the template, make them larger "
                    "in PowerPoint (View > Slide Master), or name another layout under "
                    "'layouts:' in theme.yaml."
                )
    if narrow:
        narrow = list(dict.fromkeys(narrow))
        warnings.append(
            f"{name}: the body placeholder of layout {_series(narrow)} takes less than 60 % of "
            "the master's text width with nothing beside it; the deck uses the master's width. "
            "To keep it narrow, put what belongs beside it on the layout in PowerPoint "
            "(View > Slide Master)."
        )
    return warnings


def _widen_lone_body(
    prs: PresentationT, layout: SlideLayout, phs: list[_Ph], m_body: Box | None
) -> bool:
    """Give a content layout's only body placeholder the master's text width when it has less
    than 60 % of it and nothing beside it (no other placeholder, no artwork), as LibreOffice
    writes its generic layouts; return whether it did."""
    bodies = [p for p in phs if p.role == "body"]
    if (
        m_body is None
        or len(bodies) != 1
        or any(p.role in ("picture", "other", "subtitle") for p in phs)
    ):
        return False
    body = bodies[0]
    if body.box[2] >= 0.6 * m_body[2]:
        return False
    wide = (m_body[0], body.box[1], m_body[2], body.box[3])
    if any(_intersects(wide, art) for _, art in artwork_boxes(prs, layout)):
        return False
    _set_box(body.shape, wide)
    return True


def _intersects(a: Box, b: Box) -> bool:
    return min(a[0] + a[2], b[0] + b[2]) > max(a[0], b[0]) and min(a[1] + a[3], b[1] + b[3]) > max(
        a[1], b[1]
    )


def _too_small(box: Box, width: int, height: int) -> bool:
    return box[2] < width // 20 or box[3] <= 0


def _set_box(shape: Any, box: Box) -> None:
    """Give a placeholder its own position and size (a:xfrm first in p:spPr)."""
    sp_pr = shape.element.find(qn("p:spPr"))
    xfrm = sp_pr.find(qn("a:xfrm"))
    if xfrm is None:
        xfrm = etree.Element(qn("a:xfrm"))
        sp_pr.insert(0, xfrm)
    for child in list(xfrm):
        xfrm.remove(child)
    etree.SubElement(xfrm, qn("a:off"), x=str(int(box[0])), y=str(int(box[1])))
    etree.SubElement(xfrm, qn("a:ext"), cx=str(int(box[2])), cy=str(int(box[3])))


def _sample_branding(prs: PresentationT, name: str) -> list[str]:
    """Pictures on the template's example slides that no layout or master has and that look
    like branding (small, at an edge of the slide, or on several slides): they would be lost,
    since example slides are never copied into a deck."""
    width, height = _slide_size(prs)
    on_layouts = set()
    for _, owner, _ in _owners(prs):
        for rel in owner.part.rels.values():
            if rel.reltype.endswith("/image") and not rel.is_external:
                on_layouts.add(hashlib.sha1(rel.target_part.blob).hexdigest())
    pictures: list[tuple[int, str, Box, str]] = []
    for number, slide in enumerate(prs.slides, 1):
        tree = slide.element.find(_SP_TREE)
        for element in tree if tree is not None else ():
            for pic in _pictures_in(element):
                blip = pic.find(f".//{qn('a:blip')}")
                rid = blip.get(qn("r:embed")) if blip is not None else None
                rel = slide.part.rels.get(rid) if rid else None
                if rel is None or rel.is_external:
                    continue
                digest = hashlib.sha1(rel.target_part.blob).hexdigest()
                if digest in on_layouts:
                    continue
                box = _element_box(element)
                cnv_pr = pic.find(f".//{_CNVPR}")
                label = cnv_pr.get("name", "picture") if cnv_pr is not None else "picture"
                if box is not None:
                    pictures.append((number, label, box, digest))
    repeated = {d for d in {p[3] for p in pictures} if sum(p[3] == d for p in pictures) > 1}
    branding = []
    for number, label, box, digest in pictures:
        small = box[2] * box[3] < 0.15 * width * height
        margin_x, margin_y = width // 20, height // 20
        at_edge = (
            box[0] <= margin_x
            or box[1] <= margin_y
            or box[0] + box[2] >= width - margin_x
            or box[1] + box[3] >= height - margin_y
        )
        if small and (at_edge or digest in repeated):
            branding.append(f"'{label}' on slide {number}")
    if not branding:
        return []
    return [
        f"{name}: its example slides carry {len(branding)} picture(s) that none of its layouts "
        f"or masters has ({_series(branding)}), probably its logo or branding. Example slides "
        "are never copied into a deck, so these are missing. To have them on every slide, "
        "open the template in PowerPoint, cut them from the example slide, paste them on the "
        "slide master (View > Slide Master) and save the template."
    ]


def _pictures_in(element: Any) -> list[Any]:
    if element.tag == qn("p:pic"):
        return [element]
    if element.tag == qn("p:grpSp"):
        return list(element.iter(qn("p:pic")))
    return []


def _element_box(element: Any) -> Box | None:
    """The box of a top-level shape element from its own a:xfrm, or None."""
    tag = etree.QName(element).localname
    if tag == "grpSp":
        xfrm = element.find(f"{qn('p:grpSpPr')}/{qn('a:xfrm')}")
    elif tag == "graphicFrame":
        xfrm = element.find(qn("p:xfrm"))
    else:
        xfrm = element.find(f"{qn('p:spPr')}/{qn('a:xfrm')}")
    if xfrm is None:
        return None
    off, ext = xfrm.find(qn("a:off")), xfrm.find(qn("a:ext"))
    if off is None or ext is None:
        return None
    try:
        return (int(off.get("x")), int(off.get("y")), int(ext.get("cx")), int(ext.get("cy")))
    except (TypeError, ValueError):
        return None


# --------------------------------------------------------------------------- artwork


def _has_text(element: Any) -> bool:
    return any((t.text or "").strip() for t in element.iter(qn("a:t")))


_FILLS = ("a:solidFill", "a:gradFill", "a:blipFill", "a:pattFill")


def _shows(element: Any) -> bool:
    """Whether a non-placeholder shape draws anything: a picture, a table or chart, text, a
    fill or a line (its own or its style's)."""
    tag = etree.QName(element).localname
    cnv_pr = element.find(f".//{_CNVPR}")
    if cnv_pr is not None and cnv_pr.get("hidden") in ("1", "true"):
        return False
    if tag in ("pic", "graphicFrame", "contentPart"):
        return True
    if tag == "grpSp":
        return any(
            _shows(child)
            for child in element
            if etree.QName(child).localname in ("sp", "pic", "grpSp", "cxnSp", "graphicFrame")
        )
    if _has_text(element):
        return True
    sp_pr = element.find(qn("p:spPr"))
    if sp_pr is None:
        return False
    fill = any(sp_pr.find(qn(f)) is not None for f in _FILLS)
    ln = sp_pr.find(qn("a:ln"))
    line = ln is not None and ln.find(qn("a:noFill")) is None and len(ln) > 0
    style = element.find(qn("p:style"))
    if style is not None:
        fill_ref = style.find(qn("a:fillRef"))
        if sp_pr.find(qn("a:noFill")) is None and fill_ref is not None:
            fill = fill or fill_ref.get("idx", "0") != "0"
        ln_ref = style.find(qn("a:lnRef"))
        if (ln is None or ln.find(qn("a:noFill")) is None) and ln_ref is not None:
            line = line or ln_ref.get("idx", "0") != "0"
    return fill or line


def _is_placeholder(element: Any) -> bool:
    return placeholder_element(element) is not None


def _is_background(box: Box, width: int, height: int) -> bool:
    """Artwork the template means text to lie on: a full-slide picture or colour field, a
    large watermark. Bands along an edge (logo bands, side bars) are not backgrounds."""
    w, h = box[2] / width, box[3] / height
    strip = (w >= 0.8 and h <= 0.25) or (h >= 0.8 and w <= 0.25)
    return not strip and w * h >= 0.15


def _artwork_of(root: Any, width: int, height: int) -> list[tuple[str, Box]]:
    tree = root.find(_SP_TREE)
    found = []
    for element in tree if tree is not None else ():
        if not isinstance(element.tag, str) or _is_placeholder(element):
            continue
        if etree.QName(element).localname not in ("sp", "pic", "grpSp", "cxnSp", "graphicFrame"):
            continue
        box = _element_box(element)
        if box is None or not _shows(element):
            continue
        # a line is as thick as a point, so that it is something to keep clear of
        box = (box[0], box[1], max(box[2], _EMU_PER_PT), max(box[3], _EMU_PER_PT))
        on_slide = (
            box[0] < width and box[1] < height and box[0] + box[2] > 0 and box[1] + box[3] > 0
        )
        if not on_slide or _is_background(box, width, height):
            continue
        cnv_pr = element.find(f".//{_CNVPR}")
        found.append((cnv_pr.get("name", "") if cnv_pr is not None else "", box))
    return found


def artwork_boxes(prs: PresentationT, layout: SlideLayout) -> list[tuple[str, Box]]:
    """(name, box) of the pictures and drawn shapes a slide on ``layout`` shows from the layout
    and its master (unless the layout hides the master's shapes), other than placeholders and
    backgrounds: logos, logo bands, rules, fixed text. Content must keep clear of them."""
    width, height = _slide_size(prs)
    found = _artwork_of(layout.element, width, height)
    if layout.element.get("showMasterSp") not in ("0", "false"):
        found = _artwork_of(layout.slide_master.element, width, height) + found
    return found


def _free_of(box: Box, artwork: Iterable[Box], gap: int) -> Box:
    """The largest part of ``box`` left when each piece of artwork in it is cut off along one
    side (the cut that keeps most). Artwork that would take more than half the box is a
    backdrop the template puts content on, and is left alone."""
    left, top, right, bottom = box[0], box[1], box[0] + box[2], box[1] + box[3]
    for a in sorted(artwork, key=lambda b: -b[2] * b[3]):
        a_left, a_top, a_right, a_bottom = a[0], a[1], a[0] + a[2], a[1] + a[3]
        if a_right <= left or a_left >= right or a_bottom <= top or a_top >= bottom:
            continue
        cuts = [
            (left, max(top, a_bottom + gap), right, bottom),
            (left, top, right, min(bottom, a_top - gap)),
            (max(left, a_right + gap), top, right, bottom),
            (left, top, min(right, a_left - gap), bottom),
        ]
        best = max(cuts, key=lambda c: max(c[2] - c[0], 0) * max(c[3] - c[1], 0))
        area = (right - left) * (bottom - top)
        kept = max(best[2] - best[0], 0) * max(best[3] - best[1], 0)
        if kept >= 0.5 * area:
            left, top, right, bottom = best
    return (left, top, right - left, bottom - top)


# --------------------------------------------------------------------------- placeholders

_IGNORED = {
    PP_PLACEHOLDER.DATE,
    PP_PLACEHOLDER.FOOTER,
    PP_PLACEHOLDER.SLIDE_NUMBER,
    PP_PLACEHOLDER.HEADER,
}
_TITLES = {PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE}
_BODIES = {PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT}
_PICTURES = {PP_PLACEHOLDER.PICTURE, PP_PLACEHOLDER.BITMAP}
_VERTICAL = {
    PP_PLACEHOLDER.VERTICAL_TITLE,
    PP_PLACEHOLDER.VERTICAL_BODY,
    PP_PLACEHOLDER.VERTICAL_OBJECT,
}
_ROLES = ("title", "subtitle", "body", "picture", "aux", "note", "other")


@dataclass(frozen=True)
class _Ph:
    shape: Any
    type: PP_PLACEHOLDER
    role: str  # one of _ROLES
    box: Box

    @property
    def area(self) -> int:
        return self.box[2] * self.box[3]

    @property
    def bottom(self) -> int:
        return self.box[1] + self.box[3]

    @property
    def center_y(self) -> float:
        return self.box[1] + self.box[3] / 2


def _is_vertical(shape: Any) -> bool:
    ph = shape.element.ph
    if ph is not None and ph.get("orient") == "vert":
        return True
    body_pr = shape.element.find(f"{qn('p:txBody')}/{qn('a:bodyPr')}")
    return body_pr is not None and body_pr.get("vert", "horz") != "horz"


def _box(shape: Any, fallback: Box) -> Box:
    try:
        values = (shape.left, shape.top, shape.width, shape.height)
    except (AttributeError, KeyError, ValueError):
        return fallback
    if any(v is None for v in values):
        return fallback
    return (int(values[0]), int(values[1]), int(values[2]), int(values[3]))


def _classify(shapes: Iterable[Any], slide_box: Box) -> list[_Ph]:
    """Placeholders with a role each; ignored types (date, footer, slide number) are left out."""
    raw: list[tuple[Any, PP_PLACEHOLDER, Box]] = []
    for shape in shapes:
        ph_type = shape.placeholder_format.type
        if ph_type in _IGNORED:
            continue
        raw.append((shape, ph_type, _box(shape, slide_box)))
    title_box = next((b for s, t, b in raw if t in _TITLES and not _is_vertical(s)), None)

    def is_aux(box: Box) -> bool:
        """A text strip entirely above the title (a kicker, running head or section label)."""
        if title_box is None:
            return False
        return box[1] + box[3] <= title_box[1] + title_box[3] * 0.1 and box[3] < title_box[3] * 1.5

    result = []
    for shape, ph_type, box in raw:
        if ph_type in _VERTICAL or _is_vertical(shape):
            role = "other"
        elif ph_type in _TITLES:
            role = "title"
        elif ph_type == PP_PLACEHOLDER.SUBTITLE:
            role = "subtitle"
        elif ph_type in _BODIES:
            role = "aux" if is_aux(box) else "body"
        elif ph_type in _PICTURES:
            role = "picture"
        else:
            role = "other"
        result.append(_Ph(shape, ph_type, role, box))
    bodies = [p for p in result if p.role == "body"]
    if len(bodies) > 1:
        largest = max(p.area for p in bodies)
        result = [
            _Ph(p.shape, p.type, "note", p.box)
            if p in bodies and _is_note(p, largest, slide_box)
            else p
            for p in result
        ]
    return result


def _is_note(p: _Ph, largest_body: int, slide_box: Box) -> bool:
    """A small extra text placeholder beside a real body: a source line, footnote or caption
    (at most an eighth of the slide high and a quarter of the largest body's area)."""
    return p.box[3] <= slide_box[3] * 0.125 and p.area <= 0.25 * largest_body


def _reading_order(phs: list[_Ph], row: int) -> list[_Ph]:
    return sorted(phs, key=lambda p: (p.box[1] // max(row, 1), p.box[0]))


def placeholder_roles(owner: Any) -> dict[str, list[Any]]:
    """Placeholders of a layout or slide by role, the way matching sees them.

    Roles: "title", "subtitle", "body" (text/content), "picture", "aux" (a text strip above
    the title: a kicker, or the description of PowerPoint's classic "Section Header"),
    "note" (a small extra text placeholder beside a body: a source line or footnote, which
    does not stop a layout from serving its kind), "other" (vertical text, chart, table,
    media...). Date, footer and
    slide-number placeholders are left out. Each list is in reading order (rows, then left
    to right), so two columns come as [left, right]. Works on a slide made from a layout,
    whose placeholders inherit their position from it.
    """
    width, height = _slide_size(owner.part.package.presentation_part.presentation)
    phs = _classify(_placeholders(owner), (0, 0, width, height))
    return {
        role: [p.shape for p in _reading_order([p for p in phs if p.role == role], height // 20)]
        for role in _ROLES
    }


# --------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class LayoutChoice:
    """The layout chosen for one slide kind.

    exact: the layout has the placeholders this kind needs (title + body for bullets, ...).
        When False a fallback was used: fill only its title placeholder (if any) and place
        the content in `content_area(prs, layout)`.
    reason: human-readable, for `pitchkit templates` and warnings.
    """

    kind: str
    layout: SlideLayout
    exact: bool
    reason: str


@dataclass
class _Layout:
    layout: SlideLayout
    master_index: int
    index: int  # over all layouts of all masters, 0-based
    label: str  # the layout's name, or "layout N" when it has none
    phs: list[_Ph]
    width: int
    height: int
    n_all: int  # placeholders including ignored ones
    sample_text: bool = False  # fixed text, not in a placeholder, where content would go

    def role(self, *roles: str) -> list[_Ph]:
        return [p for p in self.phs if p.role in roles]

    @property
    def title(self) -> _Ph | None:
        titles = self.role("title")
        return titles[0] if titles else None

    def below_title(self, p: _Ph) -> bool:
        t = self.title
        return t is not None and p.box[1] >= t.box[1] + t.box[3] * 0.5

    def frac(self, area: float) -> float:
        return area / float(self.width * self.height)


# An evaluator returns None when the layout does not fit the kind exactly, else
# (fit, area): fit is a whole-number quality class compared first, then the master's
# order (the first master wins a tie), then area, then the layout's order.
_Score = tuple[int, float]


def _eval_title(lay: _Layout) -> _Score | None:
    t = lay.title
    subs = lay.role("subtitle")
    bodies = lay.role("body", "aux")
    if t is None or len(lay.role("title")) != 1 or not (subs or bodies):
        return None
    fit = 0
    fit += 4 if t.type == PP_PLACEHOLDER.CENTER_TITLE else 0
    if subs:
        fit += 4
    elif any(p.type == PP_PLACEHOLDER.BODY and lay.below_title(p) for p in bodies):
        fit += 1  # a body placeholder serving as subtitle (e.g. PowerPoint templates by hand)
    fit += 2 if 0.2 <= t.center_y / lay.height <= 0.8 else 0
    fit -= len(lay.role("picture", "other"))
    fit -= 1 if len(subs) + len(bodies) > 2 else 0
    return fit, lay.frac(t.area)


def _eval_section(lay: _Layout) -> _Score | None:
    t = lay.title
    texts = lay.role("body", "aux")
    if (
        t is None
        or len(lay.role("title")) != 1
        or t.type != PP_PLACEHOLDER.TITLE
        or lay.role("subtitle", "picture", "other")
        or len(texts) > 1
        or t.center_y / lay.height < 0.33
    ):
        return None
    return 1 + len(texts), t.center_y / lay.height


def _eval_bullets(lay: _Layout) -> _Score | None:
    t = lay.title
    bodies = lay.role("body")
    if (
        t is None
        or len(lay.role("title")) != 1
        or len(bodies) != 1
        or lay.role("subtitle", "picture", "other")
    ):
        return None
    body = bodies[0]
    fit = 1
    fit += 1 if body.type == PP_PLACEHOLDER.OBJECT else 0
    fit += 1 if lay.below_title(body) else 0
    fit -= 1 if t.type == PP_PLACEHOLDER.CENTER_TITLE else 0
    fit -= len(lay.role("aux"))
    return fit, lay.frac(body.area)


def _side_by_side(a: _Ph, b: _Ph) -> bool:
    h_overlap = min(a.box[0] + a.box[2], b.box[0] + b.box[2]) - max(a.box[0], b.box[0])
    v_overlap = min(a.bottom, b.bottom) - max(a.box[1], b.box[1])
    return h_overlap <= 0.1 * min(a.box[2], b.box[2]) and v_overlap >= 0.5 * min(a.box[3], b.box[3])


def _eval_two_columns(lay: _Layout) -> _Score | None:
    t = lay.title
    bodies = lay.role("body")
    if (
        t is None
        or len(lay.role("title")) != 1
        or len(bodies) != 2
        or lay.role("subtitle", "picture", "other")
    ):
        return None
    a, b = bodies
    if not (_side_by_side(a, b) and lay.below_title(a) and lay.below_title(b)):
        return None
    fit = 2
    fit += 1 if min(a.box[2], b.box[2]) >= 0.75 * max(a.box[2], b.box[2]) else 0
    fit += 1 if a.type == b.type == PP_PLACEHOLDER.OBJECT else 0
    fit -= len(lay.role("aux"))
    return fit, lay.frac(a.area + b.area)


def _eval_image(lay: _Layout) -> _Score | None:
    t = lay.title
    pictures = lay.role("picture")
    if (
        t is None
        or len(lay.role("title")) != 1
        or not pictures
        or lay.role("other")
        or len(lay.role("body")) > 1
    ):
        return None
    fit = 2
    fit += 1 if len(pictures) == 1 else 0
    fit += 1 if t.center_y < max(p.center_y for p in pictures) else 0  # title read first
    fit -= len(lay.role("subtitle", "aux"))
    return fit, lay.frac(max(p.area for p in pictures))


def _eval_title_only(lay: _Layout) -> _Score | None:
    t = lay.title
    if t is None or len(lay.role("title")) != 1 or lay.role("subtitle", "body", "picture", "other"):
        return None
    fit = 1
    fit += 1 if t.type == PP_PLACEHOLDER.TITLE else 0
    fit += 1 if t.center_y / lay.height < 0.33 else 0
    fit -= len(lay.role("aux"))
    return fit, 1.0 - t.box[3] / lay.height


def _eval_blank(lay: _Layout) -> _Score | None:
    if (
        lay.role("title")
        or any(p.type in _TITLES or p.type == PP_PLACEHOLDER.VERTICAL_TITLE for p in lay.phs)
        or lay.sample_text
    ):
        return None
    return -len(lay.phs), -float(lay.n_all)


_EVALUATORS: dict[str, Callable[[_Layout], _Score | None]] = {
    "title": _eval_title,
    "section": _eval_section,
    "bullets": _eval_bullets,
    "two-columns": _eval_two_columns,
    "image": _eval_image,
    "title-only": _eval_title_only,
    "blank": _eval_blank,
}

_EXACT_REASON = {
    "title": "title + subtitle placeholders",
    "section": "section header: title low on the slide, at most one text placeholder",
    "bullets": "title + one body placeholder",
    "two-columns": "title + two body placeholders side by side",
    "image": "title + picture placeholder",
    "title-only": "title placeholder and no body",
    "blank": "no title placeholder and no fixed text",
}

_MISSING = {
    "title": "no layout with a title and a subtitle or body placeholder",
    "section": "no section-header layout",
    "bullets": "no layout with a title and one body placeholder",
    "two-columns": "no layout with two body placeholders side by side",
    "image": "no picture placeholder",
    "title-only": "no layout with only a title",
    "blank": "no layout without a title and fixed text",
}

# Fallbacks, tried in order: another kind's final choice. Resolved in this order of kinds.
_FALLBACKS: dict[str, tuple[str, ...]] = {
    "blank": (),
    "title-only": (),
    "bullets": ("title-only",),
    "title": ("title-only",),
    "section": ("title", "title-only"),
    "two-columns": ("bullets", "title-only"),
    "image": ("title-only",),
}


def _placeholders(owner: Any) -> list[Any]:
    """The placeholders of a master, layout or slide, in python-pptx's order."""
    return list(owner.placeholders)


def _all_layouts(prs: PresentationT) -> list[SlideLayout]:
    return [layout for master in prs.slide_masters for layout in master.slide_layouts]


def _slide_size(prs: PresentationT) -> tuple[int, int]:
    """Slide width and height in EMU; PowerPoint's 16:9 when the file does not say."""
    return int(prs.slide_width or 12192000), int(prs.slide_height or 6858000)


def _survey(prs: PresentationT) -> list[_Layout]:
    width, height = _slide_size(prs)
    slide_box = (0, 0, width, height)
    result = []
    index = 0
    for m, master in enumerate(prs.slide_masters):
        for layout in master.slide_layouts:
            placeholders = _placeholders(layout)
            phs = _classify(placeholders, slide_box)
            label = (
                layout.name.strip()
                if layout.name and layout.name.strip()
                else f"layout {index + 1}"
            )
            sample = _has_sample_text(layout, master, slide_box)
            result.append(
                _Layout(layout, m, index, label, phs, width, height, len(placeholders), sample)
            )
            index += 1
    return result


def _has_sample_text(layout: SlideLayout, master: SlideMaster, slide_box: Box) -> bool:
    """Whether the layout has text outside its placeholders that lies mostly where a slide's
    title and content go (between the master's title and body): example text, not a footer
    band or a running head at the edge."""
    boxes = [
        p.box for p in _classify(master.placeholders, slide_box) if p.role in ("title", "body")
    ]
    if not boxes:
        boxes = [(0, slide_box[3] // 10, slide_box[2], slide_box[3] * 8 // 10)]
    work = (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[0] + b[2] for b in boxes),
        max(b[1] + b[3] for b in boxes),
    )
    tree = layout.element.find(_SP_TREE)
    for element in tree if tree is not None else ():
        if not isinstance(element.tag, str) or _is_placeholder(element) or not _has_text(element):
            continue
        box = _element_box(element)
        if box is None or box[2] * box[3] <= 0:
            continue
        w = min(box[0] + box[2], work[2]) - max(box[0], work[0])
        h = min(box[1] + box[3], work[3]) - max(box[1], work[1])
        if w > 0 and h > 0 and w * h >= 0.5 * box[2] * box[3]:
            return True
    return False


def _best(kind: str, layouts: list[_Layout]) -> tuple[_Layout, _Score] | None:
    scored = [(lay, s) for lay in layouts if (s := _EVALUATORS[kind](lay)) is not None]
    if not scored:
        return None
    return min(
        scored, key=lambda ls: (-ls[1][0], ls[0].master_index, -round(ls[1][1], 4), ls[0].index)
    )


def _fewest_placeholders(layouts: list[_Layout], *, with_title: bool) -> _Layout | None:
    pool = [lay for lay in layouts if (lay.title is not None) == with_title]
    pool = [lay for lay in pool if not lay.sample_text] or pool
    if not pool:
        return None

    def key(lay: _Layout) -> tuple[Any, ...]:
        t = lay.title
        top = t.center_y / lay.height if t is not None else 0.0
        centered = t is not None and t.type == PP_PLACEHOLDER.CENTER_TITLE
        return (len(lay.phs), centered, lay.master_index, round(top, 2), lay.n_all, lay.index)

    return min(pool, key=key)


def _label(layouts: list[_Layout], layout: SlideLayout) -> str:
    return next(lay.label for lay in layouts if lay.layout == layout)


def _source(prs: PresentationT) -> str:
    path = _sources.get(prs.part)
    return f"{path}: " if path is not None else ""


def _find_layout(prs: PresentationT, layouts: list[_Layout], kind: str, name: str) -> _Layout:
    wanted = str(name).strip()
    for test in (
        lambda lay: lay.label == wanted,
        lambda lay: lay.label.casefold() == wanted.casefold(),
    ):
        for lay in layouts:
            if test(lay):
                return lay
    names = ", ".join(f"'{lay.label}'" for lay in layouts)
    raise TemplateError(
        f"{_source(prs)}theme.yaml asks for layout '{wanted}' for '{kind}' slides, but the "
        f"template has no layout of that name. Its layouts: {names}. Correct the name under "
        f"'layouts:' in theme.yaml, or remove the line to let pitchkit choose."
    )


# Choices made for a template (fingerprint) and overrides: kind -> (layout part name, exact,
# reason). Only successful matches are kept, so a bad override raises on every call.
_choices_made: dict[tuple[str, tuple[tuple[str, str], ...]], dict[str, tuple[str, bool, str]]] = {}


def match_layouts(
    prs: PresentationT, overrides: Mapping[str, str] | None = None
) -> dict[str, LayoutChoice]:
    """Choose a layout for every kind in SLIDE_KINDS from the placeholders of each layout.

    `overrides` maps kind -> layout name (theme.yaml's `layouts:`) and wins over the
    automatic choice; an unknown kind or layout name raises TemplateError (listing the
    valid ones). Every kind always gets a layout: see LayoutChoice.exact for fallbacks.
    A template opened before from the same file gets the same choices without a new survey.
    """
    fingerprint = template_fingerprint(prs)
    key = (fingerprint or "", tuple((k, str(v)) for k, v in (overrides or {}).items()))
    made = _choices_made.get(key) if fingerprint is not None else None
    if made is not None:
        by_name = {str(layout.part.partname): layout for layout in _all_layouts(prs)}
        return {
            kind: LayoutChoice(kind, by_name[name], exact, reason)
            for kind, (name, exact, reason) in made.items()
        }
    choices = _match(prs, overrides)
    if fingerprint is not None:
        _choices_made[key] = {
            kind: (str(c.layout.part.partname), c.exact, c.reason) for kind, c in choices.items()
        }
    return choices


def _match(prs: PresentationT, overrides: Mapping[str, str] | None) -> dict[str, LayoutChoice]:
    """match_layouts without the cache."""
    layouts = _survey(prs)
    if not layouts:
        raise TemplateError(f"{_source(prs)}the template has no slide layouts. {_SAVE_AS}")
    choices: dict[str, LayoutChoice] = {}
    for kind, name in (overrides or {}).items():
        if kind not in SLIDE_KINDS:
            raise TemplateError(
                f"{_source(prs)}theme.yaml names an unknown slide kind '{kind}' under 'layouts:'. "
                f"Known kinds: {', '.join(SLIDE_KINDS)}."
            )
        lay = _find_layout(prs, layouts, kind, name)
        exact = _EVALUATORS[kind](lay) is not None
        reason = f"set in theme.yaml: '{lay.label}'"
        if not exact:
            reason += (
                f"; its placeholders do not fit '{kind}' ({_EXACT_REASON[kind]}),"
                " so content goes in the content area"
            )
        choices[kind] = LayoutChoice(kind, lay.layout, exact, reason)

    for kind in SLIDE_KINDS:
        if kind in choices:
            continue
        best = _best(kind, layouts)
        if best is not None:
            lay = best[0]
            reason = _EXACT_REASON[kind]
            if kind == "title" and not lay.role("subtitle"):
                reason = "title + body placeholder as subtitle"
            choices[kind] = LayoutChoice(kind, lay.layout, True, f"{reason}: '{lay.label}'")

    for kind, chain in _FALLBACKS.items():
        if kind in choices:
            continue
        choice = None
        for other in chain:
            if other in choices:
                target = choices[other]
                choice = LayoutChoice(
                    kind,
                    target.layout,
                    False,
                    f"{_MISSING[kind]}: fallback to '{_label(layouts, target.layout)}'"
                    f" (the {other} layout)",
                )
                break
        if choice is None:
            # title-only: a layout with a title and the fewest other placeholders, else none;
            # blank: the layout with the fewest placeholders. Layouts exist, so one is found.
            with_title = kind != "blank"
            found = _fewest_placeholders(layouts, with_title=with_title)
            found = found or _fewest_placeholders(layouts, with_title=not with_title)
            assert found is not None
            what = (
                "a title and the fewest other placeholders"
                if found.title is not None
                else "the fewest placeholders"
            )
            choice = LayoutChoice(
                kind, found.layout, False, f"{_MISSING[kind]}: fallback to '{found.label}' ({what})"
            )
        choices[kind] = choice
    return {kind: choices[kind] for kind in SLIDE_KINDS}


# --------------------------------------------------------------------------- geometry


# Content areas measured for a template (fingerprint) and layout part name.
_areas_measured: dict[tuple[str, str], Box] = {}


def content_area(prs: PresentationT, layout: SlideLayout) -> Box:
    """(left, top, width, height) in EMU where body content may go on `layout`: its free area.

    The largest body/picture/content placeholder's box if the layout has one; otherwise the
    area below the title placeholder (or the whole slide when there is none) within the
    master's margins: the master's body placeholder, else its title, sets left and right;
    the master's body or the footer placeholders set the bottom. Then the template's artwork
    in it (`artwork_boxes`: logos, logo bands, rules of the layout and its master) is cut
    off, so that nothing drawn in this area covers them. Measured once per template file and
    layout in a process.
    """
    fingerprint = template_fingerprint(prs)
    if fingerprint is None:
        return _measure_content_area(prs, layout)
    key = (fingerprint, str(layout.part.partname))
    if key not in _areas_measured:
        _areas_measured[key] = _measure_content_area(prs, layout)
    return _areas_measured[key]


def _measure_content_area(prs: PresentationT, layout: SlideLayout) -> Box:
    """content_area without the cache."""
    box = _placeholder_area(prs, layout)
    height = _slide_size(prs)[1]
    return _free_of(box, [b for _, b in artwork_boxes(prs, layout)], height // 100)


def _placeholder_area(prs: PresentationT, layout: SlideLayout) -> Box:
    """The content area before artwork is cut off."""
    width, height = _slide_size(prs)
    slide_box = (0, 0, width, height)
    phs = _classify(_placeholders(layout), slide_box)
    content = [p for p in phs if p.role in ("body", "subtitle", "picture", "other")]
    if content:
        return _clamp(max(content, key=lambda p: p.area).box, width, height)

    gap = height // 50
    master_phs = _classify(layout.slide_master.placeholders, slide_box)
    master_body = next((p for p in master_phs if p.role == "body"), None)
    master_title = next((p for p in master_phs if p.role == "title"), None)
    title = next((p for p in phs if p.role == "title"), None)

    frame = master_body or master_title or title
    left, right = (
        (frame.box[0], frame.box[0] + frame.box[2]) if frame else (width // 20, width - width // 20)
    )

    tops = [p.bottom + gap for p in phs if p.role in ("title", "aux") and p.center_y < height / 2]
    if tops:
        top = max(tops)
    elif master_body is not None:
        top = master_body.box[1]
    else:
        top = height // 20

    footer_tops = [
        _box(s, slide_box)[1]
        for owner in (layout, layout.slide_master)
        for s in _placeholders(owner)
        if s.placeholder_format.type in _IGNORED
    ]
    if master_body is not None and master_body.bottom > top:
        bottom = master_body.bottom
    else:
        bottom = min([t - gap for t in footer_tops if t > top] or [height - height // 20])

    if bottom - top < height // 10:  # the title sits low: use the master's text area instead
        if master_body is not None:
            return _clamp(master_body.box, width, height)
        top, bottom = height // 20, height - height // 20
    return _clamp((left, top, right - left, bottom - top), width, height)


def _clamp(box: Box, width: int, height: int) -> Box:
    left = min(max(box[0], 0), width)
    top = min(max(box[1], 0), height)
    right = min(max(box[0] + box[2], left), width)
    bottom = min(max(box[1] + box[3], top), height)
    return (left, top, right - left, bottom - top)


# --------------------------------------------------------------------------- inspection


def _describe_placeholders(shapes: Iterable[Any], slide_box: Box) -> list[dict[str, Any]]:
    result = []
    for shape in shapes:
        fmt = shape.placeholder_format
        result.append(
            {
                "idx": fmt.idx,
                "type": fmt.type.name if fmt.type is not None else "UNKNOWN",
                "name": shape.name,
                "box": _box(shape, slide_box),
            }
        )
    return result


def describe_template(path: Path) -> list[dict[str, Any]]:
    """What `pitchkit templates FILE` shows: one entry per master, each followed by its layouts.

    Entry keys: "level" ("master" or "layout"), "master" (1-based), "layout" (1-based over
    all masters, None for a master), "name", "placeholders" (list of {idx, type, name, box
    (left, top, width, height in EMU)}) and "kinds" (list of {kind, exact, reason} matched to
    this layout; empty for masters). Raises TemplateError like open_template.
    """
    prs = open_template(path)
    slide_box = (0, 0, *_slide_size(prs))
    choices = match_layouts(prs)
    entries: list[dict[str, Any]] = []
    index = 0
    master: SlideMaster
    for m, master in enumerate(prs.slide_masters, start=1):
        entries.append(
            {
                "level": "master",
                "master": m,
                "layout": None,
                "name": master.name or f"master {m}",
                "placeholders": _describe_placeholders(master.placeholders, slide_box),
                "kinds": [],
            }
        )
        for layout in master.slide_layouts:
            index += 1
            kinds = [
                {"kind": c.kind, "exact": c.exact, "reason": c.reason}
                for c in choices.values()
                if c.layout == layout
            ]
            entries.append(
                {
                    "level": "layout",
                    "master": m,
                    "layout": index,
                    "name": layout.name.strip()
                    if layout.name and layout.name.strip()
                    else f"layout {index}",
                    "placeholders": _describe_placeholders(layout.placeholders, slide_box),
                    "kinds": kinds,
                }
            )
    return entries


def explain_template(path: Path) -> dict[str, Any]:
    """What `pitchkit templates FILE` says besides the layouts.

    Keys: "choices" (per slide kind in SLIDE_KINDS: {kind, layout (its name), exact, reason}),
    "warnings" (what opening the template repaired or noticed, see `template_warnings`) and
    "snippet": where a kind fell back, a ready `layouts:` block for theme.yaml naming the
    layout now used for each such kind, with the other layouts to choose from; None when
    every kind has a layout of its own. Raises TemplateError like open_template.
    """
    prs = open_template(path)
    layouts = _survey(prs)
    choices = match_layouts(prs)
    rows = [
        {
            "kind": kind,
            "layout": _label(layouts, choice.layout),
            "exact": choice.exact,
            "reason": choice.reason,
        }
        for kind, choice in choices.items()
    ]
    fallbacks = [row for row in rows if not row["exact"]]
    snippet = None
    if fallbacks:
        names = [lay.label for lay in layouts]
        lines = ["layouts:"]
        for row in fallbacks:
            others = ", ".join(
                json.dumps(n, ensure_ascii=False) for n in names if n != row["layout"]
            )
            lines.append(
                f"  {row['kind']}: {json.dumps(row['layout'], ensure_ascii=False)}"
                f"  # a fallback; or one of: {others}"
            )
        snippet = "\n".join(lines)
    return {"choices": rows, "warnings": template_warnings(prs), "snippet": snippet}
