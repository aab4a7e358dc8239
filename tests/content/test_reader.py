"""The YAML reader: line numbers kept, dangerous or ambiguous YAML refused with a location."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.content.reader import parse_yaml, read_yaml
from generator.errors import ContentError


def messages(exc: pytest.ExceptionInfo[ContentError]) -> list[str]:
    return [p.render() for p in exc.value.problems]


def test_lines_are_kept_for_every_value() -> None:
    doc = parse_yaml("a: 1\nlist:\n  - x: 2\n    y: 3\n", Path("f.yaml"))
    assert doc.data == {"a": 1, "list": [{"x": 2, "y": 3}]}
    assert doc.lines[("a",)] == 1
    assert doc.lines[("list", 0, "y")] == 4
    assert doc.line_of(("list", 0, "missing")) == 3


def test_duplicate_keys_are_an_error_naming_both_lines() -> None:
    text = "benefits:\n  - title: a\nother: 1\nbenefits:\n  - title: b\n"
    with pytest.raises(ContentError) as exc:
        parse_yaml(text, Path("p.yaml"))
    assert messages(exc) == [
        "p.yaml:4: benefits: 'benefits' appears twice (first on line 1); "
        "merge the two blocks into one; the second would replace the first"
    ]


def test_tabs_get_a_hint() -> None:
    with pytest.raises(ContentError) as exc:
        parse_yaml("project:\n\ttitle: x\n", Path("p.yaml"))
    (problem,) = exc.value.problems
    assert problem.line == 2
    assert "tabs" in (problem.hint or "")


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes("a: 1\nb: caf\xe9\n".encode("latin-1"))
    with pytest.raises(ContentError) as exc:
        read_yaml(path)
    (problem,) = exc.value.problems
    assert (problem.line, problem.message) == (2, "the file is not UTF-8 text")


def test_billion_laughs_is_refused_without_expanding() -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        name = chr(ord("a") + i)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 10) + "]")
    with pytest.raises(ContentError) as exc:
        parse_yaml("\n".join(lines) + "\n", Path("bomb.yaml"))
    assert "anchors and aliases" in messages(exc)[0]


def test_deep_nesting_is_refused() -> None:
    text = "a: " + "[" * 5000 + "]" * 5000 + "\n"
    with pytest.raises(ContentError) as exc:
        parse_yaml(text, Path("deep.yaml"))
    assert "nested" in messages(exc)[0]


def test_control_characters_are_removed_with_a_warning() -> None:
    doc = parse_yaml('title: "Slim\\x1b licht\\x00"\n', Path("p.yaml"))
    assert doc.data == {"title": "Slim licht"}
    (warning,) = doc.warnings
    assert warning.field == "title" and warning.line == 1


def test_enormous_strings_are_refused() -> None:
    with pytest.raises(ContentError) as exc:
        parse_yaml("title: " + "x" * 30_000 + "\n", Path("p.yaml"))
    assert "too long" in messages(exc)[0]


def test_surrogate_escapes_are_decoded_not_deleted() -> None:
    """An emoji written as JSON/YAML escapes its two UTF-16 halves: it is the emoji."""
    doc = parse_yaml(
        'title: "Schone wijk \\ud83d\\ude00"\nquote: "\\U0001F600 ok"\n', Path("p.yaml")
    )
    assert doc.data == {"title": "Schone wijk 😀", "quote": "😀 ok"}
    assert doc.warnings == []


def test_half_a_surrogate_pair_is_removed_with_a_warning_that_says_so() -> None:
    doc = parse_yaml('title: "half \\ud83d here"\n', Path("p.yaml"))
    assert doc.data == {"title": "half  here"}
    (warning,) = doc.warnings
    text = warning.render()
    assert "p.yaml:1: title: removed half of an escaped character (U+D83D)" in text
    assert "control characters" not in text
