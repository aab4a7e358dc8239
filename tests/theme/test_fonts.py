"""Theme fonts (generator/theme/fonts.py), read from real templates' theme parts."""

from __future__ import annotations

from pathlib import Path

from docx import Document
from lxml import etree
from pptx import Presentation

from generator.theme.fonts import ThemeFonts, latin_font, part_theme_fonts, theme_fonts

DEFAULT = Path(__file__).resolve().parents[2] / "templates" / "themes" / "default"


def _deck_theme(path: Path) -> bytes:
    master = Presentation(str(path)).slide_masters[0]
    return next(
        r.target_part.blob for r in master.part.rels.values() if r.reltype.endswith("/theme")
    )


def test_the_default_templates_fonts_are_read_from_deck_and_handout() -> None:
    deck = part_theme_fonts(Presentation(str(DEFAULT / "deck.pptx")).slide_masters[0].part)
    handout = part_theme_fonts(Document(str(DEFAULT / "handout.docx")).part)
    assert deck == handout == ThemeFonts("Calibri", "Calibri")
    assert (deck.get("major"), deck.get("minor"), deck.get("other")) == ("Calibri", "Calibri", None)


def test_a_changed_theme_part_gives_its_new_fonts_and_none_for_an_empty_name() -> None:
    root = etree.fromstring(_deck_theme(DEFAULT / "deck.pptx"))
    latin_font(root, "major").set("typeface", "Georgia")
    latin_font(root, "minor").set("typeface", "")
    assert theme_fonts(etree.tostring(root)) == ThemeFonts("Georgia", None)


def test_a_part_without_a_theme_has_no_fonts() -> None:
    notes_master = Presentation(str(DEFAULT / "deck.pptx")).part.notes_master.part
    has_theme = any(r.reltype.endswith("/theme") for r in notes_master.rels.values())
    slide_part = Presentation(str(DEFAULT / "deck.pptx")).slide_masters[0].slide_layouts[0].part
    assert part_theme_fonts(slide_part) == ThemeFonts()  # a layout relates to its master only
    assert has_theme  # (the notes master has a theme of its own: read the same way)
    assert part_theme_fonts(notes_master).major is not None
