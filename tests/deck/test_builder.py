"""The deck builder (generator/deck/builder.py, the slide kinds in slides_*.py) on synthetic
trees: every slide kind, continuation slides, shortened titles, hats and balance drawn natively,
charts with alt text, and templates made elsewhere (PowerPoint .potx, LibreOffice 16:9 and 4:3
with Dutch layout names)."""

from __future__ import annotations

import datetime as dt
import io
import pickle
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.oxml.ns import qn

from generator.compose.doctree import Deck
from generator.deck.builder import build_deck
from generator.deck.context import BODY_FLOOR
from generator.deck.layouts import open_template
from generator.errors import ContentError, Problem, TextTooLong
from generator.theme.themes import Theme, resolve_theme

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "themes"
PICTURE = ROOT / "content" / "slimme-verlichting" / "images" / "impressie.png"
WHEN = dt.datetime(2027, 3, 11)
TEMPLATES = {
    "default": "default",
    "mecanon": str(DATA / "mecanon" / "deck.potx"),
    "libreoffice": str(DATA / "libreoffice" / "deck.pptx"),
    "voorbeeldstad-43": str(DATA / "voorbeeldstad-43" / "deck.pptx"),
}
LONG = "Een lange zin die laat zien dat de tekst netjes over de dia's wordt verdeeld. " * 3


def theme(name: str) -> Theme:
    return resolve_theme(TEMPLATES[name], None, ROOT)


def slide(kind: str, title: str, **fields: object) -> dict[str, object]:
    return {"kind": kind, "title": title, "notes": f"Notities bij {title}", **fields}


def hats() -> list[dict[str, object]]:
    keys = ["white", "red", "black", "yellow", "green", "blue"]
    return [
        {"key": k, "heading": f"Hoed {k}", "items": [{"text": f"{k} punt {i}"} for i in range(3)]}
        for k in keys
    ]


def every_kind() -> Deck:
    chart = {
        "type": "line",
        "categories": ["2028", "2029", "2030"],
        "series": [
            {"name": "Investering", "values": [250000, 250000, 250000]},
            {"name": "Besparing", "values": [141000, 282000, 423000]},
        ],
        "alt": "Lijndiagram: investering tegenover besparing.",
    }
    kpi_chart = {
        "type": "bar",
        "categories": ["Energieverbruik openbare verlichting", "CO2-uitstoot binnenstad"],
        "number_format": '0"%"',
        "series": [
            {"name": "Nu", "values": [100, 100]},
            {"name": "Doel", "values": [50, 50]},
        ],
        "alt": "Staafdiagram: doelen ten opzichte van nu.",
    }
    slides = [
        slide("title", "Slimme verlichting", subtitle="Beeldvormende sessie"),
        slide("agenda", "Agenda", items=[{"text": f"Onderwerp {i}"} for i in range(10)]),
        slide("section", "Om drie uur 's nachts branden alle lampen."),
        slide(
            "bullets",
            "Wat het oplevert",
            items=[{"text": "**Minder stroom**: de helft"}, {"text": "detail", "level": 1}],
        ),
        slide(
            "two-columns",
            "Twee kolommen",
            columns=[
                {"heading": "Links", "items": [{"text": "een"}]},
                {"heading": "Rechts", "items": [{"text": "twee"}]},
            ],
        ),
        slide(
            "image",
            "Impressie",
            picture={"path": str(PICTURE), "alt": "Een straat bij nacht.", "caption": "Impressie"},
        ),
        slide(
            "table",
            "Kosten",
            table={"header": ["Post", "Bedrag"], "rows": [["Investering", "€ 250.000"]]},
        ),
        slide(
            "matrix",
            "Projecten en beleid",
            table={"header": ["", "A", "B"], "rows": [["Klimaat", "ja", ""]]},
        ),
        slide(
            "numbers",
            "Doelen",
            numbers=[{"value": "600.000 kWh", "label": "Energie", "detail": "nu 1.200.000"}],
        ),
        slide(
            "timeline",
            "Planning",
            steps=[
                {"when": "2027-Q1", "text": "Pilot", "done": True},
                {"when": "2027-Q4", "text": "Raad"},
            ],
        ),
        slide("chart", "Kosten en doelen", chart=chart, charts=[kpi_chart]),
        slide(
            "balance",
            "Waardenweegschaal",
            columns=[
                {"key": "gains", "heading": "Dienen", "items": [{"text": "**Duurzaam**"}]},
                {"key": "tensions", "heading": "Schuren", "items": [{"text": "**Privacy**"}]},
            ],
        ),
        slide("hats", "Zes denkhoeden", columns=hats()),
        slide("closing", "Wat we vragen", subtitle="Kom kijken", items=[{"text": "Contact"}]),
    ]
    return Deck.model_validate(
        {"title": "Test", "author": "Gemeente", "language": "nl-NL", "slides": slides}
    )


def build(deck: Deck, name: str = "default") -> tuple[Presentation, list[str]]:
    data, warnings = build_deck(deck, theme(name), WHEN)
    return Presentation(io.BytesIO(data)), warnings


def texts(shape_slide) -> str:  # type: ignore[no-untyped-def]
    return " ".join(s.text_frame.text for s in shape_slide.shapes if s.has_text_frame)


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_every_kind_builds_with_a_title_and_notes_on_every_template(name: str) -> None:
    template = open_template(theme(name).deck_template)
    prs, _ = build(every_kind(), name)
    assert len(prs.slides) == len(every_kind().slides)  # the template's own slides are gone
    assert (prs.slide_width, prs.slide_height) == (template.slide_width, template.slide_height)
    for n, s in enumerate(prs.slides, 1):
        titled = [sh for sh in s.shapes if sh.has_text_frame and sh.text_frame.text.strip()]
        assert titled, f"slide {n} has no text"
        assert s.has_notes_slide and s.notes_slide.notes_text_frame.text.startswith("Notities")
        for shape in s.shapes:
            assert shape.left >= 0 and shape.top >= 0, (n, shape.name)
            assert shape.left + shape.width <= prs.slide_width + 12700, (n, shape.name)
            assert shape.top + shape.height <= prs.slide_height + 12700, (n, shape.name)


def test_sizes_are_explicit_and_autofit_is_off() -> None:
    prs, _ = build(every_kind())
    for s in prs.slides:
        for shape in s.shapes:
            if not shape.has_text_frame or not shape.text_frame.text.strip():
                continue
            body_pr = shape.text_frame._txBody.find(qn("a:bodyPr"))
            assert body_pr.find(qn("a:noAutofit")) is not None, shape.name
            for p in shape.text_frame.paragraphs:
                for r in p.runs:
                    assert r.font.size is not None, (shape.name, r.text)


def test_a_long_list_continues_on_numbered_slides() -> None:
    items = [{"text": f"Punt {i}: {LONG}"} for i in range(12)]
    deck = Deck.model_validate(
        {
            "title": "T",
            "author": "G",
            "language": "nl-NL",
            "slides": [slide("bullets", "Wat het oplevert", items=items)],
        }
    )
    prs, warnings = build(deck)
    titles = [s.shapes.title.text_frame.text for s in prs.slides]
    assert len(titles) >= 2
    assert titles == [f"Wat het oplevert ({i}/{len(titles)})" for i in range(1, len(titles) + 1)]
    assert all(f"Punt {i}:" in " ".join(texts(s) for s in prs.slides) for i in range(12))
    sizes = {
        r.font.size.pt
        for s in prs.slides
        for sh in s.shapes
        if sh.has_text_frame
        for p in sh.text_frame.paragraphs
        for r in p.runs
        if sh != s.shapes.title
    }
    assert min(sizes) >= BODY_FLOOR
    assert not warnings
    notes = [s.notes_slide.notes_text_frame.text for s in prs.slides]
    assert notes[1].startswith("(2/")


def test_a_long_table_repeats_its_header_on_each_slide() -> None:
    rows = [[f"Risico {i}: {LONG}", f"Maatregel {i}: {LONG}"] for i in range(10)]
    deck = Deck.model_validate(
        {
            "title": "T",
            "author": "G",
            "language": "nl-NL",
            "slides": [
                slide("table", "Risico's", table={"header": ["Risico", "Maatregel"], "rows": rows})
            ],
        }
    )
    prs, _ = build(deck)
    assert len(prs.slides) >= 2
    seen = []
    for s in prs.slides:
        table = next(sh for sh in s.shapes if sh.has_table).table
        assert [c.text for c in table.rows[0].cells] == ["Risico", "Maatregel"]
        seen += [row.cells[0].text for row in list(table.rows)[1:]]
        frame = next(sh for sh in s.shapes if sh.has_table)
        assert frame.top + sum(r.height for r in table.rows) <= prs.slide_height
    assert seen == [r[0] for r in rows]


def test_a_title_too_long_stops_the_build_naming_the_slide() -> None:
    title = "Waarom zou de gemeente " + "hier nu echt geld in steken " * 16
    deck = Deck.model_validate(
        {
            "title": "T",
            "author": "G",
            "language": "nl-NL",
            "slides": [slide("title", "Begin"), slide("bullets", title, items=[{"text": "x"}])],
        }
    )
    with pytest.raises(TextTooLong) as caught:
        build(deck)  # never cut, never written over its box
    error = caught.value
    assert error.slide == 2 and error.what == "the title" and error.text.strip() == title.strip()
    assert 0 < error.words < len(title.split())
    assert f"shorten it to about {error.words} words" in str(error)
    assert pickle.loads(pickle.dumps(error)).args == error.args  # crosses the process pool


def test_a_content_error_survives_the_process_pool() -> None:
    problem = Problem(Path("content/p/project.yaml"), 6, "pitch.hook", "too long", "shorten it")
    error = ContentError([problem], Path("."))
    again = pickle.loads(pickle.dumps(error))
    assert again.problems == [problem] and str(again) == str(error)


def test_an_item_too_long_for_a_slide_of_its_own_stops_the_build() -> None:
    long = "Dit punt is veel te lang voor een dia. " * 120
    deck = Deck.model_validate(
        {
            "title": "T",
            "author": "G",
            "language": "nl-NL",
            "slides": [
                slide("title", "Begin"),
                slide("bullets", "Punten", items=[{"text": "kort"}, {"text": long}]),
            ],
        }
    )
    with pytest.raises(TextTooLong) as caught:
        build(deck)
    assert caught.value.what == "an item" and caught.value.text.strip() == long.strip()
    assert caught.value.slide in (2, 3) and caught.value.size == BODY_FLOOR


def test_hats_are_six_coloured_native_shapes_with_alt_text() -> None:
    prs, _ = build(every_kind())
    s = next(s for s in prs.slides if s.shapes.title.text_frame.text == "Zes denkhoeden")
    groups = [sh for sh in s.shapes if sh.shape_type == 6]
    assert [g.name for g in groups] == [
        "White hat",
        "Red hat",
        "Black hat",
        "Yellow hat",
        "Green hat",
        "Blue hat",
    ]
    fills = []
    for g in groups:
        assert (
            g._element.find(".//" + qn("p:cNvPr")).get("descr")
            == f"Hoed {g.name.split()[0].lower()}"
        )
        fills.append(str(g.shapes[1].fill.fore_color.rgb))
    assert fills == ["FFFFFF", "C8102E", "1A1A1A", "F2C200", "2E8540", "1F5FB4"]
    body = texts(s)
    for key in ("white", "red", "black", "yellow", "green", "blue"):
        assert f"Hoed {key}" in body and f"{key} punt 0" in body


def test_hats_that_do_not_fit_are_counted_and_the_rest_fits() -> None:
    columns = hats()
    columns[0]["items"] = [{"text": f"feit {i}: {LONG}"} for i in range(8)]
    deck = Deck.model_validate(
        {
            "title": "T",
            "author": "G",
            "language": "nl-NL",
            "slides": [slide("hats", "Hoeden", columns=columns)],
        }
    )
    prs, warnings = build(deck)
    body = texts(prs.slides[0])
    assert "in de notities" in body and "…" not in body
    assert "feit 0: " + LONG.strip() in body  # whole items, never cut
    assert [w for w in warnings if "only in the speaker notes" in w]


def test_charts_are_native_side_by_side_with_alt_text() -> None:
    prs, _ = build(every_kind())
    s = next(s for s in prs.slides if s.shapes.title.text_frame.text == "Kosten en doelen")
    frames = [sh for sh in s.shapes if sh.has_chart]
    assert len(frames) == 2
    assert frames[0].left + frames[0].width <= frames[1].left
    alts = [f._element.find(".//" + qn("p:cNvPr")).get("descr") for f in frames]
    assert alts == [
        "Lijndiagram: investering tegenover besparing.",
        "Staafdiagram: doelen ten opzichte van nu.",
    ]
    assert frames[1].chart.value_axis.maximum_scale == 100


def test_picture_is_fitted_without_distortion_and_has_alt_text() -> None:
    from PIL import Image

    prs, _ = build(every_kind())
    s = next(s for s in prs.slides if s.shapes.title.text_frame.text == "Impressie")
    pic = next(sh for sh in s.shapes if sh.shape_type == 13)
    with Image.open(PICTURE) as img:
        ratio = img.width / img.height
    assert pic.width / pic.height == pytest.approx(ratio, rel=0.01)
    assert pic._element.find(".//" + qn("p:cNvPr")).get("descr") == "Een straat bij nacht."


def test_every_run_carries_the_language() -> None:
    prs, _ = build(every_kind())
    for s in prs.slides:
        for r in s._element.iter(qn("a:r")):
            assert r.find(qn("a:rPr")).get("lang") == "nl-NL"


def test_a_missing_layout_is_named_in_a_warning() -> None:
    _, warnings = build(every_kind(), "mecanon")
    assert any("no layout for 'two-columns' slides" in w for w in warnings)
    assert any("master's margins" in w for w in warnings)
    _, default_warnings = build(every_kind(), "default")
    assert not [w for w in default_warnings if "no layout" in w]


def test_colours_come_from_the_template_when_the_theme_names_none() -> None:
    prs, _ = build(every_kind(), "mecanon")
    s = next(s for s in prs.slides if s.shapes.title.text_frame.text == "Kosten")
    table = next(sh for sh in s.shapes if sh.has_table).table
    header_fill = str(table.cell(0, 0).fill.fore_color.rgb)
    from generator.deck.builder import _theme_colors

    accent1 = _theme_colors(open_template(DATA / "mecanon" / "deck.potx"))["accent1"]
    assert header_fill == accent1 != "0B5394"  # the template's accent, not pitchkit's blue


def test_libreoffice_template_keeps_its_title_colour_and_font() -> None:
    prs, _ = build(every_kind(), "voorbeeldstad-43")
    title = prs.slides[3].shapes.title
    run = title.text_frame.paragraphs[0].runs[0]
    assert str(run.font.color.rgb) == "7A1F5C"
    assert run.font.bold
    assert prs.slide_width * 3 == prs.slide_height * 4


def test_sizes_stay_within_the_templates_own_sizes() -> None:
    prs, _ = build(every_kind())
    sizes = {
        s.shapes.title.text_frame.text: r.font.size.pt
        for s in prs.slides
        if s.shapes.title is not None
        for p in s.shapes.title.text_frame.paragraphs
        for r in p.runs
    }
    assert sizes["Wat het oplevert"] == 36  # the default deck's master title size
    assert sizes["Om drie uur 's nachts branden alle lampen."] == 40  # Section Header's own
    assert min(sizes.values()) >= 20


def test_title_slide_has_the_theme_logo_and_statements_are_sentence_case(tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "ws"
    themes = Path(__file__).parent.parent / "data" / "themes"
    shutil.copytree(themes / "westerhaven", root / "templates" / "themes" / "westerhaven")
    logo_theme = resolve_theme("westerhaven", None, root)
    deck = Deck.model_validate(
        {
            "title": "T",
            "author": "Gemeente Westerhaven",
            "language": "nl-NL",
            "slides": [
                slide("title", "Slimme verlichting", items=[{"text": "Gemeente Westerhaven"}]),
                slide("statement", "Om drie uur 's nachts branden 1.500 lampen voluit."),
            ],
        }
    )
    data, _ = build_deck(deck, logo_theme, WHEN)
    prs = Presentation(io.BytesIO(data))
    logos = [sh for sh in prs.slides[0].shapes if sh.name == "Logo"]
    assert len(logos) == 1 and logos[0].shape_type == 13
    assert "Gemeente Westerhaven" in logos[0]._element.find(f".//{qn('p:cNvPr')}").get("descr")
    assert logos[0].left + logos[0].width <= prs.slide_width
    statement = prs.slides[1].shapes.title
    assert statement.text_frame.text == "Om drie uur 's nachts branden 1.500 lampen voluit."
    caps = {r.get("cap") for r in statement._element.iter(qn("a:rPr"))}
    assert caps == {"none"}
    sizes = {r.font.size.pt for p in statement.text_frame.paragraphs for r in p.runs}
    assert min(sizes) >= 24  # large, a statement
