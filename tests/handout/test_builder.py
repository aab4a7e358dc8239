"""The handout builder without LibreOffice: page, styles, layout, accessibility markup.

Whether the page really is one page is measured in test_handout_fit.py (with LibreOffice); here
the .docx itself is read back: what a screen reader, Word and the PDF export get to see.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm

from generator.compose.doctree import Handout, Item, Section, Step, Table
from generator.content.loader import load_workspace
from generator.handout.builder import (
    DENSITIES,
    _readable,
    _window,
    build_handout,
    column_widths,
    contrast,
    fingerprint,
    place_sections,
)
from generator.ooxml.package import normalize_zip
from generator.pipeline.build import plan, render_all
from generator.theme.metrics import text_width_pt
from generator.theme.themes import Theme, resolve_theme
from tests.conftest import EXAMPLE_CONTENT

REPO = Path(__file__).resolve().parent.parent.parent
WESTERHAVEN = REPO / "tests" / "data" / "themes" / "westerhaven"
WHEN = dt.datetime(2027, 3, 11, 9, 0)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def default_theme(tmp_path_factory: pytest.TempPathFactory) -> Theme:
    return resolve_theme("default", None, tmp_path_factory.mktemp("ws"))


@pytest.fixture(scope="module")
def westerhaven(tmp_path_factory: pytest.TempPathFactory) -> Theme:
    root = tmp_path_factory.mktemp("ws")
    shutil.copytree(WESTERHAVEN, root / "templates" / "themes" / "westerhaven")
    return resolve_theme("westerhaven", None, root)


@pytest.fixture(scope="module")
def example_handouts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Handout]:
    """The example content's handout trees, by ``project/audience``."""
    root = tmp_path_factory.mktemp("ws")
    shutil.copytree(EXAMPLE_CONTENT, root / "content")
    workspace = load_workspace(root)
    return {
        f"{r.job.project.slug}/{r.job.audience_key}": r.handout
        for r in render_all(workspace, plan(workspace))
    }


def handout(**changes: object) -> Handout:
    """A small handout with every kind of section; ``changes`` replace fields."""
    data: dict[str, object] = {
        "title": "Slimme verlichting",
        "subtitle": "LED en dimmen",
        "municipality": "Gemeente Voorbeeldstad",
        "headline": "De meerwaarde op een rij",
        "key_message": "Met LED halveren we het **stroomverbruik**.",
        "language": "nl-NL",
        "qr_url": "https://www.voorbeeldstad.nl/licht",
        "footer": "11 maart 2027 · Raad · versie {version}",
        "sections": [
            Section(
                key="benefits",
                heading="Wat het oplevert",
                priority=90,
                items=[Item(text="**Minder stroom**: de helft"), Item(text="Veiliger", level=1)],
            ),
            Section(
                key="policy",
                heading="Het grotere plaatje",
                priority=74,
                items=[Item(text="Klimaatneutraal in 2040")],
            ),
            Section(
                key="numbers",
                heading="In cijfers",
                priority=87,
                table=Table(
                    header=["Wat we meten", "nu", "doel"],
                    rows=[["Stroom (kWh)", "1.200.000", "600.000"]],
                    numeric=[1, 2],
                ),
            ),
            Section(
                key="costs",
                priority=88,
                table=Table(
                    header=["Kosten", "Bedrag"], rows=[["Investering", "€\xa0250.000"]], numeric=[1]
                ),
            ),
            Section(
                key="timeline",
                heading="Planning",
                priority=76,
                steps=[
                    Step(when="2026-Q2", text="Verkenning", done=True),
                    Step(when="2027-Q4", text="Raadsvoorstel"),
                ],
            ),
            Section(
                key="ask", heading="Wat we van u vragen", priority=95, paragraphs=["Kom kijken."]
            ),
            Section(
                key="contact",
                heading="Contact",
                priority=100,
                paragraphs=["**Lotte**", "[lotte@voorbeeldstad.nl](mailto:lotte@x.nl)"],
            ),
        ],
    }
    data.update(changes)
    return Handout.model_validate(data)


def read(data: bytes) -> object:
    return Document(io.BytesIO(data))


def headings(doc: object) -> list[tuple[str, str]]:
    """(style name, text) of every title and heading paragraph, in order."""
    out = []
    for p in doc.paragraphs:  # type: ignore[attr-defined]
        ppr = p._p.pPr
        outline = p.style.element.find(f"{W}pPr/{W}outlineLvl")
        if (
            p.style.name in ("Title",)
            or outline is not None
            or (ppr is not None and ppr.find(f"{W}outlineLvl") is not None)
        ):
            out.append((p.style.name, p.text.replace("\n", "")))
    return out


# -- the page -----------------------------------------------------------------------------------


def test_a4_title_headings_in_reading_order(default_theme: Theme) -> None:
    doc = read(build_handout(handout(), default_theme, WHEN))
    section = doc.sections[0]  # type: ignore[attr-defined]
    assert abs(section.page_width - Cm(21)) < Cm(0.01)
    assert abs(section.page_height - Cm(29.7)) < Cm(0.01)
    found = headings(doc)
    assert found[0] == ("Title", "Slimme verlichting")
    assert found[1] == ("Heading 1", "De meerwaarde op een rij")
    # The numbers box opens the two columns, then the story; the strip and closing band follow.
    assert [t for _, t in found[2:]] == [
        "In cijfers",
        "Wat het oplevert",
        "Het grotere plaatje",
        "Planning",
        "Wat we van u vragen",
        "Contact",
    ]
    assert doc.core_properties.title == "Slimme verlichting"  # type: ignore[attr-defined]


def test_sections_are_word_columns_not_layout_tables(default_theme: Theme) -> None:
    doc = read(build_handout(handout(), default_theme, WHEN))
    body = doc.element.body  # type: ignore[attr-defined]
    sects = body.findall(f".//{W}sectPr")
    columns = [s.find(f"{W}cols").get(f"{W}num") for s in sects]
    assert columns == [None, "2", None, "3"]  # title, numbers|story, strip, ask|contact|QR
    # Only the first section has the header and footer; the others follow on the same page.
    assert sects[0].find(f"{W}headerReference") is not None
    for later in sects[1:]:
        assert later.find(f"{W}headerReference") is None
        assert later.find(f"{W}type").get(f"{W}val") == "continuous"
    # Every table is a data table with a marked header row: none is there for layout.
    for table in doc.tables:  # type: ignore[attr-defined]
        assert table.rows[0]._tr.trPr.find(f"{W}tblHeader") is not None


def test_language_alt_text_and_version(default_theme: Theme) -> None:
    h = handout()
    doc = read(build_handout(h, default_theme, WHEN))
    element = doc.element  # type: ignore[attr-defined]
    langs = {lang.get(f"{W}val") for lang in element.body.iter(f"{W}lang")}
    assert langs == {"nl-NL"}
    default = doc.styles.element.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")  # type: ignore[attr-defined]
    assert default.get(f"{W}val") == "nl-NL"
    pictures = element.body.findall(f".//{qn('wp:docPr')}")
    assert [p.get("descr") for p in pictures] == ["QR-code naar https://www.voorbeeldstad.nl/licht"]
    assert all(p.get("title") is None for p in pictures)  # else the PDF says it twice
    footer = doc.sections[0].footer.paragraphs[-1].text  # type: ignore[attr-defined]
    assert footer == f"11 maart 2027 · Raad · versie\xa0{fingerprint(h)}"
    assert fingerprint(h) == fingerprint(handout())
    assert fingerprint(h) != fingerprint(handout(key_message="Anders."))


def test_leave_out_and_density(default_theme: Theme) -> None:
    roomy = read(build_handout(handout(), default_theme, WHEN, DENSITIES[0]))
    dense = read(build_handout(handout(), default_theme, WHEN, DENSITIES[-1], ["policy"]))
    assert "Het grotere plaatje" in [t for _, t in headings(roomy)]
    assert "Het grotere plaatje" not in [t for _, t in headings(dense)]
    assert roomy.styles["Normal"].font.size.pt == DENSITIES[0].body_pt  # type: ignore[attr-defined]
    assert dense.styles["Normal"].font.size.pt == DENSITIES[-1].body_pt == 9.5  # type: ignore[attr-defined]
    # at least 10 pt; 9.5 pt only as the last resort
    assert [d.body_pt for d in DENSITIES if d.body_pt < 10] == [9.5]


def test_minimal_handout_has_one_column(default_theme: Theme) -> None:
    h = handout(
        subtitle=None,
        qr_url=None,
        footer=None,
        sections=[
            Section(key="ask", heading="Wat we van u vragen", priority=95, paragraphs=["Ja."])
        ],
    )
    doc = read(build_handout(h, default_theme, WHEN))
    sects = doc.element.body.findall(f".//{W}sectPr")  # type: ignore[attr-defined]
    assert all(s.find(f"{W}cols").get(f"{W}num") is None for s in sects)
    assert not doc.element.body.findall(f".//{qn('wp:docPr')}")  # type: ignore[attr-defined]


def test_same_input_same_bytes(default_theme: Theme) -> None:
    """The same tree gives the same package (the zip times are the writer's to fix)."""
    first = normalize_zip(build_handout(handout(), default_theme, WHEN), WHEN)
    assert first == normalize_zip(build_handout(handout(), default_theme, WHEN), WHEN)


# -- a municipality's own Word template ---------------------------------------------------------


def test_foreign_template_styles_header_and_footer(westerhaven: Theme) -> None:
    """Letter, Dutch style ids, a custom second heading level, a first-page header with a logo."""
    source = Document(str(westerhaven.handout_template))
    assert round(source.sections[0].page_width.cm, 2) == 21.59  # Letter: made A4 below
    doc = read(build_handout(handout(), westerhaven, WHEN))
    section = doc.sections[0]  # type: ignore[attr-defined]
    assert abs(section.page_width - Cm(21)) < Cm(0.01)
    assert abs(section.page_height - Cm(29.7)) < Cm(0.01)
    # The template's own margins (Word's US Letter defaults here): the template decides the page.
    theirs = source.sections[0]
    assert (section.left_margin, section.top_margin) == (theirs.left_margin, theirs.top_margin)
    assert section.header_distance == theirs.header_distance
    grid = doc.element.body.find(f"{W}sectPr/{W}docGrid")  # type: ignore[attr-defined]
    assert grid.get(f"{W}type") is None  # no line grid: it would push text onto page 2
    found = dict((t, style) for style, t in headings(doc))
    assert found["Slimme verlichting"] == "Title"  # id "Titel"
    assert found["De meerwaarde op een rij"] == "Heading 1"  # id "Kop1"
    assert found["Wat het oplevert"] == "Tussenkop Westerhaven"  # by its outline level
    ids = {p.style.style_id for p in doc.paragraphs}  # type: ignore[attr-defined]
    assert {"Titel", "Kop1", "TussenkopWesterhaven"} <= ids
    # The template's own first-page header (logo and name) and footer stay, described.
    first = section.first_page_header
    assert "Gemeente Westerhaven" in first.paragraphs[0].text
    logos = first._element.findall(f".//{qn('wp:docPr')}")
    assert logos and all(p.get("descr") == "Logo Gemeente Voorbeeldstad" for p in logos)
    footer = [p.text for p in section.first_page_footer.paragraphs]
    assert footer[0].startswith("Gemeente Westerhaven · Postbus 10")
    assert footer[-1].startswith("11 maart 2027 · Raad · versie")


def test_missing_styles_are_created_with_outline_levels(tmp_path: Path) -> None:
    """A template without heading styles still gets real headings (outline levels: PDF tags)."""
    bare = Document()
    for style in list(bare.styles):
        if style.name in ("Title", "Subtitle", "Heading 1", "Heading 2"):
            style.element.getparent().remove(style.element)
    folder = tmp_path / "themes" / "bare"
    folder.mkdir(parents=True)
    bare.save(str(folder / "handout.docx"))
    theme = resolve_theme(str(folder), None, tmp_path)
    doc = read(build_handout(handout(), theme, WHEN))
    levels = {
        p.style.name: p.style.element.find(f"{W}pPr/{W}outlineLvl")
        for p in doc.paragraphs  # type: ignore[attr-defined]
    }
    assert levels["Heading 1"].get(f"{W}val") == "0"
    assert levels["Heading 2"].get(f"{W}val") == "1"


# -- layout decisions ---------------------------------------------------------------------------


def test_place_sections() -> None:
    main, side, strip, closing = place_sections(handout().sections)
    assert [s.key for s in main] == ["benefits", "policy"]
    assert [s.key for s in side] == ["numbers", "costs"]
    assert [s.key for s in strip] == ["timeline"]
    assert [s.key for s in closing] == ["ask", "contact"]


def test_timeline_window_keeps_now_and_the_goal() -> None:
    steps = [Step(when=f"Q{i}", text="x", done=i < 4) for i in range(9)]
    shown = [s.when for s in _window(steps, 4)]
    assert shown == ["Q3", "Q4", "Q5", "Q8"]  # last done, next two, and the final goal
    assert len(_window(steps[:3], 6)) == 3


def test_column_widths_never_break_a_number() -> None:
    table = Table(
        header=["Wat we meten", "nu", "doel 2028"],
        rows=[["Energieverbruik openbare verlichting (kWh/jaar)", "1.200.000", "€\xa0600.000"]],
        numeric=[1, 2],
    )
    for font, width in (("Calibri", 3977), ("Verdana", 3977), ("Verdana", 3000)):
        widths = column_widths(table, width, font, 9.0)
        assert sum(widths) == width
        pad = 2 * 85 / 20
        assert widths[1] / 20 >= text_width_pt("1.200.000", font, False, 9) + pad
        assert widths[2] / 20 >= text_width_pt("€\xa0600.000", font, True, 9) + pad
        assert widths[0] >= width // 5 - 1


def test_colours_are_made_readable() -> None:
    assert _readable("#0B5394") == "0B5394"  # already 4.5:1 and more
    light = _readable("#F2A900")  # yellow: 1.9:1 on white
    assert contrast(light, "FFFFFF") >= 4.5 and contrast(light, "E6EEF7") >= 4.5


def test_example_handouts_put_the_audience_first(example_handouts: dict[str, Handout]) -> None:
    supporters = example_handouts["slimme-verlichting/supporters"]
    doubters = example_handouts["slimme-verlichting/doubters"]
    keys = [s.key for s in supporters.sections]
    assert "ambassador" in keys and "policy" not in keys
    assert {"policy", "values", "objections"} <= {s.key for s in doubters.sections}
    assert supporters.headline == "Samen maken we het waar"
    # The footer has date, occasion and version in words, and does not call the readers doubters.
    assert doubters.footer == (
        "11 maart 2027 · Beeldvormende sessie gemeenteraad · tweede versie, na de bewonerspeiling"
    )
    costs = next(s for s in doubters.sections if s.key == "costs")
    numbers = next(s for s in doubters.sections if s.key == "numbers")
    assert costs.priority > numbers.priority  # money is a doubters' driver
    assert all(not s.heading or "Twijfelaars" not in s.heading for s in doubters.sections)
