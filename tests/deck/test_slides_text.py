"""Slide kinds of text (generator/deck/slides_text.py), built and read back: lists continued on
numbered slides, an item too long for a slide, pictures, the title slide's logo, statements."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.oxml.ns import qn

from generator.compose.doctree import Deck
from generator.deck.builder import build_deck
from generator.deck.context import BODY_FLOOR
from generator.errors import TextTooLong
from generator.theme.themes import resolve_theme
from tests.deck.test_builder import LONG, PICTURE, WHEN, build, every_kind, slide, texts


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


def test_picture_is_fitted_without_distortion_and_has_alt_text() -> None:
    from PIL import Image

    prs, _ = build(every_kind())
    s = next(s for s in prs.slides if s.shapes.title.text_frame.text == "Impressie")
    pic = next(sh for sh in s.shapes if sh.shape_type == 13)
    with Image.open(PICTURE) as img:
        ratio = img.width / img.height
    assert pic.width / pic.height == pytest.approx(ratio, rel=0.01)
    assert pic._element.find(".//" + qn("p:cNvPr")).get("descr") == "Een straat bij nacht."


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
