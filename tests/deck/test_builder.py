"""The deck builder (generator/deck/builder.py) on synthetic trees: every slide kind on every
template (PowerPoint .potx, LibreOffice 16:9 and 4:3 with Dutch layout names), explicit sizes
within the template's own, titles too long, the language, the template's colours and fonts, a
missing layout. Each family of slide kinds has its own tests (test_slides_*.py); they build
with the helpers here (every_kind, build, slide)."""

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


def test_every_slide_kind_of_the_tree_has_a_layout_and_a_builder() -> None:
    from typing import get_args

    from generator.compose.doctree import SlideKind
    from generator.deck.builder import KINDS
    from generator.deck.layouts import SLIDE_KINDS

    assert set(KINDS) == set(get_args(SlideKind))
    assert {kind.layout for kind in KINDS.values()} <= set(SLIDE_KINDS)
