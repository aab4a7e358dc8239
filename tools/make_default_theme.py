#!/usr/bin/env python3
"""Write the default theme: templates/themes/default/{deck.pptx, handout.docx, theme.yaml}.

Deterministic: the same python-pptx/python-docx versions give the same bytes on every run
(fixed document properties, fixed zip timestamps). Run from anywhere:

    python tools/make_default_theme.py [OUTPUT_DIR]

The deck starts from python-pptx's default template, the handout from python-docx's.
"""

from __future__ import annotations

import io
import sys
import zipfile
from datetime import datetime
from pathlib import Path

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as DOCX_RT
from docx.shared import Cm, Pt
from lxml import etree
from pptx import Presentation
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "templates" / "themes" / "default"

# The palette, shared by deck, handout and theme.yaml.
PRIMARY = "0B5394"  # municipal blue: dk2, accent1, headings
ACCENT = "E17000"  # orange: accent2
TEXT = "1A1A1A"  # dk1
BACKGROUND = "FFFFFF"  # lt1
FONT = "Calibri"  # metric-compatible with Carlito, which LibreOffice uses when Calibri is absent

CLR_SCHEME = {
    "dk1": TEXT,
    "lt1": BACKGROUND,
    "dk2": PRIMARY,
    "lt2": "E8EEF5",
    "accent1": PRIMARY,
    "accent2": ACCENT,
    "accent3": "3C7D3E",
    "accent4": "5F6B76",
    "accent5": "4A90C8",
    "accent6": "9C4F96",
    "hlink": PRIMARY,
    "folHlink": "6A3D9A",
}

SLIDE_WIDTH = 12192000  # 13.333 in
SLIDE_HEIGHT = 6858000  # 7.5 in
FIXED_TIME = datetime(2024, 1, 1, 0, 0, 0)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)

A = "http://schemas.openxmlformats.org/drawingml/2006/main"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _a(tag: str) -> str:
    return f"{{{A}}}{tag}"


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


# --------------------------------------------------------------------------- common


def _restyle_theme_part(part, theme_name: str) -> None:
    """Set colour scheme and major/minor latin fonts of a DrawingML theme part, in place."""
    element = getattr(part, "_element", None)  # python-pptx parses some theme parts
    if element is not None:
        _restyle_theme(element, theme_name)
        return
    root = etree.fromstring(part.blob)
    _restyle_theme(root, theme_name)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _restyle_theme(root: etree._Element, theme_name: str) -> None:
    root.set("name", theme_name)
    clr = root.find(f"{_a('themeElements')}/{_a('clrScheme')}")
    assert clr is not None
    clr.set("name", "Pitchkit")
    for slot, hexval in CLR_SCHEME.items():
        el = clr.find(_a(slot))
        assert el is not None, slot
        for child in list(el):
            el.remove(child)
        etree.SubElement(el, _a("srgbClr")).set("val", hexval)
    fonts = root.find(f"{_a('themeElements')}/{_a('fontScheme')}")
    assert fonts is not None
    fonts.set("name", "Pitchkit")
    for which in ("majorFont", "minorFont"):
        latin = fonts.find(f"{_a(which)}/{_a('latin')}")
        assert latin is not None
        latin.set("typeface", FONT)
        for attr in ("panose", "pitchFamily", "charset"):
            latin.attrib.pop(attr, None)


def _normalized_zip(data: bytes) -> bytes:
    """Same entries in the same order, with fixed timestamps, so reruns give equal bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


# --------------------------------------------------------------------------- deck


def _scale_x(element: etree._Element, factor: float) -> None:
    """Scale x offset and width of every explicit shape transform in a master or layout."""
    sp_tree = element.find(f"{qn('p:cSld')}/{qn('p:spTree')}")
    assert sp_tree is not None
    for xfrm in sp_tree.iter(_a("xfrm")):
        off, ext = xfrm.find(_a("off")), xfrm.find(_a("ext"))
        if off is None or ext is None or ext.get("cx") == "0":
            continue  # the group's own zero transform
        off.set("x", str(round(int(off.get("x", "0")) * factor)))
        ext.set("cx", str(round(int(ext.get("cx", "0")) * factor)))


def _left_align_title_slide(layout_el: etree._Element) -> None:
    """Title Slide: title and subtitle left-aligned and starting at the same x."""
    title_xfrm = None
    for sp in layout_el.iter(qn("p:sp")):
        ph = sp.find(f"{qn('p:nvSpPr')}/{qn('p:nvPr')}/{qn('p:ph')}")
        if ph is None:
            continue
        kind = ph.get("type")
        xfrm = sp.find(f"{qn('p:spPr')}/{_a('xfrm')}")
        lst = sp.find(f"{qn('p:txBody')}/{_a('lstStyle')}")
        if kind == "ctrTitle":
            title_xfrm = xfrm
            if lst is not None and len(lst) == 0:
                etree.SubElement(lst, _a("lvl1pPr")).set("algn", "l")
        elif kind == "subTitle" and lst is not None:
            for lvl in lst:
                if lvl.get("algn") == "ctr":
                    lvl.set("algn", "l")
            if title_xfrm is not None and xfrm is not None:
                t_off, t_ext = title_xfrm.find(_a("off")), title_xfrm.find(_a("ext"))
                off, ext = xfrm.find(_a("off")), xfrm.find(_a("ext"))
                assert (
                    t_off is not None and t_ext is not None and off is not None and ext is not None
                )
                off.set("x", t_off.get("x", "0"))
                ext.set("cx", t_ext.get("cx", "0"))


# Sizes for a pitch slide (python-pptx's template has 44 pt titles and 32 pt text, meant for a
# few words): pitchkit measures text between these and its minimums.
TITLE_SIZE = 3600
BODY_SIZES = (2400, 2000, 1800, 1600, 1600)


def _style_master_titles(master_el: etree._Element) -> None:
    """Master title style: left-aligned, 36 pt, in the theme's dark blue (tx2 = dk2);
    body levels 24, 20, 18, 16, 16 pt."""
    lvl1 = master_el.find(f"{qn('p:txStyles')}/{qn('p:titleStyle')}/{_a('lvl1pPr')}")
    assert lvl1 is not None
    lvl1.set("algn", "l")
    defrpr = lvl1.find(_a("defRPr"))
    assert defrpr is not None
    defrpr.set("sz", str(TITLE_SIZE))
    clr = lvl1.find(f"{_a('defRPr')}/{_a('solidFill')}/{_a('schemeClr')}")
    assert clr is not None
    clr.set("val", "tx2")
    body = master_el.find(f"{qn('p:txStyles')}/{qn('p:bodyStyle')}")
    assert body is not None
    for level, size in enumerate(BODY_SIZES, 1):
        rpr = body.find(f"{_a(f'lvl{level}pPr')}/{_a('defRPr')}")
        assert rpr is not None
        rpr.set("sz", str(size))


def _drop_thumbnail(package) -> None:
    """python-pptx's thumbnail shows its old 4:3 sample; a template needs none."""
    for rId, rel in list(package._rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package._rels.pop(rId)


def make_deck() -> bytes:
    prs = Presentation()
    factor = SLIDE_WIDTH / prs.slide_width
    prs.slide_width = SLIDE_WIDTH
    prs.slide_height = SLIDE_HEIGHT

    master = prs.slide_master
    _scale_x(master._element, factor)
    _style_master_titles(master._element)
    for layout in master.slide_layouts:
        _scale_x(layout._element, factor)
        if any(ph.placeholder_format.type == 3 for ph in layout.placeholders):  # CENTER_TITLE
            _left_align_title_slide(layout._element)

    # Create the notes master once (python-pptx would otherwise build it lazily per deck),
    # via a throw-away slide that is then removed properly: sldId and relationship.
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    slide.notes_slide  # noqa: B018 - creates notes master + notes slide
    sld_id_lst = prs.slides._sldIdLst
    for sld_id in list(sld_id_lst):
        rid = sld_id.rId
        sld_id_lst.remove(sld_id)
        prs.part.drop_rel(rid)
    pres_el = prs.part._element
    pres_el.remove(sld_id_lst)  # an empty list says nothing; python-pptx re-adds it on add_slide
    sld_sz = pres_el.find(qn("p:sldSz"))
    sld_sz.attrib.pop("type", None)  # was "screen4x3"; absent means custom, as PowerPoint's 16:9
    # python-pptx relates the notes master but does not list it; PowerPoint expects the list.
    nm_rid = next(r for r, rel in prs.part.rels.items() if rel.reltype == RT.NOTES_MASTER)
    if pres_el.find(qn("p:notesMasterIdLst")) is None:
        lst = etree.Element(qn("p:notesMasterIdLst"))
        etree.SubElement(lst, qn("p:notesMasterId")).set(qn("r:id"), nm_rid)
        pres_el.find(qn("p:sldMasterIdLst")).addnext(lst)

    # Theme colours and fonts, for the slide master's theme and the notes master's.
    notes_master_part = prs.part.part_related_by(RT.NOTES_MASTER)
    for owner in (master.part, notes_master_part):
        _restyle_theme_part(owner.part_related_by(RT.THEME), "Pitchkit Standaard")

    package = prs.part.package
    _drop_thumbnail(package)
    for part in package.iter_parts():
        if part.partname == "/docProps/app.xml":
            part.blob = (
                part.blob.replace(b"On-screen Show (4:3)", b"Widescreen")
                .replace(b"Office Theme", b"Pitchkit Standaard")
                .replace(
                    b"<Application>Microsoft Macintosh PowerPoint</Application>",
                    b"<Application>pitchkit</Application>",
                )
            )

    cp = prs.core_properties
    cp.title = "Standaard"
    cp.author = "pitchkit"
    cp.last_modified_by = "pitchkit"
    cp.comments = "pitchkit default theme (tools/make_default_theme.py)"
    cp.revision = 1
    cp.created = FIXED_TIME
    cp.modified = FIXED_TIME

    buf = io.BytesIO()
    prs.save(buf)
    return _normalized_zip(buf.getvalue())


# --------------------------------------------------------------------------- handout


def _set_rfonts(rpr: etree._Element, name: str) -> None:
    """Explicit latin font; theme-font attributes would override it, so they go."""
    rfonts = rpr.find(_w("rFonts"))
    if rfonts is None:
        rfonts = etree.Element(_w("rFonts"))
        rpr.insert(0, rfonts)
    for attr in ("asciiTheme", "hAnsiTheme"):
        rfonts.attrib.pop(_w(attr), None)
    rfonts.set(_w("ascii"), name)
    rfonts.set(_w("hAnsi"), name)


def _set_color(rpr: etree._Element, hexval: str) -> None:
    color = rpr.find(_w("color"))
    if color is None:
        return
    for attr in ("themeColor", "themeShade", "themeTint"):
        color.attrib.pop(_w(attr), None)
    color.set(_w("val"), hexval)


def make_handout() -> bytes:
    doc = docx.Document()
    section = doc.sections[0]
    section.page_width = Cm(21.0)
    section.page_height = Cm(29.7)
    for side in ("top_margin", "bottom_margin", "left_margin", "right_margin"):
        setattr(section, side, Cm(1.8))
    section.header_distance = Cm(0.9)
    section.footer_distance = Cm(0.9)

    styles_el = doc.styles.element
    rpr_default = styles_el.find(f"{_w('docDefaults')}/{_w('rPrDefault')}/{_w('rPr')}")
    assert rpr_default is not None
    _set_rfonts(rpr_default, FONT)
    for tag in ("sz", "szCs"):
        el = rpr_default.find(_w(tag))
        assert el is not None
        el.set(_w("val"), "21")  # half-points: 10.5 pt
    lang = rpr_default.find(_w("lang"))
    assert lang is not None
    lang.set(_w("val"), "nl-NL")  # eastAsia and bidi stay as they are
    ppr_default = styles_el.find(f"{_w('docDefaults')}/{_w('pPrDefault')}/{_w('pPr')}")
    assert ppr_default is not None
    spacing = ppr_default.find(_w("spacing"))
    assert spacing is not None
    spacing.attrib.clear()
    spacing.set(_w("before"), "0")
    spacing.set(_w("after"), "80")  # 4 pt
    spacing.set(_w("line"), "252")  # 1.05 x 240
    spacing.set(_w("lineRule"), "auto")

    normal = doc.styles["Normal"]
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.05

    headings = {  # style: (size pt, space before pt, space after pt)
        "Heading 1": (18, 0, 4),
        "Heading 2": (12, 8, 2),
        "Heading 3": (10.5, 6, 2),
    }
    for name, (size, before, after) in headings.items():
        style = doc.styles[name]
        style.font.size = Pt(size)
        style.paragraph_format.space_before = Pt(before)
        style.paragraph_format.space_after = Pt(after)
        style.paragraph_format.line_spacing = 1.0
        for el in (style.element, doc.styles[name + " Char"].element):
            rpr = el.find(_w("rPr"))
            assert rpr is not None
            _set_rfonts(rpr, FONT)
            _set_color(rpr, PRIMARY)
        doc.styles[name + " Char"].font.size = Pt(size)
    assert doc.styles["List Bullet"] is not None

    # Nothing visible in the body: only the section properties.
    body = doc.element.body
    for child in list(body):
        if child.tag != _w("sectPr"):
            body.remove(child)

    _restyle_theme_part(doc.part.part_related_by(DOCX_RT.THEME), "Pitchkit Standaard")

    # stylesWithEffects.xml is Word 2010's copy of styles.xml (430 kB); nothing reads it any more.
    for rId, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            del doc.part.rels[rId]
    package = doc.part.package
    for rId, rel in list(package.rels.items()):
        if rel.reltype == DOCX_RT.THUMBNAIL:
            del package.rels[rId]

    cp = doc.core_properties
    cp.title = "Standaard"
    cp.author = "pitchkit"
    cp.last_modified_by = "pitchkit"
    cp.comments = "pitchkit default theme (tools/make_default_theme.py)"
    cp.revision = 1
    cp.created = FIXED_TIME
    cp.modified = FIXED_TIME

    buf = io.BytesIO()
    doc.save(buf)
    return _normalized_zip(buf.getvalue())


# --------------------------------------------------------------------------- theme.yaml

THEME_YAML = f"""\
# Thema "Standaard": de huisstijl die pitchkit gebruikt als er niets anders is gekozen.
#
# Zo werkt een thema (een map met dit bestand, deck.pptx en handout.docx):
#   name     de naam van het thema, zoals pitchkit die laat zien.
#   colors   kleuren als hexcode (#RRGGBB):
#              primary     hoofdkleur: titels, koppen, lijnen;
#              accent      tweede kleur: accenten, grafieken;
#              text        kleur van de gewone tekst;
#              background  achtergrond van dia's en pagina's.
#   fonts    lettertypen: heading voor titels en koppen, body voor de lopende tekst.
#            Gebruik een lettertype dat op elke computer staat.
#   logo     (optioneel) bestandsnaam van het logo in deze map, bijvoorbeeld logo.png.
#   layouts  welke dia-indeling uit deck.pptx bij welk soort dia hoort.
#            pitchkit kiest dat zelf. Vul dit alleen in waar die keuze fout is,
#            bijvoorbeeld:  layouts: {{title: Titeldia, bullets: Titel en inhoud}}
#            Soorten: title, section, bullets, two-columns, image, title-only, blank.
#            Zie `pitchkit templates deck.pptx` voor de namen van de indelingen.
#
# Ontbreekt een bestand of sleutel, dan komt die uit dit standaardthema.

name: Standaard
colors:
  primary: "#{PRIMARY}"
  accent: "#{ACCENT}"
  text: "#{TEXT}"
  background: "#{BACKGROUND}"
fonts:
  heading: {FONT}
  body: {FONT}
# layouts: alleen waar de automatische keuze fout is.
# De standaardsjabloon heeft een "Picture with Caption"-indeling met de titel onderaan;
# een afbeelding komt hier beter op "Title Only", met de titel bovenaan.
layouts:
  image: Title Only
"""


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    out.mkdir(parents=True, exist_ok=True)
    (out / "deck.pptx").write_bytes(make_deck())
    (out / "handout.docx").write_bytes(make_handout())
    (out / "theme.yaml").write_text(THEME_YAML, encoding="utf-8")
    for name in ("deck.pptx", "handout.docx", "theme.yaml"):
        print(out / name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
