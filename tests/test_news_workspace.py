"""End to end on two projects written from real news (tests/data/workspaces/news): a long Dutch one
that uses nearly every field and a shorter English one. Built, read back with python-pptx and
python-docx, and every package checked the way a strict reader opens it (zip, content types,
relationships, well-formed XML). CI also runs the ECMA-376 schema check over this build.
"""

from __future__ import annotations

import posixpath
import shutil
import zipfile
from pathlib import Path

import pytest
from docx import Document
from lxml import etree
from pptx import Presentation

from generator.pipeline.build import build

NEWS = Path(__file__).resolve().parent / "data" / "workspaces" / "news"
NL = "slim-parkeren-damcentrum"
EN = "crowd-monitoring-boulevard"
AUDIENCES = ("supporters", "doubters")


@pytest.fixture(scope="module")
def news_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of one build of the news workspace."""
    root = tmp_path_factory.mktemp("news")
    shutil.copytree(NEWS / "content", root / "content")
    build(root, jobs=2)
    return root / "output"


def package_problems(path: Path) -> list[str]:
    """What a strict reader would refuse in an OOXML package: a bad zip, a part without a content
    type, an internal relationship to a missing part, XML that is not well-formed."""
    problems = []
    with zipfile.ZipFile(path) as z:
        if z.testzip() is not None:
            return [f"{path.name}: corrupt zip member"]
        names = set(z.namelist())
        types = etree.fromstring(z.read("[Content_Types].xml"))
        defaults = {e.get("Extension").lower() for e in types if e.tag.endswith("Default")}
        overrides = {e.get("PartName") for e in types if e.tag.endswith("Override")}
        for name in names:
            if name.endswith("/"):
                continue
            ext = name.rsplit(".", 1)[-1].lower()
            typed = f"/{name}" in overrides or ext in defaults
            if name != "[Content_Types].xml" and not typed:
                problems.append(f"{name}: no content type")
            if name.endswith((".xml", ".rels")):
                try:
                    etree.fromstring(z.read(name))
                except etree.XMLSyntaxError as exc:
                    problems.append(f"{name}: {exc}")
            if name.endswith(".rels"):
                base = posixpath.dirname(posixpath.dirname(name))
                for rel in etree.fromstring(z.read(name)):
                    if rel.get("TargetMode") == "External":
                        continue
                    target = rel.get("Target")
                    part = (
                        target.lstrip("/")
                        if target.startswith("/")
                        else posixpath.normpath(posixpath.join(base, target))
                    )
                    if part not in names:
                        problems.append(f"{name}: relationship to missing part {target}")
    return problems


def test_every_document_is_built_and_opens_cleanly(news_built: Path) -> None:
    expected = [news_built / "programme.pptx"] + [
        news_built / p / f"{p}-{a}-{kind}"
        for p in (NL, EN)
        for a in AUDIENCES
        for kind in ("pitch.pptx", "handout.docx")
    ]
    for path in expected:
        assert path.is_file(), path
        assert package_problems(path) == [], path


@pytest.mark.parametrize("project", [NL, EN])
@pytest.mark.parametrize("audience", AUDIENCES)
def test_decks_read_back(news_built: Path, project: str, audience: str) -> None:
    prs = Presentation(str(news_built / project / f"{project}-{audience}-pitch.pptx"))
    language = "nl-NL" if project == NL else "en-GB"
    assert prs.core_properties.language == language
    text = []
    for number, slide in enumerate(prs.slides, 1):
        assert slide.shapes.title is not None and slide.shapes.title.text.strip(), number
        assert slide.has_notes_slide and slide.notes_slide.notes_text_frame.text.strip(), number
        for shape in slide.shapes:
            if shape.has_text_frame:
                text.append(shape.text_frame.text)
    joined = "\n".join(text)
    assert ("Slim parkeren in het Damcentrum" if project == NL else "Counting crowds") in joined


def test_the_long_dutch_project_reaches_the_doubters(news_built: Path) -> None:
    prs = Presentation(str(news_built / NL / f"{NL}-doubters-pitch.pptx"))
    titles = [s.shapes.title.text for s in prs.slides]
    assert len(titles) > 15
    notes = "\n".join(s.notes_slide.notes_text_frame.text for s in prs.slides)
    shapes = [sh for s in prs.slides for sh in s.shapes]
    assert any(sh.has_chart for sh in shapes) and any(sh.has_table for sh in shapes)
    assert "Verwacht bezwaar:" in notes
    pictures = [sh for sh in shapes if sh.shape_type == 13]
    assert any("parkeervak" in sh._element.find(".//{*}cNvPr").get("descr") for sh in pictures)
    money = "\n".join(
        c.text for sh in shapes if sh.has_table for r in sh.table.rows for c in r.cells
    )
    assert "€\xa0385.000" in money  # the investment, in Dutch money format


@pytest.mark.parametrize("project", [NL, EN])
def test_handouts_read_back(news_built: Path, project: str) -> None:
    for audience in AUDIENCES:
        doc = Document(str(news_built / project / f"{project}-{audience}-handout.docx"))
        text = "\n".join(p.text for p in doc.paragraphs)
        assert ("Sensoren in de parkeervakken" if project == NL else "Counting people") in text
        lang = "nl-NL" if project == NL else "en-GB"
        assert f'w:lang w:val="{lang}"' in doc.styles.element.xml
        assert all(d.get("descr") for d in doc.element.body.xpath(".//wp:docPr"))


BACKUP = "Back-up"


def backup_slides(deck: Path) -> list[object]:
    """The back-up slides of a built deck (named "Back-up", as pitchkit check counts them)."""
    slides = Presentation(str(deck)).slides
    return [s for s in slides if s._element.cSld.get("name") == BACKUP]


def test_the_back_up_holds_at_most_four_slides(news_built: Path) -> None:
    for deck in news_built.glob("*/*-pitch.pptx"):
        assert len(backup_slides(deck)) <= 4, deck.name


def test_what_runs_over_the_back_up_goes_into_its_last_slides_notes(tmp_path: Path) -> None:
    """On a 4:3 template the long project's story and values balance run over into the back-up
    (two continuation pages beside four planned back-up slides): the back-up keeps four slides,
    its last one's notes carry the pages that left, and the build says so."""
    root = tmp_path / "ws"
    shutil.copytree(NEWS / "content", root / "content")
    template = NEWS.parent.parent / "templates" / "pptx" / "uic-ccts.pptx"
    project = root / "content" / NL / "project.yaml"
    text = project.read_text(encoding="utf-8").replace(
        "\ntheme: default\n", f"\ntheme: {template}\n"
    )
    project.write_text(text, encoding="utf-8")
    report = build(root, jobs=1, audiences=["doubters"])
    (deck,) = [d for d in report.documents if d.kind == "pitch" and NL in d.path.name]
    backup = backup_slides(deck.path)
    assert len(backup) == 4
    said = [w for w in deck.warnings if "the back-up holds at most 4 slides" in w]
    assert len(said) == 1 and "(2/2)" in said[0]
    notes = backup[-1].notes_slide.notes_text_frame.text  # type: ignore[attr-defined]
    gone = [t.strip("'") for t in said[0].split("slides: ")[1].split(" moved into")[0].split(", ")]
    titles = [s.shapes.title.text_frame.text for s in Presentation(str(deck.path)).slides]
    for title in gone:
        assert title.upper() in notes
        first = title.replace(" (2/2)", "")  # the main slide it continued: no "(1/2)" left
        assert first in titles and f"{first} (1/2)" not in titles, titles
    assert all(t.startswith("Vragen en bezwaren") for t in titles[-2:])  # the objections stay
