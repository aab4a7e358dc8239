"""Slide kinds of figures (generator/deck/slides_figures.py), built and read back: long tables,
charts."""

from __future__ import annotations

from pptx.oxml.ns import qn

from generator.compose.doctree import Deck
from tests.deck.test_builder import LONG, build, every_kind, slide


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
