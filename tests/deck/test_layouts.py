"""Layout matching (generator/deck/layouts.py) on templates from several producers, and the
default theme files written by tools/make_default_theme.py."""

from __future__ import annotations

import importlib.util
import io
import posixpath
import zipfile
from pathlib import Path

import docx
import pptx
import pytest
import yaml
from docx.shared import Cm, Pt
from lxml import etree
from pptx import Presentation
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn

from generator.deck.layouts import (
    SLIDE_KINDS,
    content_area,
    describe_template,
    match_layouts,
    open_template,
    placeholder_roles,
    remove_all_slides,
)
from generator.errors import TemplateError

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "themes"
MECANON = DATA / "mecanon" / "deck.potx"
LIBREOFFICE = DATA / "libreoffice" / "deck.pptx"
DEFAULT_THEME = ROOT / "templates" / "themes" / "default"
PPTX_DEFAULT = Path(pptx.__file__).parent / "templates" / "default.pptx"

A_NS = {"a": "http://schemas.openxmlformats.org/drawingml/2006/main"}

PYTHON_PPTX_TABLE = {
    "title": ("Title Slide", True),
    "section": ("Section Header", True),
    "bullets": ("Title and Content", True),
    "two-columns": ("Two Content", True),
    "image": ("Picture with Caption", True),
    "title-only": ("Title Only", True),
    "blank": ("Blank", True),
}

DUTCH = {
    "Title Slide": "Titeldia",
    "Title and Content": "Titel en inhoud",
    "Section Header": "Sectiekop",
    "Two Content": "Twee inhoudsdelen",
    "Comparison": "Vergelijking",
    "Title Only": "Alleen titel",
    "Blank": "Leeg",
    "Content with Caption": "Inhoud met bijschrift",
    "Picture with Caption": "Afbeelding met bijschrift",
    "Title and Vertical Text": "Titel en verticale tekst",
    "Vertical Title and Text": "Verticale titel en tekst",
}


def table(choices) -> dict[str, tuple[str, bool]]:
    return {kind: (c.layout.name, c.exact) for kind, c in choices.items()}


def saved(prs) -> bytes:
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def dangling_references(data: bytes) -> list[str]:
    """Internal relationships whose target is missing, and r:ids in presentation.xml
    without a relationship: what a strict reader would call a broken package."""
    zf = zipfile.ZipFile(io.BytesIO(data))
    names = set(zf.namelist())
    problems = []
    for rels_name in (n for n in names if n.endswith(".rels")):
        folder = posixpath.dirname(posixpath.dirname(rels_name))
        for rel in etree.fromstring(zf.read(rels_name)):
            if rel.get("TargetMode") == "External":
                continue
            target = posixpath.normpath(posixpath.join(folder, rel.get("Target"))).lstrip("/")
            if target not in names:
                problems.append(f"{rels_name}: {rel.get('Id')} -> {target}")
    pres = etree.fromstring(zf.read("ppt/presentation.xml"))
    rels = etree.fromstring(zf.read("ppt/_rels/presentation.xml.rels"))
    rids = {rel.get("Id") for rel in rels}
    for el in pres.iter():
        rid = el.get(qn("r:id"))
        if rid is not None and rid not in rids:
            problems.append(f"presentation.xml: {el.tag} r:id={rid}")
    return problems


def variant(
    src: Path,
    tmp_path: Path,
    *,
    rename: dict[str, str] | None = None,
    unnamed: bool = False,
    reverse: bool = False,
    keep: set[str] | None = None,
) -> Path:
    """A copy of `src` with layouts renamed, unnamed, reordered or removed."""
    prs = Presentation(str(src))
    for master in prs.slide_masters:
        id_lst = master._element.find(qn("p:sldLayoutIdLst"))
        for entry in list(id_lst):
            layout = master.part.related_slide_layout(entry.get(qn("r:id")))
            name = layout.name
            if keep is not None and name not in keep:
                id_lst.remove(entry)
                master.part.drop_rel(entry.get(qn("r:id")))
                continue
            c_sld = layout._element.find(qn("p:cSld"))
            if unnamed:
                c_sld.attrib.pop("name", None)
            elif rename:
                c_sld.set("name", rename.get(name, name))
        if reverse:
            entries = list(id_lst)
            for entry in entries:
                id_lst.remove(entry)
            for entry in reversed(entries):
                id_lst.append(entry)
    path = tmp_path / "variant.pptx"
    prs.save(str(path))
    return path


# --------------------------------------------------------------------------- matching


def test_python_pptx_default_template_matches_every_kind_exactly():
    prs = open_template(PPTX_DEFAULT)
    assert table(match_layouts(prs)) == PYTHON_PPTX_TABLE


def test_default_theme_deck_matches_every_kind_exactly():
    prs = open_template(DEFAULT_THEME / "deck.pptx")
    assert table(match_layouts(prs)) == PYTHON_PPTX_TABLE


def test_mecanon_potx_two_masters_portuguese_names():
    prs = open_template(MECANON)
    assert len(prs.slides) == 7
    choices = match_layouts(prs)
    title = "Título da Apresentação (Limpo - Logo Mecanon)"
    assert table(choices) == {
        "title": (title, True),  # CENTER_TITLE + two BODY placeholders as subtitle
        "section": (title, False),
        "bullets": ("Conteúdo", True),
        "two-columns": ("Conteúdo", False),
        "image": ("Conteúdo", False),
        "title-only": ("Conteúdo", False),
        "blank": ("Vazio com Bordas", True),
    }
    first_master = prs.slide_masters[0]
    assert all(c.layout.slide_master == first_master for c in choices.values())
    assert "subtitle" in choices["title"].reason
    assert "no picture placeholder" in choices["image"].reason


def test_libreoffice_template():
    prs = open_template(LIBREOFFICE)
    assert table(match_layouts(prs)) == {
        "title": ("Title Slide", True),  # TITLE (at the top) + SUBTITLE
        "section": ("Title Slide", False),
        "bullets": ("Title, Content", True),
        "two-columns": ("Title, 2 Content", True),
        "image": ("Title Only", False),
        "title-only": ("Title Only", True),
        "blank": ("Blank Slide", True),
    }


def test_libreoffice_placeholders_get_their_own_idx():
    """LibreOffice writes no idx, so every placeholder is idx 0; slide placeholders would then
    all inherit the title's position, and `shapes.title` could be a subtitle."""
    prs = open_template(LIBREOFFICE)
    remove_all_slides(prs)
    choices = match_layouts(prs)
    slide = prs.slides.add_slide(choices["title"].layout)
    roles = placeholder_roles(slide)
    (title,), (subtitle,) = roles["title"], roles["subtitle"]
    assert slide.shapes.title.shape_id == title.shape_id
    assert subtitle.top > title.top + title.height // 2
    slide = prs.slides.add_slide(choices["two-columns"].layout)
    left, right = placeholder_roles(slide)["body"]
    assert left.left + left.width <= right.left


@pytest.mark.parametrize("unnamed", [False, True], ids=["dutch-names", "unnamed"])
def test_names_and_order_do_not_matter(tmp_path, unnamed):
    path = variant(PPTX_DEFAULT, tmp_path, rename=DUTCH, unnamed=unnamed, reverse=True)
    prs = open_template(path)
    assert prs.slide_layouts[0].name != "Title Slide"
    choices = match_layouts(prs)
    # Identify each chosen layout by its position in the reversed list.
    originals = [layout.name for layout in Presentation(str(PPTX_DEFAULT)).slide_layouts][::-1]
    for kind, (name, exact) in PYTHON_PPTX_TABLE.items():
        position = list(prs.slide_layouts).index(choices[kind].layout)
        assert originals[position] == name, kind
        assert choices[kind].exact is exact
    if unnamed:
        assert "'layout " in choices["bullets"].reason


def test_only_blank_and_title_only_layouts(tmp_path):
    prs = open_template(variant(PPTX_DEFAULT, tmp_path, keep={"Title Only", "Blank"}))
    assert table(match_layouts(prs)) == {
        "title": ("Title Only", False),
        "section": ("Title Only", False),
        "bullets": ("Title Only", False),
        "two-columns": ("Title Only", False),
        "image": ("Title Only", False),
        "title-only": ("Title Only", True),
        "blank": ("Blank", True),
    }


def test_a_single_layout_serves_every_kind(tmp_path):
    prs = open_template(variant(PPTX_DEFAULT, tmp_path, keep={"Blank"}))
    choices = match_layouts(prs)
    assert {c.layout.name for c in choices.values()} == {"Blank"}
    assert [k for k, c in choices.items() if c.exact] == ["blank"]


def test_section_header_with_title_only_in_the_middle(tmp_path):
    """Google Slides' section header: one title placeholder, halfway down the slide."""
    prs = Presentation(str(PPTX_DEFAULT))
    section = next(layout for layout in prs.slide_layouts if layout.name == "Section Header")
    for ph in list(section.placeholders):
        if ph.placeholder_format.idx == 1:
            ph._element.getparent().remove(ph._element)
    title = section.placeholders[0]
    title.top = prs.slide_height // 2 - title.height // 2
    path = tmp_path / "google-like.pptx"
    prs.save(str(path))
    choices = match_layouts(open_template(path))
    assert table(choices)["section"] == ("Section Header", True)
    assert table(choices)["title-only"] == ("Title Only", True)


# --------------------------------------------------------------------------- overrides


def test_overrides_win_and_say_whether_they_fit(tmp_path):
    prs = open_template(variant(PPTX_DEFAULT, tmp_path, rename=DUTCH))
    choices = match_layouts(prs, {"bullets": "Twee inhoudsdelen", "title": "titeldia"})
    assert table(choices)["bullets"] == ("Twee inhoudsdelen", False)
    assert "theme.yaml" in choices["bullets"].reason
    assert table(choices)["title"] == ("Titeldia", True)
    assert table(choices)["two-columns"] == ("Twee inhoudsdelen", True)


def test_override_of_title_only_carries_into_fallbacks(tmp_path):
    prs = open_template(
        variant(PPTX_DEFAULT, tmp_path, keep={"Title Only", "Title and Content", "Blank"})
    )
    choices = match_layouts(prs, {"title-only": "Title and Content"})
    assert table(choices)["image"] == ("Title and Content", False)


def test_unknown_layout_name_lists_the_layouts(tmp_path):
    path = variant(PPTX_DEFAULT, tmp_path, rename=DUTCH)
    prs = open_template(path)
    with pytest.raises(TemplateError) as err:
        match_layouts(prs, {"bullets": "Titel met inhoud"})
    message = str(err.value)
    assert str(path) in message and "Titel met inhoud" in message
    assert "'Titel en inhoud'" in message and "'Leeg'" in message


def test_unknown_kind_in_overrides():
    prs = open_template(PPTX_DEFAULT)
    with pytest.raises(TemplateError, match="two-columns"):
        match_layouts(prs, {"chart": "Blank"})


def test_unnamed_layout_can_be_overridden_by_its_label(tmp_path):
    prs = open_template(variant(PPTX_DEFAULT, tmp_path, unnamed=True))
    choices = match_layouts(prs, {"blank": "layout 1"})
    assert choices["blank"].layout == prs.slide_layouts[0]
    assert not choices["blank"].exact


# --------------------------------------------------------------------------- opening, removing


def test_open_potx_remove_slides_save_reopen():
    prs = open_template(MECANON)
    remove_all_slides(prs)
    assert len(prs.slides) == 0
    match_layouts(prs)
    data = saved(prs)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert not [n for n in names if n.startswith(("ppt/slides/", "ppt/notesSlides/"))]
    assert dangling_references(data) == []
    types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml").decode()
    assert "presentationml.presentation.main+xml" in types and "template.main" not in types
    again = Presentation(io.BytesIO(data))
    assert len(again.slides) == 0
    assert len(again.slide_masters) == 2
    assert sum(len(m.slide_layouts) for m in again.slide_masters) == 13
    again.slides.add_slide(again.slide_layouts[0])  # and it still takes new slides


def test_remove_slides_also_removes_custom_shows_and_sections(tmp_path):
    prs = Presentation(str(PPTX_DEFAULT))
    for layout in list(prs.slide_layouts)[:2]:
        prs.slides.add_slide(layout).notes_slide.notes_text_frame.text = "notes"
    pres = prs.part._element
    rids = [s.rId for s in pres.find(qn("p:sldIdLst"))]
    ids = [s.get("id") for s in pres.find(qn("p:sldIdLst"))]
    p, r, p14 = (
        "http://schemas.openxmlformats.org/presentationml/2006/main",
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        "http://schemas.microsoft.com/office/powerpoint/2010/main",
    )
    shows = etree.fromstring(
        f'<p:custShowLst xmlns:p="{p}" xmlns:r="{r}"><p:custShow name="kort" id="0"><p:sldLst>'
        + "".join(f'<p:sld r:id="{rid}"/>' for rid in rids)
        + "</p:sldLst></p:custShow></p:custShowLst>"
    )
    pres.find(qn("p:defaultTextStyle")).addprevious(shows)
    ext = etree.fromstring(
        f'<p:extLst xmlns:p="{p}"><p:ext uri="{{521415D9-36F7-43E2-AB2F-B90AF26B5E84}}">'
        f'<p14:sectionLst xmlns:p14="{p14}"><p14:section name="Deel 1" '
        f'id="{{3F1E2E2A-1111-4C4C-9A9A-000000000001}}"><p14:sldIdLst>'
        + "".join(f'<p14:sldId id="{i}"/>' for i in ids)
        + "</p14:sldIdLst></p14:section></p14:sectionLst></p:ext></p:extLst>"
    )
    pres.append(ext)
    path = tmp_path / "with-sections.pptx"
    prs.save(str(path))

    prs = open_template(path)
    assert len(prs.slides) == 2
    remove_all_slides(prs)
    data = saved(prs)
    assert dangling_references(data) == []
    xml = zipfile.ZipFile(io.BytesIO(data)).read("ppt/presentation.xml")
    assert b"custShow" not in xml and b"sectionLst" not in xml
    assert len(Presentation(io.BytesIO(data)).slides) == 0


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "file not found"),
        (b"not a zip at all", "not a zip package"),
    ],
)
def test_open_template_errors(tmp_path, content, expected):
    path = tmp_path / "huisstijl.pptx"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(TemplateError) as err:
        open_template(path)
    assert str(path) in str(err.value) and expected in str(err.value)


def test_open_template_refuses_a_word_file():
    path = DEFAULT_THEME / "handout.docx"
    with pytest.raises(TemplateError) as err:
        open_template(path)
    assert "not a PowerPoint presentation" in str(err.value)
    assert "wordprocessingml" in str(err.value)


# --------------------------------------------------------------------------- geometry


@pytest.mark.parametrize(
    "path",
    [PPTX_DEFAULT, DEFAULT_THEME / "deck.pptx", MECANON, LIBREOFFICE],
    ids=["python-pptx", "default-theme", "mecanon", "libreoffice"],
)
def test_content_area_is_on_the_slide_and_clear_of_the_title(path):
    prs = open_template(path)
    for kind, choice in match_layouts(prs).items():
        left, top, width, height = content_area(prs, choice.layout)
        assert width > prs.slide_width // 4 and height > prs.slide_height // 10, kind
        assert left >= 0 and top >= 0, kind
        assert left + width <= prs.slide_width and top + height <= prs.slide_height, kind
        if kind in ("bullets", "two-columns", "title-only") or (
            kind == "image" and not choice.exact
        ):
            (title,) = placeholder_roles(choice.layout)["title"]
            assert top >= title.top + title.height // 2, kind


def test_content_area_values():
    prs = open_template(DEFAULT_THEME / "deck.pptx")
    choices = match_layouts(prs)
    (body,) = placeholder_roles(choices["bullets"].layout)["body"]
    assert content_area(prs, choices["bullets"].layout) == (
        body.left,
        body.top,
        body.width,
        body.height,
    )
    title = placeholder_roles(choices["title-only"].layout)["title"][0]
    master_body = next(p for p in prs.slide_master.placeholders if p.placeholder_format.idx == 1)
    left, top, width, height = content_area(prs, choices["title-only"].layout)
    assert (left, width) == (master_body.left, master_body.width)
    assert title.top + title.height < top < master_body.top + master_body.height // 4
    assert top + height == master_body.top + master_body.height


def test_describe_template():
    entries = describe_template(MECANON)
    masters = [e for e in entries if e["level"] == "master"]
    layouts = [e for e in entries if e["level"] == "layout"]
    assert len(masters) == 2 and len(layouts) == 13
    assert [e["layout"] for e in layouts] == list(range(1, 14))
    kinds = [k["kind"] for e in layouts for k in e["kinds"]]
    assert sorted(kinds) == sorted(SLIDE_KINDS)
    title_entry = next(e for e in layouts if any(k["kind"] == "title" for k in e["kinds"]))
    types = {ph["type"] for ph in title_entry["placeholders"]}
    assert {"CENTER_TITLE", "BODY"} <= types
    assert all(len(ph["box"]) == 4 for e in entries for ph in e["placeholders"])


# --------------------------------------------------------------------------- default theme


def _theme_xml(prs) -> etree._Element:
    return etree.fromstring(prs.slide_master.part.part_related_by(RT.THEME).blob)


def test_default_deck_template():
    prs = Presentation(str(DEFAULT_THEME / "deck.pptx"))
    assert (prs.slide_width, prs.slide_height) == (12192000, 6858000)
    assert len(prs.slides) == 0
    assert len(prs.slide_layouts) == 11
    prs.part.part_related_by(RT.NOTES_MASTER)  # present already, not made per deck
    assert prs.part._element.find(qn("p:notesMasterIdLst")) is not None
    theme = _theme_xml(prs)
    fonts = [theme.find(f".//a:{w}Font/a:latin", A_NS).get("typeface") for w in ("major", "minor")]
    assert fonts == ["Calibri", "Calibri"]
    colour = {
        slot: theme.find(f".//a:clrScheme/a:{slot}/a:srgbClr", A_NS).get("val")
        for slot in ("dk1", "lt1", "dk2", "accent1", "accent2")
    }
    assert colour == {
        "dk1": "1A1A1A",
        "lt1": "FFFFFF",
        "dk2": "0B5394",
        "accent1": "0B5394",
        "accent2": "E17000",
    }
    for shape_owner in [prs.slide_master, *prs.slide_layouts]:
        for ph in shape_owner.placeholders:
            assert ph.left >= 0 and ph.left + ph.width <= prs.slide_width, (
                shape_owner.name,
                ph.name,
            )
    title_style = prs.slide_master._element.find(
        f"{qn('p:txStyles')}/{qn('p:titleStyle')}/{qn('a:lvl1pPr')}"
    )
    assert title_style.get("algn") == "l"


def test_default_handout_template():
    document = docx.Document(str(DEFAULT_THEME / "handout.docx"))
    section = document.sections[0]
    assert abs(section.page_width - Cm(21.0)) < Cm(0.01)
    assert abs(section.page_height - Cm(29.7)) < Cm(0.01)
    for margin in (
        section.top_margin,
        section.bottom_margin,
        section.left_margin,
        section.right_margin,
    ):
        assert abs(margin - Cm(1.8)) < Cm(0.01)
    body = document.element.body
    assert [etree.QName(child).localname for child in body] == ["sectPr"]
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    rpr = document.styles.element.find(f"{w}docDefaults/{w}rPrDefault/{w}rPr")
    lang = rpr.find(f"{w}lang")
    assert lang.get(f"{w}val") == "nl-NL"
    assert lang.get(f"{w}eastAsia") == "en-US" and lang.get(f"{w}bidi") == "ar-SA"  # untouched
    assert rpr.find(f"{w}rFonts").get(f"{w}ascii") == "Calibri"
    assert rpr.find(f"{w}sz").get(f"{w}val") == "21"
    h1, h2 = document.styles["Heading 1"], document.styles["Heading 2"]
    assert h1.font.size == Pt(18) and str(h1.font.color.rgb) == "0B5394"
    assert h2.font.size == Pt(12) and h2.paragraph_format.space_before == Pt(8)
    assert h2.paragraph_format.space_after == Pt(2)
    normal = document.styles["Normal"].paragraph_format
    assert (normal.space_before, normal.space_after, normal.line_spacing) == (Pt(0), Pt(4), 1.05)
    assert document.styles["List Bullet"] is not None


def test_default_theme_yaml():
    spec = yaml.safe_load((DEFAULT_THEME / "theme.yaml").read_text(encoding="utf-8"))
    assert spec["name"] == "Standaard"
    assert spec["colors"] == {
        "primary": "#0B5394",
        "accent": "#E17000",
        "text": "#1A1A1A",
        "background": "#FFFFFF",
    }
    assert spec["fonts"] == {"heading": "Calibri", "body": "Calibri"}
    # Overrides, if any, name layouts the deck has.
    prs = open_template(DEFAULT_THEME / "deck.pptx")
    choices = match_layouts(prs, spec["layouts"] or {})
    for kind, name in (spec["layouts"] or {}).items():
        assert choices[kind].layout.name == name


def test_make_default_theme_is_deterministic():
    spec = importlib.util.spec_from_file_location(
        "make_default_theme", ROOT / "tools" / "make_default_theme.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.make_deck() == module.make_deck()
    assert module.make_handout() == module.make_handout()
