"""Editorial rules for a built deck: what a communications advisor sends back before a council
meeting (``pitchkit check``, as warnings; errors with ``--strict``).

Contract: :func:`deck_editorial` reads a deck's bytes and returns an
:class:`~generator.checks.accessibility.Issue` per finding: more main slides than the audience's
cap; more than :data:`MAX_WORDS` words on a main slide; body text under :data:`BODY_MIN_PT` or
labels under :data:`LABEL_MIN_PT` (in proportion on a slide under 7.5 inches high); a title over two
lines; a chart without a title; goal or tip text of ``audiences.yaml`` (the project lead's playbook)
on a slide. :func:`example_text_left` finds the example text of ``pitchkit init`` unchanged in a
workspace. Pure: nothing is written.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from lxml import etree

from generator.checks.accessibility import Issue, short
from generator.content.reader import dotted
from generator.deck.builder import type_scale
from generator.deck.context import BACKUP_NAME, STATEMENT_NAME
from generator.errors import Problem
from generator.ooxml.geometry import EMU_PER_PT, INSET_X
from generator.ooxml.namespaces import A, P
from generator.theme.metrics import wrap_lines

MAX_WORDS = 40
BODY_MIN_PT = 18.0
LABEL_MIN_PT = 12.0
C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
NS = {"a": A, "p": P, "c": C}
# Placeholders whose text is body text (the rest, but titles and slide furniture, are labels).
BODY_TYPES = {None, "body", "obj", "subTitle"}
FURNITURE = {"title", "ctrTitle", "sldNum", "dt", "ftr", "hdr"}
# Text boxes pitchkit writes as body text (pptx_builder's names); other boxes are labels.
BODY_NAMES = re.compile(r"^(Content|Agenda \d+|Subtitle)$")


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def _shape_text(shape: Any) -> str:
    return "\n".join(
        "".join(t.text or "" for t in p.iter(f"{{{A}}}t")) for p in shape.iter(f"{{{A}}}p")
    )


def _placeholder_type(shape: Any) -> str | None:
    ph = shape.find(f"./*/{{{P}}}nvPr/{{{P}}}ph")
    if ph is None:
        return "none"
    return ph.get("type")


def _text_shapes(slide: Any) -> Iterator[tuple[Any, str | None]]:
    """Every p:sp with text on a slide (in groups too), with its placeholder type ("none": not a
    placeholder)."""
    for sp in slide._element.iter(f"{{{P}}}sp"):
        if sp.find(f"{{{P}}}txBody") is not None:
            yield sp, _placeholder_type(sp)


_WORD_TEXT = re.compile(r"word/(?:document|header\d*|footer\d*)\.xml")
_W_T = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"


def handout_playbook(data: bytes, playbook: Sequence[str]) -> list[Issue]:
    """A goal or tip of ``playbook`` (audiences.yaml) in a handout's body, header or footer:
    the audience reads the handout, the playbook is the project lead's."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as package:
        parts = [n for n in package.namelist() if _WORD_TEXT.fullmatch(n)]
        texts = [
            t.text or "" for name in parts for t in etree.fromstring(package.read(name)).iter(_W_T)
        ]
    text = _norm(" ".join(texts))
    return [
        Issue(
            "warning",
            "playbook",
            "handout",
            "text",
            f"the project lead's goal or tip is on the handout: '{short(tip)}'",
            "goals and tips of audiences.yaml belong in the speaker notes and the engagement plan",
            subject=tip,
        )
        for tip in playbook
        if len(_norm(tip)) >= 12 and _norm(tip)[:60] in text
    ]


def deck_editorial(data: bytes, cap: int | None, playbook: Sequence[str] = ()) -> list[Issue]:
    """The editorial findings of one deck (see the module contract); ``cap`` is the audience's
    main-slide cap, ``playbook`` its goals and tips."""
    from pptx import Presentation

    prs = Presentation(io.BytesIO(data))
    issues: list[Issue] = []
    main = 0
    # The minimums are meant for a slide 7.5 inches high; in proportion on a smaller one.
    scale = type_scale(int(prs.slide_height or 0))
    body_min, label_min = BODY_MIN_PT * scale, LABEL_MIN_PT * scale
    secret = [(t, _norm(t)[:60]) for t in playbook if len(_norm(t)) >= 12]
    for number, slide in enumerate(prs.slides, 1):
        backup = slide._element.find(f"{{{P}}}cSld").get("name") == BACKUP_NAME
        main += 0 if backup else 1
        title_shape = slide.shapes.title
        title = title_shape.text_frame.text.strip() if title_shape is not None else ""
        where = f"slide {number}" + (f" '{short(title)}'" if title else "")
        shown: list[str] = []
        words = 0
        small_body: set[float] = set()
        small_label: set[float] = set()
        for sp, kind in _text_shapes(slide):
            text = _shape_text(sp)
            shown.append(text)
            if kind in FURNITURE:
                continue
            words += _words(text)
            name = sp.find(f"./{{{P}}}nvSpPr/{{{P}}}cNvPr").get("name", "")
            body = (kind in BODY_TYPES and kind != "none") or bool(BODY_NAMES.match(name))
            sizes = {
                int(r.get("sz")) / 100
                for r in sp.iter(f"{{{A}}}rPr")
                if r.get("sz") and (r.getparent().findtext(f"{{{A}}}t") or "").strip()
            }
            if body:
                small_body |= {s for s in sizes if s < body_min}
            else:
                small_label |= {s for s in sizes if s < label_min}
        for frame in slide._element.iter(f"{{{A}}}tbl"):
            cells = [_shape_text(tc) for tc in frame.iter(f"{{{A}}}tc")]
            shown += cells
            words += sum(_words(c) for c in cells)
            small_label |= {
                int(r.get("sz")) / 100
                for r in frame.iter(f"{{{A}}}rPr")
                if r.get("sz") and int(r.get("sz")) / 100 < label_min
            }
        if not backup and words > MAX_WORDS and number > 1:
            issues.append(
                Issue(
                    "warning",
                    "words",
                    where,
                    "text",
                    f"{words} words on the slide (at most {MAX_WORDS} read well from a screen)",
                    "shorten the texts in the content, or move detail to the notes",
                )
            )
        if small_body:
            issues.append(
                Issue(
                    "warning",
                    "text-size",
                    where,
                    "text",
                    f"body text at {min(small_body):g} pt (at least {body_min:g} pt reads "
                    "from the back of a council chamber)",
                    "shorten the texts on this slide so that they fit larger",
                )
            )
        if small_label:
            issues.append(
                Issue(
                    "warning",
                    "text-size",
                    where,
                    "labels",
                    f"labels at {min(small_label):g} pt (at least {label_min:g} pt)",
                    "shorten the texts on this slide so that they fit larger",
                )
            )
        if title_shape is not None and title and title_shape.name != STATEMENT_NAME:
            lines = _title_lines(prs, title_shape)
            if lines > 2:
                issues.append(
                    Issue(
                        "warning",
                        "title-lines",
                        where,
                        "title",
                        f"the title takes {lines} lines (at most 2)",
                        "write a shorter title",
                    )
                )
        for chart in _charts(slide):
            if (
                chart.find(f"{{{C}}}chart/{{{C}}}title") is None
                or chart.find(f"{{{C}}}chart/{{{C}}}autoTitleDeleted[@val='1']") is not None
            ):
                issues.append(
                    Issue(
                        "warning",
                        "chart-title",
                        where,
                        "chart",
                        "a chart without a title (say what it shows, with its unit)",
                        "give the chart a title in the deck template",
                    )
                )
        text = _norm(" ".join(shown))
        for tip, key in secret:
            if key in text:
                issues.append(
                    Issue(
                        "warning",
                        "playbook",
                        where,
                        "text",
                        f"the project lead's goal or tip is on the slide: '{short(tip)}'",
                        "goals and tips of audiences.yaml belong in the speaker notes only",
                        subject=tip,
                    )
                )
    if cap is not None and main > cap:
        issues.append(
            Issue(
                "warning",
                "slide-cap",
                "deck",
                "slides",
                f"{main} main slides, more than the {cap} this audience takes in",
                "shorten long lists and tables, or leave tools out of the audience's stage",
            )
        )
    return issues


def _charts(slide: Any) -> Iterator[Any]:
    for rel in slide.part.rels.values():
        if rel.reltype.endswith("/chart") and not rel.is_external:
            yield etree.fromstring(rel.target_part.blob)


def _title_lines(prs: Any, shape: Any) -> int:
    """How many lines a title takes in its box, at the size written on its first run."""
    sizes = [int(r.get("sz")) / 100 for r in shape._element.iter(f"{{{A}}}rPr") if r.get("sz")]
    if not sizes:
        return 1
    width = shape.width if shape.width is not None else prs.slide_width
    insets = 2 * INSET_X
    font = next(
        (
            latin.get("typeface")
            for latin in shape._element.iter(f"{{{A}}}latin")
            if not latin.get("typeface", "+").startswith("+")
        ),
        None,
    )
    bold = any(r.get("b") == "1" for r in shape._element.iter(f"{{{A}}}rPr"))
    width_pt = (int(width) - insets) / EMU_PER_PT
    return sum(
        wrap_lines(line, font, bold, sizes[0], width_pt)
        for line in shape.text_frame.text.split("\n")
        if line.strip()
    )


def example_text_left(example_dir: Path, files: Iterable[Path]) -> list[Problem]:
    """Values of ``pitchkit init``'s example content (``example_dir``: its project.yaml files
    and smart-city.yaml) found unchanged in the workspace's ``files``, with file, line and field.
    Only texts of a sentence or more count (a shared "EUR" or stage is no example text)."""
    from generator.content.reader import read_yaml

    shipped: set[str] = set()
    for path in [*sorted(example_dir.glob("*/project.yaml")), example_dir / "smart-city.yaml"]:
        if path.is_file():
            shipped |= {_norm(v) for _, v in _leaves(read_yaml(path).data) if _sentence(v)}
    problems: list[Problem] = []
    for path in files:
        if not path.is_file():
            continue
        doc = read_yaml(path)
        left = [
            loc for loc, value in _leaves(doc.data) if _sentence(value) and _norm(value) in shipped
        ]
        if left:
            problems.append(
                Problem(
                    path,
                    doc.line_of(left[0]),
                    dotted(left[0]),
                    f"{len(left)} text(s) of pitchkit init's example are unchanged in this file",
                    "write your own texts (this is the first)",
                )
            )
    return problems


def _sentence(value: Any) -> bool:
    return isinstance(value, str) and len(value.split()) >= 5


def _leaves(data: Any, loc: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """(location, value) of every scalar in plain YAML data."""
    if isinstance(data, dict):
        for key, child in data.items():
            yield from _leaves(child, (*loc, key))
    elif isinstance(data, list):
        for i, child in enumerate(data):
            yield from _leaves(child, (*loc, i))
    else:
        yield loc, data
