"""Templates: user folder first, a not-found error lists every path, content is data, sandboxed."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.compose.doctree import Deck
from generator.compose.templating import TemplateLibrary, yaml_scalar
from generator.errors import TemplateProblem
from tests.conftest import write

DECK = """title: {{ title }}
author: A
language: nl-NL
slides:
  - kind: title
    title: {{ title }}
    notes: {{ "n" }}
"""


def library(tmp_path: Path, files: dict[str, str]) -> TemplateLibrary:
    for name, text in files.items():
        write(tmp_path / "user" / name, text)
    return TemplateLibrary((tmp_path / "user",))


def test_content_is_data_never_template_code(tmp_path: Path) -> None:
    lib = library(tmp_path, {"deck/x.yaml.j2": DECK})
    evil = "{{ 7 * 7 }}\nslides: []\n- kind: x"
    deck = lib.render("deck/x.yaml.j2", {"title": evil}, Deck)
    assert deck.title == evil
    assert deck.slides[0].title == evil


def test_scalars_are_quoted_yaml() -> None:
    assert yaml_scalar('a "b": c') == '"a \\"b\\": c"'
    assert yaml_scalar(None) == "null"
    assert yaml_scalar(3) == "3"


def test_user_folder_comes_first(tmp_path: Path, workspace: Path) -> None:
    project = workspace / "content" / "slimme-verlichting"
    write(project / "templates" / "deck" / "supporters.yaml.j2", "x")
    lib = TemplateLibrary.for_project(project, workspace)
    assert lib.search_path[0] == project / "templates"
    assert lib.find_file("deck/supporters.yaml.j2") == project / "templates/deck/supporters.yaml.j2"
    assert lib.find_file("deck/base.yaml.j2") is not None  # from the packaged defaults


def test_not_found_lists_every_path_searched(tmp_path: Path) -> None:
    lib = TemplateLibrary((tmp_path / "a", tmp_path / "b"))
    with pytest.raises(TemplateProblem) as exc:
        lib.find(["deck/nobody.yaml.j2", "deck/default.yaml.j2"])
    message = str(exc.value)
    for folder in ("a", "b"):
        for name in ("deck/nobody.yaml.j2", "deck/default.yaml.j2"):
            assert str(tmp_path / folder / name) in message


def test_undefined_names_report_template_file_and_line(tmp_path: Path) -> None:
    lib = library(tmp_path, {"deck/x.yaml.j2": "title: x\n\n{{ nope.field }}\n"})
    with pytest.raises(TemplateProblem) as exc:
        lib.render("deck/x.yaml.j2", {}, Deck)
    assert "x.yaml.j2:3" in str(exc.value)
    assert "nope" in str(exc.value)


def test_syntax_errors_report_file_and_line(tmp_path: Path) -> None:
    lib = library(tmp_path, {"deck/x.yaml.j2": "title: x\n{% if %}\n"})
    with pytest.raises(TemplateProblem) as exc:
        lib.render("deck/x.yaml.j2", {}, Deck)
    assert "x.yaml.j2:2: template syntax error" in str(exc.value)


def test_sandbox_refuses_attribute_tricks(tmp_path: Path) -> None:
    trick = "title: {{ ''.__class__.__mro__[1].__subclasses__() }}\n"
    lib = library(tmp_path, {"deck/x.yaml.j2": trick})
    with pytest.raises(TemplateProblem) as exc:
        lib.render("deck/x.yaml.j2", {}, Deck)
    assert "x.yaml.j2" in str(exc.value)


def test_output_is_bounded(tmp_path: Path) -> None:
    lib = library(
        tmp_path,
        {
            "deck/x.yaml.j2": "{% for i in range(99999) %}{% for j in range(999) %}"
            "xxxxxxxxxx{% endfor %}{% endfor %}"
        },
    )
    with pytest.raises(TemplateProblem) as exc:
        lib.render("deck/x.yaml.j2", {}, Deck)
    assert "more than" in str(exc.value)


def test_runtime_errors_name_the_template(tmp_path: Path) -> None:
    lib = library(tmp_path, {"deck/x.yaml.j2": "title: x\n{{ 1 / 0 }}\n"})
    with pytest.raises(TemplateProblem) as exc:
        lib.render("deck/x.yaml.j2", {}, Deck)
    assert "x.yaml.j2:2: ZeroDivisionError" in str(exc.value)


def test_invalid_tree_names_the_field(tmp_path: Path) -> None:
    lib = library(
        tmp_path, {"deck/x.yaml.j2": "title: x\nauthor: a\nlanguage: nl\nslides:\n  - kind: nope\n"}
    )
    with pytest.raises(TemplateProblem) as exc:
        lib.render("deck/x.yaml.j2", {}, Deck)
    assert "slides[0].kind" in str(exc.value)
