"""The accessibility rules, each on a small document made for it (and on a real build)."""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document as WordDocument
from lxml import etree
from PIL import Image
from pptx import Presentation
from pptx.util import Emu

from generator.checks.accessibility import (
    Issue,
    deck_accessibility,
    handout_accessibility,
    slide_titles,
)
from generator.resources import default_templates_dir

DEFAULT_DECK = default_templates_dir() / "themes" / "default" / "deck.pptx"


def _png() -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 80, 0)).save(data, "PNG")
    data.seek(0)
    return data


def _title_layout(prs: Presentation) -> object:
    for layout in prs.slide_layouts:
        if any(
            p.placeholder_format.type is not None and "TITLE" in str(p.placeholder_format.type)
            for p in layout.placeholders
        ):
            return layout
    raise AssertionError("the default template has a layout with a title")


def _deck(*slides: dict[str, object]) -> bytes:
    """A deck with one slide per spec: title, picture alt (None: no alt), table header, ..."""
    prs = Presentation(str(DEFAULT_DECK))
    prs.core_properties.title = "Test"
    prs.core_properties.language = "nl-NL"
    for spec in slides:
        layout = _title_layout(prs) if spec.get("title") is not None else prs.slide_layouts[6]
        slide = prs.slides.add_slide(layout)
        for ph in list(slide.placeholders):
            if ph != slide.shapes.title:
                ph._element.getparent().remove(ph._element)
        if spec.get("title") is not None:
            slide.shapes.title.text = str(spec["title"])
        if "alt" in spec:
            pic = slide.shapes.add_picture(_png(), Emu(914400), Emu(1828800), Emu(914400))
            pic.name = "Impression"
            c_nv_pr = pic._element.nvPicPr.cNvPr
            c_nv_pr.attrib.pop("descr", None)  # python-pptx writes the file name there
            if spec["alt"] is not None:
                c_nv_pr.set("descr", str(spec["alt"]))
            if spec.get("decorative"):
                ext_lst = etree.SubElement(
                    pic._element.nvPicPr.cNvPr,
                    "{http://schemas.openxmlformats.org/drawingml/2006/main}extLst",
                )
                ext = etree.SubElement(
                    ext_lst, "{http://schemas.openxmlformats.org/drawingml/2006/main}ext"
                )
                ext.set("uri", "{C183D7F6-B498-43B3-948B-1728B52AA6E4}")
                dec = etree.SubElement(
                    ext, "{http://schemas.microsoft.com/office/drawing/2017/decorative}decorative"
                )
                dec.set("val", "1")
        if "header" in spec:
            frame = slide.shapes.add_table(
                3, 2, Emu(914400), Emu(1828800), Emu(4572000), Emu(1371600)
            )
            frame.name = "Costs"
            frame.table.first_row = bool(spec["header"])
        if "boxes" in spec:  # (name, top) in XML order
            for name, top in spec["boxes"]:  # type: ignore[attr-defined]
                box = slide.shapes.add_textbox(Emu(914400), Emu(top), Emu(4572000), Emu(457200))
                box.name = name
                box.text_frame.text = name
        for r in slide._element.iter("{http://schemas.openxmlformats.org/drawingml/2006/main}r"):
            rpr = r.get_or_add_rPr()
            rpr.set("lang", "nl-NL")
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def rules(issues: list[Issue], severity: str | None = None) -> list[str]:
    return [i.rule for i in issues if severity is None or i.severity == severity]


def test_a_clean_deck_has_no_issues() -> None:
    data = _deck(
        {"title": "Eén", "alt": "Lantaarnpalen in de binnenstad bij nacht"},
        {"title": "Twee", "header": True},
    )
    assert deck_accessibility(data) == []
    assert slide_titles(data) == ["Eén", "Twee"]


def test_picture_without_alt_or_with_a_file_name_is_an_error() -> None:
    issues = deck_accessibility(
        _deck(
            {"title": "A", "alt": None},
            {"title": "B", "alt": "IMG_0042.JPG"},
            {"title": "C", "alt": "", "decorative": True},
        )
    )
    alt = [i for i in issues if i.rule == "alt-text"]
    assert [(i.severity, i.where, i.field) for i in alt] == [
        ("error", "slide 1 'A'", "picture 'Impression'"),
        ("error", "slide 2 'B'", "picture 'Impression'"),
    ]
    assert "no alt text" in alt[0].message and "file name" in alt[1].message
    assert alt[1].subject == "IMG_0042.JPG"


def test_titles_missing_and_duplicate() -> None:
    issues = deck_accessibility(
        _deck(
            {"title": None, "boxes": [("Text", 914400)]}, {"title": "Kosten"}, {"title": "kosten "}
        )
    )
    assert ("error", "slide-title", "slide 1") in [(i.severity, i.rule, i.where) for i in issues]
    dup = [i for i in issues if i.rule == "duplicate-title"]
    assert len(dup) == 1 and dup[0].where == "slide 3 'kosten'" and dup[0].severity == "warning"
    assert "slide 2" in dup[0].message


def test_table_without_header_row() -> None:
    issues = deck_accessibility(_deck({"title": "T", "header": False}))
    assert rules(issues, "error") == ["table-header"]
    assert issues[0].field == "table 'Costs'"


def test_reading_order_follows_what_is_seen() -> None:
    fine = deck_accessibility(
        _deck({"title": "T", "boxes": [("Top", 1828800), ("Below", 2743200)]})
    )
    assert "reading-order" not in rules(fine)
    swapped = deck_accessibility(
        _deck({"title": "T", "boxes": [("Below", 2743200), ("Top", 1828800)]})
    )
    order = [i for i in swapped if i.rule == "reading-order"]
    assert len(order) == 1 and order[0].severity == "warning"
    assert order[0].field == "'Below'" and "'Top'" in order[0].message


def test_deck_without_language() -> None:
    prs = Presentation(str(DEFAULT_DECK))
    slide = prs.slides.add_slide(_title_layout(prs))
    slide.shapes.title.text = "Zonder taal"
    out = io.BytesIO()
    prs.save(out)
    assert "language" in rules(deck_accessibility(out.getvalue()), "error")


def _handout(build) -> bytes:  # type: ignore[no-untyped-def]
    doc = WordDocument()
    doc.core_properties.title = "Handout"
    build(doc)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _set_language(doc) -> None:  # type: ignore[no-untyped-def]
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rpr = doc.styles.element.find(
        qn("w:docDefaults") + "/" + qn("w:rPrDefault") + "/" + qn("w:rPr")
    )
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "nl-NL")
    rpr.append(lang)


def test_handout_headings_tables_language_pictures_links() -> None:
    def good(doc) -> None:  # type: ignore[no-untyped-def]
        _set_language(doc)
        doc.add_heading("Titel", level=0)
        doc.add_heading("Waarom", level=1)
        doc.add_heading("Details", level=2)
        table = doc.add_table(rows=2, cols=2)
        from docx.oxml import OxmlElement

        header = OxmlElement("w:tblHeader")
        table.rows[0]._tr.get_or_add_trPr().append(header)
        pic = doc.add_paragraph().add_run().add_picture(_png())
        pic._inline.docPr.set("descr", "Kaart van de binnenstad")

    assert handout_accessibility(_handout(good)) == []

    def bad(doc) -> None:  # type: ignore[no-untyped-def]
        for lang in doc.styles.element.iter(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}lang"
        ):
            lang.getparent().remove(lang)  # python-docx's template says en-US
        doc.add_heading("Waarom", level=1)
        doc.add_heading("Te diep", level=3)
        doc.add_table(rows=3, cols=2)
        doc.add_paragraph().add_run().add_picture(_png())
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        p = doc.add_paragraph()
        link = OxmlElement("w:hyperlink")
        run = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = "klik hier"
        run.append(text)
        link.append(run)
        link.set(qn("w:anchor"), "x")
        p._p.append(link)

    issues = handout_accessibility(_handout(bad))
    found = {(i.severity, i.rule) for i in issues}
    assert found == {
        ("error", "language"),
        ("warning", "heading-order"),
        ("error", "table-header"),
        ("error", "alt-text"),
        ("warning", "link-text"),
    }
    skipped = next(i for i in issues if i.rule == "heading-order")
    assert skipped.where == "section 'Te diep'"
    table = next(i for i in issues if i.rule == "table-header")
    assert table.where == "section 'Te diep'"


def test_the_example_documents(built: Path) -> None:
    """The example's decks and handouts: every picture has alt text, every slide a title."""
    for path in sorted(built.rglob("*.pptx")):
        issues = deck_accessibility(path.read_bytes())
        assert not [i for i in issues if i.rule in ("alt-text", "slide-title", "language")], path
    for path in sorted(built.rglob("*.docx")):
        issues = handout_accessibility(path.read_bytes())
        assert not [i for i in issues if i.rule in ("alt-text", "language", "heading-order")], path
