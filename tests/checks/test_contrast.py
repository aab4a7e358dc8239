"""Colour contrast: WCAG arithmetic, theme colours from the template, and text as it is shown."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from docx import Document as WordDocument
from docx.shared import Pt, RGBColor
from pptx import Presentation
from pptx.dml.color import RGBColor as PptxRGB
from pptx.enum.shapes import MSO_SHAPE
from pptx.util import Emu
from pptx.util import Pt as PptxPt

from generator.checks.contrast import (
    Scheme,
    contrast_ratio,
    deck_contrast,
    deck_texts,
    handout_contrast,
    is_large,
    parse_hex,
    required_ratio,
)
from generator.resources import default_templates_dir

DEFAULT_DECK = default_templates_dir() / "themes" / "default" / "deck.pptx"


def test_wcag_ratios() -> None:
    assert contrast_ratio((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast_ratio((255, 255, 255), (255, 255, 255)) == pytest.approx(1.0)
    # #767676 is the lightest grey that passes 4.5:1 on white; #777777 just fails.
    assert contrast_ratio(parse_hex("#767676"), (255, 255, 255)) >= 4.5
    assert contrast_ratio(parse_hex("#777777"), (255, 255, 255)) < 4.5
    assert is_large(18, False) and is_large(14, True) and not is_large(14, False)
    assert required_ratio(24, False) == 3.0 and required_ratio(11, True) == 4.5


def test_scheme_resolves_mapping_and_luminance_changes() -> None:
    theme = zipfile.ZipFile(DEFAULT_DECK).read("ppt/theme/theme1.xml")
    scheme = Scheme.from_theme(theme, {"tx1": "dk1", "bg1": "lt1"})
    assert scheme.slot("tx1") == scheme.colors["dk1"]
    assert scheme.slot("accent1") == scheme.colors["accent1"]
    from lxml import etree

    fill = etree.fromstring(
        '<a:solidFill xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        '<a:schemeClr val="tx1"><a:lumMod val="50000"/><a:lumOff val="50000"/></a:schemeClr>'
        "</a:solidFill>"
    )
    lighter = scheme.color(fill)
    assert lighter is not None and lighter != scheme.colors["dk1"]
    assert contrast_ratio(lighter, (255, 255, 255)) < contrast_ratio(
        scheme.colors["dk1"], (255, 255, 255)
    )


def _pale_template(tmp_path: Path, dk1: str = "D0D0D0") -> Path:
    """The default deck template with a colour scheme whose text colour (dk1) is pale grey."""
    target = tmp_path / "pale.pptx"
    with zipfile.ZipFile(DEFAULT_DECK) as src, zipfile.ZipFile(target, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("ppt/theme/theme"):
                text = data.decode("utf-8")
                text = re.sub(
                    r"<a:dk1>.*?</a:dk1>", f'<a:dk1><a:srgbClr val="{dk1}"/></a:dk1>', text, count=1
                )
                data = text.encode("utf-8")
            dst.writestr(item, data)
    return target


def _deck(template: Path) -> bytes:
    prs = Presentation(str(template))
    layout = next(
        (lay for lay in prs.slide_layouts if lay.placeholders and prs.slide_layouts.index(lay)),
        prs.slide_layouts[0],
    )
    slide = prs.slides.add_slide(layout)
    if slide.shapes.title is not None:
        slide.shapes.title.text = "A title"
    box = slide.shapes.add_textbox(Emu(914400), Emu(2743200), Emu(4572000), Emu(914400))
    box.text_frame.text = "Body text in the theme's text colour"
    box.text_frame.paragraphs[0].runs[0].font.size = PptxPt(16)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def test_theme_text_colour_from_the_template_scheme_is_checked(tmp_path: Path) -> None:
    good = deck_contrast(_deck(DEFAULT_DECK))
    assert good == []
    bad = deck_contrast(_deck(_pale_template(tmp_path)), {"#D0D0D0": "theme.yaml colors.text"})
    assert bad, "pale text on white must fail"
    assert all(i.severity == "error" and i.rule == "contrast" for i in bad)
    assert "theme.yaml colors.text #D0D0D0" in bad[0].message
    assert bad[0].where.startswith("slide 1")


def test_text_on_a_filled_shape_uses_the_fill(tmp_path: Path) -> None:
    prs = Presentation(str(DEFAULT_DECK))
    slide = prs.slides.add_slide(prs.slide_layouts[0])
    band = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, prs.slide_width, Emu(2000000))
    band.fill.solid()
    band.fill.fore_color.rgb = PptxRGB(0x0B, 0x53, 0x94)
    label = slide.shapes.add_textbox(Emu(500000), Emu(500000), Emu(4000000), Emu(800000))
    label.text_frame.text = "Dark text on a dark band"
    run = label.text_frame.paragraphs[0].runs[0]
    run.font.size = PptxPt(14)
    run.font.color.rgb = PptxRGB(0x1A, 0x1A, 0x1A)
    out = io.BytesIO()
    prs.save(out)
    texts = [t for t in deck_texts(out.getvalue()) if t.text.startswith("Dark text")]
    assert texts[0].background.colors == ((0x0B, 0x53, 0x94),)
    issues = deck_contrast(out.getvalue())
    assert any("Dark text on a dark band" in i.message for i in issues)


def _handout(color: str | None, shading: str | None = None) -> bytes:
    doc = WordDocument()
    doc.add_heading("Kop", level=1)
    run = doc.add_paragraph().add_run("Lichtgrijze tekst op wit")
    run.font.size = Pt(10)
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    if shading:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        shd = OxmlElement("w:shd")
        shd.set(qn("w:val"), "clear")
        shd.set(qn("w:fill"), shading)
        run._r.get_or_add_rPr().append(shd)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_handout_text_colour_and_shading() -> None:
    assert handout_contrast(_handout(None)) == []  # automatic colour: always readable
    assert handout_contrast(_handout("595959")) == []  # 7:1 on white
    issues = handout_contrast(_handout("BBBBBB"))
    assert len(issues) == 1 and issues[0].where == "section 'Kop'"
    assert "#BBBBBB (from theme.yaml's colours) on #FFFFFF" in issues[0].message


def test_handout_contrast_names_the_template_style_a_colour_comes_from() -> None:
    """A light heading colour of the Word template is blamed on its style, not on theme.yaml."""
    doc = WordDocument()
    doc.styles["Heading 1"].font.color.rgb = RGBColor.from_string("C8C8FF")
    doc.add_heading("Lichte kop", level=1)
    out = io.BytesIO()
    doc.save(out)
    (issue,) = handout_contrast(out.getvalue())
    assert "(from the Word template's style 'Heading 1')" in issue.message
    assert issue.hint is not None and "'Heading 1'" in issue.hint
    assert handout_contrast(_handout("FFFFFF", shading="0B5394")) == []  # white on dark blue
    assert handout_contrast(_handout("1A1A1A", shading="0B5394"))  # near-black on dark blue
