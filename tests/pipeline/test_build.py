"""End to end: the example content built, read back with python-pptx and python-docx."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from docx import Document
from pptx import Presentation

from generator.errors import ContentError
from generator.pipeline.build import build
from tests.conftest import MINIMAL_PROJECT, write

NL = "slimme-verlichting"
EN = "smart-bins"


def deck(built: Path, project: str, audience: str) -> Presentation:
    return Presentation(str(built / project / f"{project}-{audience}-pitch.pptx"))


def handout(built: Path, project: str, audience: str) -> Document:
    return Document(str(built / project / f"{project}-{audience}-handout.docx"))


def slide_titles(prs: Presentation) -> list[str]:
    return [s.shapes.title.text if s.shapes.title is not None else "" for s in prs.slides]


def all_text(prs: Presentation) -> str:
    return "\n".join(
        sh.text_frame.text for s in prs.slides for sh in s.shapes if sh.has_text_frame
    ) + "\n".join(
        c.text
        for s in prs.slides
        for sh in s.shapes
        if sh.has_table
        for r in sh.table.rows
        for c in r.cells
    )


@pytest.mark.parametrize("project", [NL, EN])
@pytest.mark.parametrize("audience", ["supporters", "doubters"])
def test_every_slide_has_a_title_and_notes(built: Path, project: str, audience: str) -> None:
    prs = deck(built, project, audience)
    assert prs.slide_width == 12192000 and prs.slide_height == 6858000
    for number, slide in enumerate(prs.slides, 1):
        assert slide.shapes.title is not None and slide.shapes.title.text.strip(), number
        assert slide.has_notes_slide and slide.notes_slide.notes_text_frame.text.strip(), number


def test_supporters_get_a_short_enthusing_deck(built: Path) -> None:
    prs = deck(built, NL, "supporters")
    assert len(prs.slides) <= 12
    titles = slide_titles(prs)
    assert titles[0] == "Slimme openbare verlichting"
    assert "Wat het oplevert" in titles and titles[-1] == "Wat we van u vragen"
    for absent in ("Risico's en maatregelen", "Overwogen alternatieven", "Waardenweegschaal"):
        assert absent not in titles


BACKUP = "{http://schemas.openxmlformats.org/presentationml/2006/main}cSld"


def test_doubters_get_the_bigger_picture_and_backup(built: Path) -> None:
    prs = deck(built, NL, "doubters")
    titles = slide_titles(prs)
    for present in (
        "Het grotere plaatje",
        "Waardenweegschaal",
        "Risico's en maatregelen",
        "Overwogen alternatieven",
        "Zes denkhoeden",
        "Kosten en dekking",
    ):
        assert present in titles
    assert "Agenda" not in titles  # a short deck
    closing = titles.index("Wat we van u vragen")
    assert closing + 1 <= 12
    assert titles[closing + 1 :] == [
        "Kosten en dekking",
        "Privacy",
        "Vragen en bezwaren (1/2)",
        "Vragen en bezwaren (2/2)",
    ]
    backup = {s.part.partname for s in prs.slides if s._element.find(BACKUP).get("name")}
    assert len(backup) == 4
    assert "Verwacht bezwaar:" in "\n".join(s.notes_slide.notes_text_frame.text for s in prs.slides)


def test_dutch_and_english_formats_and_language_tags(built: Path) -> None:
    nl = deck(built, NL, "doubters")
    assert "€\xa0250.000" in all_text(nl)
    assert nl.core_properties.language == "nl-NL"
    langs = {
        r.get("lang")
        for s in nl.slides
        for r in s._element.iter("{http://schemas.openxmlformats.org/drawingml/2006/main}rPr")
    }
    assert langs == {"nl-NL"}
    en = deck(built, EN, "doubters")
    assert "€486,000" in all_text(en)
    assert en.core_properties.language == "en-GB"
    doc = handout(built, EN, "doubters")
    assert "€486,000" in "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    styles = doc.styles.element.xml
    assert 'w:lang w:val="en-GB"' in styles


def test_pictures_and_charts_have_alt_text(built: Path) -> None:
    prs = deck(built, NL, "doubters")
    described = []
    for slide in prs.slides:
        for shape in slide.shapes:
            if shape.shape_type in (13,) or shape.has_chart:  # picture, chart
                descr = shape._element.find(".//{*}cNvPr").get("descr")
                assert descr, shape.name
                described.append(descr)
    assert any("lantaarn" in d.lower() or "straat" in d.lower() for d in described)
    assert any(d.startswith("Staafdiagram") for d in described)


def test_native_chart_and_table_where_the_data_is(built: Path) -> None:
    prs = deck(built, NL, "doubters")
    assert any(sh.has_chart for s in prs.slides for sh in s.shapes)
    assert any(sh.has_table for s in prs.slides for sh in s.shapes)


def test_handout_has_the_key_parts(built: Path) -> None:
    doc = handout(built, NL, "supporters")
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Met LED en slim dimmen" in text  # key message
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    # The numbers box opens the columns (left), the story follows: both after the headline.
    assert headings[0] == "Samen maken we het waar" and "Wat het oplevert" in headings
    assert "Wat u kunt doen" in headings  # what supporters can do, as on the deck
    assert doc.core_properties.title == "Slimme openbare verlichting"
    section = doc.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    qr = doc.element.body.xpath(".//wp:docPr")
    assert qr and all(d.get("descr") for d in qr)


def test_doubters_handout_differs(built: Path) -> None:
    doc = handout(built, NL, "doubters")
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert {"Vragen en bezwaren", "Risico's en maatregelen", "Overwogen alternatieven"} <= set(
        headings
    )
    assert "Wat u kunt doen" not in headings
    # what did not fit (here the bigger picture) is named, with where to find it
    more = next(p.text for p in doc.paragraphs if p.text.startswith("Meer: "))
    assert "het grotere plaatje" in more


def test_two_builds_give_the_same_bytes(workspace: Path, tmp_path: Path) -> None:
    build(workspace, out=tmp_path / "a", jobs=1)
    build(workspace, out=tmp_path / "b", jobs=1)
    for first in sorted((tmp_path / "a").rglob("*.*x")):
        second = tmp_path / "b" / first.relative_to(tmp_path / "a")
        assert first.read_bytes() == second.read_bytes(), first.name
    with zipfile.ZipFile(next((tmp_path / "a").rglob("*.pptx"))) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_content_error_leaves_earlier_output_untouched(workspace: Path) -> None:
    build(workspace, jobs=1)
    before = {p: p.read_bytes() for p in (workspace / "output").rglob("*.*x")}
    write(workspace / "content" / "p" / "project.yaml", MINIMAL_PROJECT + "benifits: []\n")
    with pytest.raises(ContentError):
        build(workspace, jobs=1)
    after = {p: p.read_bytes() for p in (workspace / "output").rglob("*.*x")}
    assert before == after


def test_minimal_content_builds(tmp_path: Path) -> None:
    write(tmp_path / "content" / "mini" / "project.yaml", MINIMAL_PROJECT)
    report = build(tmp_path, jobs=1)
    assert len(report.documents) == 5  # a deck and a handout per audience, the engagement plan
    prs = Presentation(str(tmp_path / "output/mini/mini-doubters-pitch.pptx"))
    assert slide_titles(prs)[0] == "Minimaal project"


def test_parallel_build_gives_the_same_bytes_as_serial(workspace: Path, tmp_path: Path) -> None:
    build(workspace, out=tmp_path / "serial", jobs=1)
    build(workspace, out=tmp_path / "parallel", jobs=2)
    for first in sorted((tmp_path / "serial").rglob("*.*x")):
        second = tmp_path / "parallel" / first.relative_to(tmp_path / "serial")
        assert first.read_bytes() == second.read_bytes()


def test_project_template_override_wins(workspace: Path) -> None:
    project = workspace / "content" / NL
    source = Path(__file__).parent.parent.parent / "templates" / "deck" / "blocks" / "story.yaml.j2"
    target = project / "templates" / "deck" / "blocks" / "story.yaml.j2"
    target.parent.mkdir(parents=True)
    shutil.copyfile(source, target)
    target.write_text(
        target.read_text().replace("title: {{ t.story }}", 'title: "Waarom juist nu?"')
    )
    build(workspace, jobs=1, audiences=["supporters"])
    prs = Presentation(str(workspace / f"output/{NL}/{NL}-supporters-pitch.pptx"))
    assert "Waarom juist nu?" in slide_titles(prs)


def test_quarters_are_written_as_people_write_them(built: Path) -> None:
    from docx import Document as WordDocument

    handout = WordDocument(str(built / NL / f"{NL}-supporters-handout.docx"))
    xml = handout.element.xml  # the timeline is drawn in cells and shapes: read all of it
    assert "Q4 2026" in xml and "2026-Q4" not in xml
    assert "2026-Q2" not in all_text(deck(built, NL, "supporters"))


def test_a_font_that_is_neither_shipped_nor_installed_gets_a_warning(tmp_path: Path) -> None:
    """Issue 11: such a font is measured as DejaVu Sans; the build says so, naming theme.yaml."""
    write(
        tmp_path / "templates" / "themes" / "eigen" / "theme.yaml",
        "fonts:\n  heading: Geen Bestaand Lettertype\n  body: Arial\n",
    )
    write(tmp_path / "content" / "mini" / "project.yaml", MINIMAL_PROJECT + "theme: eigen\n")
    report = build(tmp_path, jobs=1)
    fonts = [w for w in report.warnings if "Geen Bestaand Lettertype" in w.message]
    assert len(fonts) == 1
    assert fonts[0].file == tmp_path / "templates" / "themes" / "eigen" / "theme.yaml"
    assert "measured as DejaVu Sans" in fonts[0].message
    assert not [w for w in report.warnings if "'Arial'" in w.message]  # shipped: Liberation Sans
