"""Issue 15 item 14: content is shown exactly as written.

Templates never glue content into Markdown; a field that is not Markdown by design (the content
format marks those *(Markdown)*) is shown character for character, whatever Markdown, XML or
template syntax it holds. Hypothesis writes random text into every plain-text field of the
example project at once, builds it (no PDF), and finds each field's text verbatim in the
slides (text, tables, charts, alt text) and the handout (body, header, footer), read back with
python-pptx and python-docx. Which fields the documents show at all is learnt first, from a
build with a plain word in each field.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from docx import Document
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pptx import Presentation
from pydantic import BaseModel

from generator.content.model import ProjectFile, allows_markdown
from generator.pipeline.build import build
from tests.conftest import EXAMPLE_CONTENT

PROJECT = "slimme-verlichting"

# Not free text: a theme name, the audience keys, an image's file and role, the themes matched
# against drivers, the currency code and the web address (validated as one) steer the build.
NOT_TEXT = {
    ("theme",),
    ("audiences",),
    ("images", 0, "file"),
    ("images", 0, "role"),
    ("benefits", 0, "themes"),
    ("costs", "currency"),
    ("project", "url"),
}

MARKUP = [
    "**",
    "__",
    "*",
    "_",
    "`",
    "``",
    "\\",
    "\\*",
    "[x](https://voorbeeldstad.nl)",
    "[y]",
    "](",
    "<b>",
    "</w:t>",
    "&amp;",
    "&",
    "<",
    ">",
    '"',
    "'",
    "#",
    "~",
    "|",
    "{",
    "}",
    "{{ x }}",
    "{%",
    "!",
    "__class__",
    "10**9",
    "€",
    "é",
    "漢字",
    "😀",
    "ß",
    " ",
]

random_text = st.lists(
    st.one_of(
        st.sampled_from(MARKUP),
        st.characters(categories=["L", "N", "P", "S"], exclude_characters="\x85"),
    ),
    min_size=1,
    max_size=6,
).map("".join)


def _plain_fields(data: Any, model: type[BaseModel], path: tuple[Any, ...] = ()) -> Iterator[tuple]:
    """Paths of the plain-text fields present in ``data`` (the first item of each list)."""
    for name, info in model.model_fields.items():
        if name not in data:
            continue
        here = (*path, name)
        value = data[name]
        inner = _model_of(info.annotation)
        if inner is not None:
            if isinstance(value, list) and value and isinstance(value[0], dict):
                yield from _plain_fields(value[0], inner, (*here, 0))
            elif isinstance(value, dict):
                yield from _plain_fields(value, inner, here)
        elif allows_markdown(info) or here in NOT_TEXT:
            continue
        elif "_as_text" not in repr((info.annotation, info.metadata)):
            continue  # not text: a choice (language, stage), a number, a date, a yes/no
        elif isinstance(value, list) and value and not isinstance(value[0], dict | list):
            yield (*here, 0)
        elif not isinstance(value, dict | list):  # text, or a year or date written as text
            yield here


def _model_of(annotation: Any) -> type[BaseModel] | None:
    candidates = [annotation, *getattr(annotation, "__args__", ())]
    for c in candidates:
        if isinstance(c, type) and issubclass(c, BaseModel):
            return c
    return None


def _set(data: Any, path: tuple[Any, ...], value: str) -> None:
    for key in path[:-1]:
        data = data[key]
    data[path[-1]] = value


def _pptx_texts(path: Path) -> list[str]:
    """What a deck shows: every paragraph, table cell, chart label, alt text and the title."""
    prs = Presentation(str(path))
    out = [prs.core_properties.title or "", prs.core_properties.author or ""]

    def shapes(items: Any) -> Iterator[Any]:
        for shape in items:
            yield shape
            if shape.shape_type == 6:  # a group
                yield from shapes(shape.shapes)

    for slide in prs.slides:
        for shape in shapes(slide.shapes):
            out.append(shape._element.xpath("string(.//p:cNvPr/@descr)") or "")
            if shape.has_text_frame:
                out += [p.text for p in shape.text_frame.paragraphs]
            if getattr(shape, "has_table", False) and shape.has_table:
                out += [c.text for row in shape.table.rows for c in row.cells]
            if getattr(shape, "has_chart", False) and shape.has_chart:
                chart = shape.chart
                out += [str(c) for c in chart.plots[0].categories]
                out += [s.name for plot in chart.plots for s in plot.series]
    return out


def _docx_texts(path: Path) -> list[str]:
    """What a handout shows: body, tables, header and footer paragraphs, and the title."""
    doc = Document(str(path))
    out = [doc.core_properties.title or "", doc.core_properties.author or ""]
    out += [p.text for p in doc.paragraphs]
    out += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    for section in doc.sections:
        for part in (section.header, section.footer, section.first_page_header):
            out += [p.text for p in part.paragraphs]
            out += [c.text for t in part.tables for row in t.rows for c in row.cells]
    out += [d.get("descr", "") for d in doc.element.body.iter() if d.tag.endswith("}docPr")]
    return out


def _texts(root: Path) -> tuple[list[str], list[str]]:
    """Build the workspace; the decks' texts and the handouts' texts."""
    out = root / "output"
    if out.exists():
        shutil.rmtree(out)
    build(root, jobs=1)
    decks = [t for p in sorted(out.rglob("*.pptx")) for t in _pptx_texts(p)]
    handouts = [t for p in sorted(out.rglob("*.docx")) for t in _docx_texts(p)]
    return decks, handouts


def _marker(i: int) -> str:
    return f"⟦{i:02d}"


def _shown(root: Path, values: dict[tuple, str]) -> dict[tuple, dict[str, bool]]:
    """Per field, whether its value is in the decks' and in the handouts' text."""
    decks, handouts = _texts(root)
    return {
        path: {"deck": any(v in t for t in decks), "handout": any(v in t for t in handouts)}
        for path, v in values.items()
    }


def _workspace(root: Path, values: dict[tuple, str], data: Any) -> None:
    for path, value in values.items():
        _set(data, path, value)
    target = root / "content" / PROJECT / "project.yaml"
    target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="module")
def shown_fields(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple], dict]:
    """A workspace copy, the project's plain-text fields, and where each one is shown."""
    root = tmp_path_factory.mktemp("verbatim")
    shutil.copytree(EXAMPLE_CONTENT, root / "content")
    source = root / "content" / PROJECT / "project.yaml"
    original = yaml.safe_load(source.read_text(encoding="utf-8"))
    fields = list(_plain_fields(original, ProjectFile))
    words = {path: f"{_marker(i)}woord⟧" for i, path in enumerate(fields)}
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    _workspace(root, words, data)
    where = _shown(root, words)
    (root / "original.yaml").write_text(yaml.safe_dump(original, allow_unicode=True))
    return root, fields, where


def test_every_plain_text_field_is_found_and_most_are_shown(shown_fields: Any) -> None:
    _, fields, where = shown_fields
    shown = [f for f in fields if where[f]["deck"] or where[f]["handout"]]
    assert len(fields) >= 30, fields
    # Every field of the kinds a reader sees is on a slide or the handout (the rest, like the
    # department, goes into speaker notes or nowhere).
    for expected in [
        ("project", "title"),
        ("project", "municipality"),
        ("benefits", 0, "title"),
        ("kpis", 0, "name"),
        ("risks", 0, "risk"),
        ("objections", 0, "objection"),
        ("values", "gains", 0, "value"),
        ("timeline", 0, "milestone"),
        ("images", 0, "alt"),
        ("project", "contact", "email"),
    ]:
        assert expected in shown, (expected, where.get(expected))


@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=random_text)
@example(text="__class__ 10**9 *x* [x](https://y.nl) <b>&amp;</b> `c` \\ {{ t }}")
def test_random_text_in_every_plain_field_is_shown_verbatim(shown_fields: Any, text: str) -> None:
    root, fields, where = shown_fields
    # Each field its own value: a field number before the random text and a mark after it, so
    # that one field's text cannot stand in for another's and nothing at an end is trimmed.
    values = {path: f"{_marker(i)}{text}⟧" for i, path in enumerate(fields)}
    data = yaml.safe_load((root / "original.yaml").read_text())
    _workspace(root, values, data)
    decks, handouts = _texts(root)
    problems = []
    for i, path in enumerate(fields):
        # Shown where a plain word is shown (the handout may leave a section out for its
        # longer text, so a field the deck shows too may be found in either)...
        shown = where[path]["deck"] or where[path]["handout"]
        if shown and not any(values[path] in t for t in decks + handouts):
            problems.append((path, "not shown"))
        # ... and wherever the field appears, it appears whole, no character lost or added.
        partial = [t for t in decks + handouts if _marker(i) in t and values[path] not in t]
        if partial:
            problems.append((path, partial[:2]))
    assert not problems, (values[fields[0]], problems)


def test_markdown_fields_still_render_markdown_and_lead_ins_are_bold(workspace: Path) -> None:
    """The issue's examples: a benefit titled ``__class__`` or ``10**9`` shows exactly that, in
    bold, while the benefit text's own Markdown is still bold and its asterisks gone."""
    source = workspace / "content" / PROJECT / "project.yaml"
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data["benefits"][0]["title"] = "__class__"
    data["benefits"][1]["title"] = "10**9 kWh"
    data["benefits"][1]["text"] = "Dat scheelt **€ 156.000 per jaar**."
    source.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    build(workspace, jobs=1)
    out = workspace / "output" / PROJECT
    deck = Presentation(str(out / f"{PROJECT}-supporters-pitch.pptx"))
    runs = [
        (r.text, r.font.bold)
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_text_frame
        for p in shape.text_frame.paragraphs
        for r in p.runs
    ]
    handout = Document(str(out / f"{PROJECT}-supporters-handout.docx"))
    runs += [(r.text, r.bold) for p in handout.paragraphs for r in p.runs]
    runs += [
        (r.text, r.bold)
        for t in handout.tables
        for row in t.rows
        for c in row.cells
        for p in c.paragraphs
        for r in p.runs
    ]
    for text in ("__class__", "10**9 kWh", "€ 156.000 per jaar"):
        bold = [b for t, b in runs if t == text]
        assert len(bold) >= 2 and all(bold), (text, [r for r in runs if text[:4] in r[0]])
    assert not any("**" in t for t, _ in runs if "156.000" in t)
