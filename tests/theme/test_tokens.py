"""Themes from NL Design System design tokens (generator/theme/tokens.py, `theme from-tokens`)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from generator.app.cli import cli
from generator.errors import TokensError
from generator.theme.themes import load_theme_spec
from generator.theme.tokens import (
    contrast,
    font_stack,
    office_font,
    parse_color,
    read_tokens,
    restyled_deck,
    theme_from_tokens,
)

DATA = Path(__file__).resolve().parent.parent / "data" / "tokens"
VOORBEELD = DATA / "voorbeeld.tokens.json"
WESTERHAVEN = DATA / "gemeente-westerhaven.tokens.json"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("#5115ef", "#5115EF"),
        ("#fff", "#FFFFFF"),
        ("#5115efff", "#5115EF"),
        ("#5115ef80", None),
        ("rgb(225, 112, 0)", "#E17000"),
        ("rgba(0, 0, 0, 0)", None),
        ("hsl(0 100% 40%)", "#CC0000"),
        ("hsl(211 60% 35%)", "#24578F"),
        ("hsla(0 0% 48% / 100%)", "#7A7A7A"),
        ("hsla(200 10% 95% / 40%)", None),
        ("transparent", None),
        (12, None),
    ],
)
def test_css_colours(value: object, expected: str | None) -> None:
    assert parse_color(value) == expected


def test_font_stacks_prefer_a_font_every_presenter_has() -> None:
    stack = font_stack('"Noto Sans Variable", "Arial", sans-serif')
    assert stack == ["Noto Sans Variable", "Arial"]
    assert office_font(stack) == "Arial"
    assert office_font(font_stack("'Noto Serif', serif")) == "Noto Serif"
    assert office_font(font_stack('"Noto Sans Variable", sans-serif')) == "Noto Sans"


def test_dtcg_tokens_of_the_voorbeeld_package() -> None:
    theme = theme_from_tokens(read_tokens(VOORBEELD))
    assert theme.colors == {
        "background": "#FFFFFF",
        "text": "#001A40",
        "primary": "#5115EF",
        "accent": "#00568B",  # accent-2 equals accent-1 here: the link colour is next
    }
    assert theme.sources["primary"] == "basis.color.accent-1.color-default"
    assert theme.sources["accent"] == "utrecht.link.color"
    assert theme.fonts == {"heading": "Noto Serif", "body": "Noto Sans"}


def test_style_dictionary_tokens_with_references() -> None:
    tokens = read_tokens(WESTERHAVEN)
    assert tokens["westerhaven.document.color"].value == "#1a1a1a"
    theme = theme_from_tokens(tokens)
    assert theme.colors["primary"] == parse_color("hsl(200 80% 30%)")
    assert theme.colors["accent"] == "#E17000"
    assert theme.colors["text"] == "#1A1A1A" and theme.colors["background"] == "#FFFFFF"
    assert theme.fonts == {"heading": "Georgia", "body": "Verdana"}
    assert theme.brand_fonts == {"body": "Source Sans Pro"}
    for role in ("primary", "accent"):
        assert contrast(theme.colors[role], theme.colors["background"]) >= 3


def test_low_contrast_and_missing_tokens_fall_back(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(
        json.dumps({"x": {"link": {"color": {"value": "#eeeeee"}}, "size": {"value": "4px"}}}),
        encoding="utf-8",
    )
    theme = theme_from_tokens(read_tokens(path))
    assert theme.colors["primary"] == "#0B5394"  # #eeeeee on white is unreadable
    assert any("primary" in note for note in theme.notes)


@pytest.mark.parametrize(
    ("content", "message"),
    [("{not json", "not valid JSON"), ("[1, 2]", "no design tokens found")],
)
def test_bad_tokens_files_say_what_to_do(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TokensError, match=message):
        read_tokens(path)


def test_the_deck_gets_the_theme_colours_and_fonts() -> None:
    from generator.resources import default_templates_dir

    theme = theme_from_tokens(read_tokens(WESTERHAVEN))
    data = restyled_deck(
        default_templates_dir() / "themes" / "default" / "deck.pptx", theme, "Westerhaven"
    )
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        root = etree.fromstring(z.read("ppt/theme/theme1.xml"))
    scheme = root.find(f".//{A}clrScheme")
    assert scheme.find(f"{A}accent1/{A}srgbClr").get("val") == theme.colors["primary"][1:]
    assert scheme.find(f"{A}accent2/{A}srgbClr").get("val") == "E17000"
    assert root.find(f".//{A}majorFont/{A}latin").get("typeface") == "Georgia"
    assert root.find(f".//{A}minorFont/{A}latin").get("typeface") == "Verdana"


def test_command_writes_a_theme_folder_pitchkit_can_use(tmp_path: Path) -> None:
    runner = CliRunner()
    with runner.isolated_filesystem(temp_dir=tmp_path):
        result = runner.invoke(cli, ["theme", "from-tokens", str(WESTERHAVEN), "westerhaven"])
        assert result.exit_code == 0, result.output
        folder = Path("templates/themes/westerhaven")
        spec = load_theme_spec(folder / "theme.yaml")
        assert spec.colors.accent == "#E17000"
        assert spec.fonts.body == "Verdana"
        assert "westerhaven.unordered-list.marker.color" in (folder / "theme.yaml").read_text()
        assert (folder / "deck.pptx").is_file()
        again = runner.invoke(cli, ["theme", "from-tokens", str(WESTERHAVEN), "westerhaven"])
        assert again.exit_code == 1 and "--force" in again.output
        forced = runner.invoke(
            cli, ["theme", "from-tokens", str(WESTERHAVEN), "westerhaven", "--force"]
        )
        assert forced.exit_code == 0
        bad = runner.invoke(cli, ["theme", "from-tokens", str(WESTERHAVEN), "../x"])
        assert bad.exit_code == 1 and "theme name may not" in bad.output


def test_a_deck_builds_on_a_theme_made_from_tokens(tmp_path: Path) -> None:
    import datetime as dt

    from generator.compose.doctree import Deck
    from generator.deck.builder import build_deck
    from generator.theme.themes import resolve_theme
    from generator.theme.tokens import write_theme

    folder = tmp_path / "templates" / "themes" / "voorbeeld"
    write_theme(theme_from_tokens(read_tokens(VOORBEELD)), "Voorbeeld", folder, VOORBEELD)
    theme = resolve_theme("voorbeeld", None, tmp_path)
    deck = Deck.model_validate(
        {
            "title": "T",
            "author": "G",
            "language": "nl-NL",
            "slides": [
                {
                    "kind": "table",
                    "title": "Kosten",
                    "notes": "n",
                    "table": {"header": ["Post", "Bedrag"], "rows": [["a", "1"]]},
                }
            ],
        }
    )
    data, warnings = build_deck(deck, theme, dt.datetime(2027, 1, 1))
    from pptx import Presentation

    prs = Presentation(io.BytesIO(data))
    table = next(s for s in prs.slides[0].shapes if s.has_table).table
    assert str(table.cell(0, 0).fill.fore_color.rgb) == "5115EF"
    assert not warnings


# --------------------------------------------------------------------------- hostile tokens files


def _from_tokens(tmp_path: Path, tokens: object, name: str = "hostile") -> tuple[int, str]:
    path = tmp_path / "tokens.json"
    path.write_text(tokens if isinstance(tokens, str) else json.dumps(tokens), encoding="utf-8")
    runner = CliRunner()
    with runner.isolated_filesystem(temp_dir=tmp_path):
        result = runner.invoke(cli, ["theme", "from-tokens", str(path), name])
        written = sorted(str(p) for p in Path().rglob("*"))
    assert "unexpected problem" not in result.output, result.output
    if result.exit_code != 0:
        assert written == [], written  # nothing written: no half theme, no "already holds" trap
    return result.exit_code, result.output


def test_chained_references_are_resolved_once_within_a_budget(tmp_path: Path) -> None:
    """A 2 KB file whose every token doubles the one before: 2^60 characters if expanded."""
    tokens = {"x": {"t0": {"value": "#0b5394"}}}
    for i in range(1, 60):
        tokens["x"][f"t{i}"] = {"value": f"{{x.t{i - 1}}} {{x.t{i - 1}}}"}
    code, out = _from_tokens(tmp_path, tokens)
    assert code == 1
    assert f"{tmp_path / 'tokens.json'}:x.t" in out
    assert "expand to more than" in out and "nothing was written" in out


def test_reference_cycles_and_long_chains_are_named(tmp_path: Path) -> None:
    tokens = {
        "a": {"value": "{b}"},
        "b": {"value": "{c}"},
        "c": {"value": "{a}"},
        **{f"k{i}": {"value": f"{{k{i + 1}}}"} for i in range(40)},
        "k40": {"value": "#ffffff"},
    }
    code, out = _from_tokens(tmp_path, tokens)
    assert code == 1
    assert ":a: its references go round in a circle: a -> b -> c -> a" in out
    assert ":k0: a chain of more than 32 references" in out


def test_deep_nesting_is_a_located_error(tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    code, out = _from_tokens(tmp_path, deep)
    assert code == 1 and "tokens.json:1: nested more than" in out
    nested: dict[str, object] = {"value": "#ffffff"}
    for i in range(100):
        nested = {f"n{i}": nested}
    code, out = _from_tokens(tmp_path, nested)
    assert code == 1 and "tokens.json:n99.n98" in out and "nested more than 64" in out


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("hsl(1e308 50% 50%)", "number out of range (1e308)"),
        ("hsl(0 50% 1e308%)", "number out of range (1e308)"),
        ("rgb(1e308% 0 0)", "number out of range (1e308%)"),
        ("hsl(nan 50% 50%)", "number out of range (nan)"),
    ],
)
def test_a_malformed_colour_names_its_token(tmp_path: Path, value: str, message: str) -> None:
    tokens = {"basis": {"color": {"accent-1": {"color-default": {"value": value}}}}}
    code, out = _from_tokens(tmp_path, tokens)
    assert code == 1
    assert f"tokens.json:basis.color.accent-1.color-default: '{value}' has a {message}" in out


def test_a_control_character_in_a_font_name_writes_nothing(tmp_path: Path) -> None:
    tokens = {
        "utrecht": {
            "document": {"font-family": {"value": "Arial\u0007, sans-serif"}},
            "link": {"color": {"value": "#0b5394"}},
        }
    }
    code, out = _from_tokens(tmp_path, tokens)
    assert (
        code == 1 and ":utrecht.document.font-family: contains the control character U+0007" in out
    )
    # A lone half of a surrogate pair cannot be written into XML either.
    tokens["utrecht"]["document"]["font-family"]["value"] = "Arial\ud800"
    code, out = _from_tokens(tmp_path, tokens)
    assert code == 1 and "U+D800" in out
    # Fixed, the same command succeeds (no "already holds a theme" left behind).
    tokens["utrecht"]["document"]["font-family"]["value"] = "Arial, sans-serif"
    code, out = _from_tokens(tmp_path, tokens)
    assert code == 0 and "wrote" in out


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("x" * 300, "300 characters long; use at most 64"),
        ("CON", "reserved by Windows"),
        ("nul.txt", "reserved by Windows"),
        ("thema\u0007", "may not hold"),
    ],
)
def test_a_bad_theme_name_is_a_named_error(tmp_path: Path, name: str, message: str) -> None:
    code, out = _from_tokens(tmp_path, {"x": {"link": {"color": {"value": "#0b5394"}}}}, name)
    assert code == 1 and message in out
