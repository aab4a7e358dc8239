"""Make the 'westerhaven' test theme: a municipality's own Word template, as foreign as they come.

Run from anywhere: ``python tests/data/themes/westerhaven/make.py``; it rewrites handout.docx and
logo.png beside this file (theme.yaml is written by hand). What makes the template foreign:

- US Letter paper, Word 2003's US margins (1 inch top and bottom, 1.25 inch left and right) and a
  line grid (``w:docGrid w:type="lines"``), where pitchkit wants A4 and free-flowing text;
- Dutch style ids, as Dutch Word writes them (``Standaard``, ``Kop1``, ``Titel``), with the
  built-in names (``heading 1``) kept, so styles are found by id or name, never by position;
- the second heading level is a custom style ("Tussenkop Westerhaven") known only by its outline
  level; no Subtitle, List Bullet or Table Grid style at all;
- its own fonts (Verdana body, Georgia headings: wide fonts that fill a page fast) and colours;
- a first-page header (``w:titlePg``) with the logo and the municipality's name, a plain header
  for later pages, and a footer with the postal address: pitchkit must keep all of it.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
TEAL = RGBColor(0x00, 0x61, 0x5C)

# Style ids as Dutch Word writes them; styles not listed keep their id.
RENAME = {
    "Normal": "Standaard",
    "Heading1": "Kop1",
    "Heading3": "Kop3",
    "Title": "Titel",
    "Header": "Koptekst",
    "Footer": "Voettekst",
    "NoSpacing": "Geenafstand",
}
_REFS = "(?:basedOn|next|link|pStyle|rStyle|tblStyle)"
# Styles a plain Dutch municipal template does not have.
DROP = ("Subtitle", "SubtitleChar", "ListBullet", "TableGrid", "Heading2", "Heading2Char")


def make_logo() -> bytes:
    """A teal shield with a white W: a stand-in logo, drawn with lines (the same on any machine)."""
    img = Image.new("RGBA", (360, 400), (255, 255, 255, 0))
    draw = ImageDraw.Draw(img)
    draw.polygon([(20, 20), (340, 20), (340, 220), (180, 380), (20, 220)], fill=(0, 97, 92, 255))
    draw.line([(80, 90), (125, 270), (180, 150), (235, 270), (280, 90)], fill="white", width=34)
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue()


def make_template(logo: bytes) -> bytes:
    doc = docx.Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.59), Cm(27.94)  # US Letter
    section.top_margin = section.bottom_margin = Cm(2.54)
    section.left_margin = section.right_margin = Cm(3.175)
    section.header_distance = section.footer_distance = Cm(1.27)
    grid = section._sectPr.find(qn("w:docGrid"))
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), "360")

    styles = doc.styles
    normal = styles["Normal"]
    _font(normal, "Verdana")
    normal.font.size = Pt(10)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    for name, size in (("Title", 24), ("Heading 1", 15)):
        style = styles[name]
        _font(style, "Georgia")
        style.font.size = Pt(size)
        style.font.bold = name != "Title"
        style.font.color.rgb = TEAL
    # The second heading level: a custom style, known to Word (and pitchkit) by its outline level.
    sub = styles.add_style("Tussenkop Westerhaven", 1)
    sub.base_style = normal
    _font(sub, "Georgia")
    sub.font.size = Pt(12)
    sub.font.bold = True
    sub.font.color.rgb = TEAL
    sub.paragraph_format.space_before = Pt(10)
    sub.paragraph_format.keep_with_next = True
    ppr = sub.element.get_or_add_pPr()
    outline = OxmlElement("w:outlineLvl")
    outline.set(qn("w:val"), "1")
    ppr.append(outline)

    # First page: logo and name; later pages: the name only; every page: the postal address.
    section.different_first_page_header_footer = True
    first = section.first_page_header.paragraphs[0]
    first.add_run().add_picture(io.BytesIO(logo), height=Cm(1.6))
    name = first.add_run("\tGemeente Westerhaven")
    name.font.size, name.font.bold, name.font.color.rgb = Pt(14), True, TEAL
    section.header.paragraphs[0].text = "Gemeente Westerhaven"
    for footer in (section.first_page_footer, section.footer):
        p = footer.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run("Gemeente Westerhaven · Postbus 10 · 1790 AA Westerhaven · westerhaven.nl")
        run.font.size = Pt(7.5)

    # A letter body the handout must replace.
    doc.add_paragraph("Onderwerp: ...", style="Heading 1")
    doc.add_paragraph("Geachte heer, mevrouw,")

    doc.core_properties.title = "Sjabloon Gemeente Westerhaven"
    doc.core_properties.author = "Gemeente Westerhaven"
    out = io.BytesIO()
    doc.save(out)
    return _dutch_ids(out.getvalue())


def _font(style: docx.styles.style.BaseStyle, name: str) -> None:
    """Set a style's font; theme font references would win over it in Word, so drop them."""
    style.font.name = name
    rfonts = style.element.rPr.find(qn("w:rFonts"))
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        rfonts.attrib.pop(qn(f"w:{attr}"), None)


def _dutch_ids(data: bytes) -> bytes:
    """Rename style ids as Dutch Word does and drop the styles listed in DROP, everywhere."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            blob = source.read(info.filename)
            if info.filename.startswith("word/") and info.filename.endswith(".xml"):
                text = blob.decode("utf-8")
                if info.filename == "word/styles.xml":
                    for style_id in DROP:
                        text = re.sub(
                            rf'<w:style [^>]*w:styleId="{style_id}".*?</w:style>',
                            "",
                            text,
                            flags=re.S,
                        )
                for old, new in RENAME.items():
                    # Ids and references to them; the names (w:name) stay, as in Dutch Word.
                    text = re.sub(rf'(w:styleId="){old}"', rf'\g<1>{new}"', text)
                    text = re.sub(rf'(<w:{_REFS} w:val="){old}"', rf'\g<1>{new}"', text)
                blob = text.encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, blob)
    return out.getvalue()


if __name__ == "__main__":
    logo = make_logo()
    (HERE / "logo.png").write_bytes(logo)
    (HERE / "handout.docx").write_bytes(make_template(logo))
    print("wrote", HERE / "logo.png", HERE / "handout.docx")
