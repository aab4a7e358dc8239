"""Text measurement (generator/theme/metrics.py): real font metrics, wrapping, and the size
search."""

from __future__ import annotations

import pytest

from generator.handout.layout import line_height
from generator.theme import font_metrics
from generator.theme.metrics import (
    LINE_HEIGHT,
    METRIC_ALIASES,
    Paragraph,
    fit_size,
    has_metrics,
    measured_as_itself,
    paragraph_lines,
    resolve_family,
    text_height_pt,
    text_width_pt,
    widest_word_pt,
    wrap_lines,
)


def test_office_fonts_map_to_metric_compatible_free_fonts() -> None:
    assert resolve_family("Calibri") == "Carlito"
    assert resolve_family("Arial") == "Liberation Sans"
    assert resolve_family("Times New Roman") == "Liberation Serif"
    assert resolve_family("Montserrat") == "Montserrat"
    assert resolve_family(None) == "Carlito"


def test_widths_come_from_the_font_not_from_a_character_count() -> None:
    narrow = text_width_pt("iiiiiiiiii", "Calibri", False, 20)
    wide = text_width_pt("WWWWWWWWWW", "Calibri", False, 20)
    assert wide > 3 * narrow
    assert text_width_pt("Voorbeeld", "Calibri", True, 20) > text_width_pt(
        "Voorbeeld", "Calibri", False, 20
    )
    # Calibri's metrics (via Carlito): "Hxg line 0 The quick brown fox jumps over" at 20 pt is
    # 342.5 pt wide; LibreOffice draws it 343.1 pt wide. The measure errs on the wide side.
    width = text_width_pt("Hxg line 0 The quick brown fox jumps over", "Calibri", False, 20)
    assert 343 < width < 356


def test_wrapping_at_word_boundaries_and_inside_a_word_too_long_for_the_box() -> None:
    text = "een twee drie vier vijf zes zeven acht negen tien"
    one_line = text_width_pt(text, "Calibri", False, 20)
    assert wrap_lines(text, "Calibri", False, 20, one_line + 1) == 1
    assert wrap_lines(text, "Calibri", False, 20, one_line / 2 + 20) == 2
    long_word = "raadsinformatiebrief"
    width = text_width_pt(long_word, "Calibri", False, 20)
    assert wrap_lines(long_word, "Calibri", False, 20, width / 2.5) == 3
    assert wrap_lines("a\nb\nc", "Calibri", False, 20, 500) == 3


def test_bold_spans_take_more_room_than_the_same_text_plain() -> None:
    plain_text = Paragraph("Lagere energierekening: de gemeente bespaart elk jaar geld")
    lead_in = Paragraph(
        "",
        spans=(
            ("Lagere energierekening", True),
            (": de gemeente bespaart elk jaar geld", False),
        ),
    )
    width = text_width_pt(plain_text.text, "Calibri", False, 24) + 2
    assert paragraph_lines(plain_text, "Calibri", 24, width) == 1
    assert paragraph_lines(lead_in, "Calibri", 24, width) == 2


def test_all_caps_is_measured_in_capitals() -> None:
    p = Paragraph("om drie uur branden er lampen", caps=True)
    assert widest_word_pt([p], "Calibri", 20) == pytest.approx(
        text_width_pt("BRANDEN", "Calibri", False, 20)
    )


def test_height_counts_lines_spacing_and_margins() -> None:
    ps = [Paragraph("een"), Paragraph("twee", space_before=0.5), Paragraph("drie", scale=0.5)]
    expected = 20 * LINE_HEIGHT + (20 * LINE_HEIGHT + 0.5 * 20) + (10 * LINE_HEIGHT + 0.3 * 10)
    assert text_height_pt(ps, "Calibri", 20, 500) == pytest.approx(expected)
    indented = Paragraph("een twee drie vier vijf zes", indent_pt=100)
    width = text_width_pt(indented.text, "Calibri", False, 20) + 50
    assert paragraph_lines(indented, "Calibri", 20, width) == 2


def test_fit_size_is_the_largest_size_that_fits_or_none() -> None:
    paragraphs = [Paragraph("Kort")]
    assert fit_size(paragraphs, "Calibri", 5_000_000, 2_000_000, 40, 10) == 40
    long = [Paragraph("woord " * 60)]
    size = fit_size(long, "Calibri", 5_000_000, 2_000_000, 40, 10)
    assert size is not None and 10 <= size < 20
    assert (
        text_height_pt(long, "Calibri", size, (5_000_000 - 2 * 91440) / 12700)
        <= (2_000_000 - 2 * 45720) / 12700
    )
    assert fit_size([Paragraph("woord " * 2000)], "Calibri", 5_000_000, 2_000_000, 40, 10) is None


def test_whole_words_keeps_a_long_word_from_breaking() -> None:
    word = [Paragraph("Raadsinformatiebrief")]
    width = (
        int(text_width_pt("Raadsinformatiebrief", "Calibri", False, 12) * 12700) + 2 * 91440 + 1270
    )
    assert fit_size(word, "Calibri", width, 3_000_000, 30, 8) == 30  # breaks, but fits in height
    assert fit_size(word, "Calibri", width, 3_000_000, 30, 8, whole_words=True) == 12


def test_an_unknown_font_that_is_not_installed_is_measured_as_dejavu_sans() -> None:
    assert not measured_as_itself("No Such Font Family 123")
    text = "Slimme verlichting in de binnenstad"
    assert text_width_pt(text, "No Such Font Family 123", False, 10) == text_width_pt(
        text, "DejaVu Sans", False, 10
    )
    assert fit_size([Paragraph("x " * 50)], "No Such Font Family 123", 3_000_000, 1_000_000, 30, 8)


@pytest.mark.parametrize(
    ("family", "bold", "italic", "text", "expected"),
    [
        # Widths in 1/64 px at 100 px as Pillow's raqm layout (HarfBuzz) measured them with the
        # installed fonts, which pitchkit measured with before it shipped the metrics.
        ("Carlito", False, False, "to", 5457),  # kerning, rounded half up (-62.5 -> -62)
        ("Carlito", False, False, "Efficiency", 24419),  # the ffi ligature
        ("Carlito", True, False, "Helft", 12901),  # the ft ligature
        ("Carlito", False, False, "€\xa075.000", 22527),  # Carlito has no no-break space
        ("Carlito", False, False, "e\u0301", 3184),  # e + combining acute = é
        ("Caladea", False, False, "Ţ", 3565),  # not in Caladea: T + combining cedilla
        ("Liberation Serif", False, True, "Tijdpad", 19562),
        ("DejaVu Sans", False, False, "AVAVA", 20254),
    ],
)
def test_shipped_metrics_measure_as_harfbuzz_did_with_the_installed_font(
    family: str, bold: bool, italic: bool, text: str, expected: int
) -> None:
    face = font_metrics.face(family, bold, italic)
    assert face is not None
    assert face.width_64ths(text) == expected


def test_every_family_pitchkit_maps_to_ships_in_four_styles() -> None:
    for family in {*METRIC_ALIASES.values(), "Carlito", "DejaVu Sans", "DejaVu Serif"}:
        assert has_metrics(family), family
        for bold in (False, True):
            for italic in (False, True):
                assert font_metrics.face(family, bold, italic) is not None, (family, bold)


def test_line_heights_come_from_the_shipped_vertical_metrics() -> None:
    assert line_height("Times New Roman") == pytest.approx(1.15, abs=0.005)
    assert line_height("Calibri") == pytest.approx(1.22, abs=0.005)
    assert line_height("No Such Font Family 123") == line_height("DejaVu Sans")


@pytest.mark.parametrize("family", ["Calibri", "Arial", "Georgia", "No Such Font Family 123"])
def test_any_codepoint_is_measured_without_raising(family: str) -> None:
    # Paragraph and line separators, control characters, a lone surrogate, astral characters,
    # private use, unassigned, zero-width joiners: each has a width (zero or more), no error.
    text = "a\u2029b\u2028c\x00\x07\t\r\ud800\U0001f600\U00010348\ue000\U000e0001\u200d\uffff"
    for ch in text:
        assert text_width_pt(ch, family, False, 12) >= 0
    assert text_width_pt(text, family, True, 12, italic=True) > 0
    assert wrap_lines(text, family, False, 12, 50) >= 1


def test_hidden_characters_take_no_room() -> None:
    plain = text_width_pt("verlichting", "Calibri", False, 20)
    assert text_width_pt("ver\u00adlich\u200bting\ufeff", "Calibri", False, 20) == plain


def test_calibri_light_is_measured_as_libreoffice_renders_it() -> None:
    """Carlito has no light face: LibreOffice renders 'Calibri Light' (Office's default heading
    font) in its fallback, which is wider; measured as Carlito, titles ran off the slide's PDF."""
    if measured_as_itself("Calibri Light"):
        pytest.skip("Calibri Light is installed here: it is measured as itself")
    text = "Terugverdiend in 2030, daarna € 141.000 per jaar"
    light = text_width_pt(text, "Calibri Light", False, 28)
    assert light == text_width_pt(text, "DejaVu Sans", False, 28)
    assert light > text_width_pt(text, "Calibri", False, 28) * 1.1
