"""The programme deck (generator/compose/programme.py): every project side by side, and a matrix of
projects against the coalition agreement items and programmes they serve."""

from __future__ import annotations

import shutil
from pathlib import Path

from pptx import Presentation

from generator.compose.programme import programme_documents, programme_language, render_programme
from generator.content.loader import load_workspace

ROOT = Path(__file__).resolve().parents[2]


def test_one_slide_per_project_and_a_policy_matrix() -> None:
    workspace = load_workspace(ROOT)
    deck = render_programme(workspace)
    assert deck is not None
    kinds = [s.kind for s in deck.slides]
    assert kinds == ["title", "table", "bullets", "bullets", "matrix"]
    assert all(s.notes for s in deck.slides)
    lights, bins = deck.slides[2], deck.slides[3]
    assert lights.title == "Slimme openbare verlichting"
    assert lights.subtitle is not None and lights.subtitle.startswith("Met LED en slim dimmen")
    text = " ".join(i.text for i in lights.items)
    assert (
        "pilotfase" in text
        and "€\xa0250.000; nettobesparing per jaar €\xa0141.000; terugverdiend in 2030" in text
        and "avondwandeling" in text
    )
    assert "opschaalfase" in " ".join(i.text for i in bins.items)
    matrix = deck.slides[4].table
    assert matrix is not None
    assert matrix.header[1:] == ["Slimme openbare verlichting", "Smart waste containers"]
    rows = {r[0]: r[1:] for r in matrix.rows}
    assert rows["Programma: Binnenstadsvisie 2035"] == ["● ja", ""]
    assert rows["Coalitieakkoord: A clean and liveable city for everyone."] == ["", "● ja"]
    # a programme named with its own word is not "Programma: Programma ..."
    assert rows["Programma Duurzaam Voorbeeldstad 2026-2030"] == ["● ja", ""]
    assert not any(label.startswith("Programma: Programma") for label in rows)
    assert len(rows) == 3 + 3 + 3 + 2 + 1  # coalition items and programmes, and what is shared
    # the two example projects share nothing, and the slide says so
    assert deck.slides[4].title == "Deze projecten delen geen afspraak of programma"
    assert rows["**Deelt beleid met**"] == ["geen ander project", "geen ander project"]
    assert (
        "Slimme openbare verlichting en Smart waste containers delen geen" in deck.slides[4].notes
    )


def test_items_that_mean_the_same_are_one_row(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    bins = tmp_path / "content" / "smart-bins" / "project.yaml"
    text = bins.read_text(encoding="utf-8")
    # other case, punctuation, period and the programme's own word: the same items
    text = text.replace(
        "  programmes:\n",
        "  programmes:\n    - programma binnenstadsvisie.\n    - Duurzaam Voorbeeldstad\n",
        1,
    )
    text = text.replace(
        "  coalition_agreement:\n",
        "  coalition_agreement:\n    - Zorgvuldig omgaan met gemeenschapsgeld\n",
        1,
    )
    bins.write_text(text, encoding="utf-8")
    deck = render_programme(load_workspace(tmp_path))
    assert deck is not None
    matrix = deck.slides[-1]
    assert matrix.title == "Projecten en beleid" and matrix.table is not None
    rows = [(r[0], r[1:]) for r in matrix.table.rows]
    # shared by both first, written as the first project wrote them
    assert rows[:3] == [
        ("Coalitieakkoord: Zorgvuldig omgaan met gemeenschapsgeld.", ["● ja", "● ja"]),
        ("Programma Duurzaam Voorbeeldstad 2026-2030", ["● ja", "● ja"]),
        ("Programma: Binnenstadsvisie 2035", ["● ja", "● ja"]),
    ]
    assert rows[-1] == ("**Deelt beleid met**", ["1 ander project", "1 ander project"])
    assert "delen geen" not in matrix.notes


def test_labels_and_numbers_in_the_workspace_language(built: Path) -> None:
    prs = Presentation(str(built / "programme.pptx"))
    table = next(sh for sh in prs.slides[1].shapes if sh.has_table).table
    cells = [c.text for row in table.rows for c in row.cells]
    assert cells[:5] == [
        "Project",
        "Investering",
        "Nettobesparing per jaar",
        "Terugverdiend",
        "Volgende besluit",
    ]
    # the English project's money in the Dutch format, like every number of this deck
    assert "€\xa0486.000" in cells and "€486,000" not in cells
    # its content as written
    assert "Q4 2026: Council decision on scale-up" in cells
    assert cells[-5:-1] == ["Totaal", "€\xa0736.000", "€\xa0268.000", "samen in 2,7 jaar"]


def test_a_policy_item_both_projects_serve_is_one_row_with_two_marks(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    bins = tmp_path / "content" / "smart-bins" / "project.yaml"
    text = bins.read_text(encoding="utf-8")
    text = text.replace("  programmes:\n", "  programmes:\n    - Binnenstadsvisie  2035\n", 1)
    bins.write_text(text, encoding="utf-8")
    deck = render_programme(load_workspace(tmp_path))
    assert deck is not None and deck.slides[-1].table is not None
    rows = {r[0]: r[1:] for r in deck.slides[-1].table.rows}
    assert rows["Programma: Binnenstadsvisie 2035"] == ["● ja", "● ja"]


def test_no_programme_for_a_single_project(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.rmtree(tmp_path / "content" / "smart-bins")
    workspace = load_workspace(tmp_path)
    assert render_programme(workspace) is None
    assert programme_documents(workspace, tmp_path / "out") == []


def test_language_is_that_of_most_projects() -> None:
    workspace = load_workspace(ROOT)
    assert programme_language(workspace) == "nl"  # a tie: the first project's


def test_the_build_writes_programme_pptx_in_the_output_root(built: Path) -> None:
    path = built / "programme.pptx"
    assert path.is_file()
    prs = Presentation(str(path))
    assert len(prs.slides) == 5
    table = next(sh for sh in prs.slides[4].shapes if sh.has_table).table
    assert table.cell(0, 1).text == "Slimme openbare verlichting"
