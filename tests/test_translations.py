"""audiences.<language>.yaml: the same groups, written for projects in another language."""

from __future__ import annotations

from pathlib import Path

import pytest
from pptx import Presentation

from generator.content.loader import load_workspace
from generator.errors import ContentError
from generator.pipeline.build import build
from tests.conftest import write


def test_projects_get_the_groups_in_their_language(workspace: Path) -> None:
    ws = load_workspace(workspace)
    by_slug = {p.slug: p for p in ws.projects}
    assert ws.audience(by_slug["slimme-verlichting"], "supporters").name == (
        "Voorstanders & aanhangers"
    )
    assert ws.audience(by_slug["smart-bins"], "supporters").name == "Supporters & followers"


def test_english_deck_has_no_dutch_tips(workspace: Path) -> None:
    build(workspace, jobs=1, audiences=["supporters"])
    deck = workspace / "output" / "smart-bins" / "smart-bins-supporters-pitch.pptx"
    slides = Presentation(str(deck)).slides
    text = " ".join(sh.text_frame.text for s in slides for sh in s.shapes if sh.has_text_frame)
    notes = " ".join(s.notes_slide.notes_text_frame.text for s in slides)
    # The goal is the project lead's: in the English notes, never on a slide.
    assert "Secure support" in notes and "Secure support" not in text
    assert "Draagvlak" not in text and "Draagvlak" not in notes


def test_a_translation_may_leave_groups_out_but_not_add_any(workspace: Path) -> None:
    write(
        workspace / "content" / "audiences.en.yaml",
        "supporters:\n  name: S\n  stages: {start: {goal: G}}\n",
    )
    ws = load_workspace(workspace)
    english = next(p for p in ws.projects if p.content.language == "en")
    assert ws.audience(english, "supporters").name == "S"
    assert ws.audience(english, "doubters").name == "Twijfelaars & tegenstanders"
    write(
        workspace / "content" / "audiences.en.yaml",
        "aldermen:\n  name: A\n  stages: {start: {goal: G}}\n",
    )
    with pytest.raises(ContentError) as exc:
        load_workspace(workspace)
    (problem,) = exc.value.problems
    assert problem.render(workspace) == (
        "content/audiences.en.yaml:1: aldermen: 'aldermen' is not a group of audiences.yaml; "
        "this file only translates the groups of audiences.yaml for projects in that language; "
        "known groups: supporters, doubters"
    )
