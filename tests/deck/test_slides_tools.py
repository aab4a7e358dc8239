"""Slide kinds of thinking tools (generator/deck/slides_tools.py), built and read back: the hats."""

from __future__ import annotations

from pptx.oxml.ns import qn

from generator.compose.doctree import Deck
from tests.deck.test_builder import LONG, build, every_kind, hats, slide, texts


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
