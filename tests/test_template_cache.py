"""What a worker process keeps per template file (layouts.template_fingerprint: layout choices
and content areas; the deck builder's template facts, placeholder memo and slide placeholders)
and per chart data (the charts' embedded workbooks) changes no deck: a deck built after others,
on the same template or another, is the deck built first in a fresh process; other theme.yaml
settings on the same template, and a template file changed on disk, are worked out anew."""

from __future__ import annotations

import io
import shutil
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.opc.constants import RELATIONSHIP_TYPE as RT

from generator.compose.doctree import Deck
from generator.deck import builder as pptx_builder
from generator.deck import layouts
from generator.deck.builder import build_deck
from generator.deck.layouts import content_area, match_layouts, open_template
from generator.ooxml import pptx_fast
from generator.ooxml.package import normalize_zip
from generator.theme.themes import Theme, ThemeSpec, resolve_theme
from tests.deck.test_builder import DATA, TEMPLATES, WHEN, every_kind, theme


def fresh_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Empty the per-process caches, as in a new worker."""
    monkeypatch.setattr(layouts, "_choices_made", {})
    monkeypatch.setattr(layouts, "_areas_measured", {})
    monkeypatch.setattr(pptx_builder, "_FACTS", {})
    monkeypatch.setattr(pptx_fast, "_WORKBOOKS", {})


def built(deck: Deck, on: Theme) -> tuple[bytes, list[str]]:
    """The deck's bytes (zip entries stamped as a build writes them) and warnings."""
    data, warnings = build_deck(deck, on, WHEN)
    return normalize_zip(data, WHEN), warnings


def test_a_deck_is_the_same_built_first_or_after_others(monkeypatch: pytest.MonkeyPatch) -> None:
    deck = every_kind()
    first = {}
    for name in TEMPLATES:
        fresh_process(monkeypatch)
        first[name] = built(deck, theme(name))
    fresh_process(monkeypatch)
    for name in [*TEMPLATES, *reversed(list(TEMPLATES))]:  # after the others, then again
        assert built(deck, theme(name)) == first[name], name


def test_other_theme_settings_on_the_same_template_are_kept_apart(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fresh_process(monkeypatch)
    deck = every_kind()
    spec = ThemeSpec.model_validate(
        {"colors": {"primary": "#AA0000"}, "fonts": {"heading": "Georgia", "body": "Verdana"}}
    )
    red = replace(theme("default"), spec=spec)
    default = built(deck, theme("default"))
    red_after_default = built(deck, red)
    fresh_process(monkeypatch)
    assert red_after_default == built(deck, red)
    assert red_after_default[0] != default[0]


def test_a_template_changed_on_disk_is_read_anew(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh_process(monkeypatch)
    deck = every_kind()
    path = tmp_path / "deck.pptx"
    shutil.copy(DATA / "libreoffice" / "deck.pptx", path)
    on = resolve_theme(str(path), None, tmp_path)
    before = built(deck, on)
    shutil.copy(DATA / "voorbeeldstad-43" / "deck.pptx", path)  # same path, another template
    after = built(deck, on)
    fresh_process(monkeypatch)
    assert after == built(deck, on)
    assert after[0] != before[0]


@pytest.mark.parametrize("name", ["mecanon", "libreoffice"])
def test_layouts_chosen_again_belong_to_the_new_presentation(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh_process(monkeypatch)
    path = Path(TEMPLATES[name])
    first, second = open_template(path), open_template(path)
    surveyed, remembered = match_layouts(first), match_layouts(second)
    for kind, choice in remembered.items():
        assert choice.layout.part.package is second.part.package
        assert choice.layout.part.partname == surveyed[kind].layout.part.partname
        assert (choice.exact, choice.reason) == (surveyed[kind].exact, surveyed[kind].reason)
        assert content_area(second, choice.layout) == content_area(first, surveyed[kind].layout)


def test_notes_pages_are_named_and_related_as_python_pptx_makes_them() -> None:
    """The notes pages after a deck's first are copies (generator.ooxml.pptx_fast.NotesPages)."""
    data, _ = build_deck(every_kind(), theme("default"), WHEN)
    prs = Presentation(io.BytesIO(data))
    assert len(prs.slides) > 10
    for number, slide in enumerate(prs.slides, 1):
        notes = slide.part.part_related_by(RT.NOTES_SLIDE)
        assert notes.partname == f"/ppt/notesSlides/notesSlide{number}.xml"
        assert notes.part_related_by(RT.SLIDE) is slide.part
        assert notes.part_related_by(RT.NOTES_MASTER) is prs.part.notes_master_part
        assert slide.notes_slide.notes_text_frame.text.strip()


def test_a_chart_gets_the_workbook_of_its_own_data(monkeypatch: pytest.MonkeyPatch) -> None:
    """Charts share a workbook only when their number format, categories and series are the
    same (generator.ooxml.pptx_fast.CachedChartData)."""

    def chart_deck(values: list[float], number_format: str = "General") -> Deck:
        chart = {
            "type": "bar",
            "number_format": number_format,
            "categories": ["2028", "2029"],
            "series": [{"name": "Besparing", "values": values}],
            "alt": "Staafdiagram: besparing per jaar.",
        }
        return Deck.model_validate(
            {
                "title": "Grafiek",
                "language": "nl-NL",
                "author": "Test",
                "slides": [{"kind": "chart", "title": "Besparing", "notes": "n", "chart": chart}],
            }
        )

    def workbook(data: bytes) -> bytes:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            name = next(n for n in z.namelist() if n.endswith(".xlsx"))
            return normalize_zip(z.read(name), WHEN)

    decks = [chart_deck([1, 2]), chart_deck([1, 3]), chart_deck([1, 2], '0"%"'), chart_deck([1, 2])]
    fresh = []
    for deck in decks:
        fresh_process(monkeypatch)
        fresh.append(built(deck, theme("default"))[0])
    fresh_process(monkeypatch)
    after = [built(deck, theme("default"))[0] for deck in decks]
    assert after == fresh
    assert len({workbook(data) for data in fresh}) == 3
    assert fresh[0] == fresh[3]
