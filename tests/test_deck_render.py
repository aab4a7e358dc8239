"""Decks as a reader sees them: the example content, long content and templates made elsewhere,
rendered by LibreOffice and read back with PyMuPDF (tests/deck_check.py): no text line leaves the
slide, overlaps another line or leaves its own box. Also: what each audience gets, and its notes.

The decks are built once per module and converted in one LibreOffice run.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from pptx import Presentation

from generator.build import plan
from generator.doctree import Deck
from generator.loader import load_workspace
from generator.pdf import find_soffice
from generator.pptx_builder import build_deck
from generator.render import build_context, template_names
from generator.selection import select
from generator.templating import TemplateLibrary

from .conftest import MINIMAL_PROJECT
from .deck_check import layout_problems, render_pdfs

ROOT = Path(__file__).resolve().parents[1]
LONG = ROOT / "tests" / "data" / "long" / "content"
THEMES = ROOT / "tests" / "data" / "themes"
FOREIGN = {
    "mecanon": THEMES / "mecanon" / "deck.potx",
    "libreoffice": THEMES / "libreoffice" / "deck.pptx",
    "voorbeeldstad-43": THEMES / "voorbeeldstad-43" / "deck.pptx",
}
needs_soffice = pytest.mark.skipif(find_soffice() is None, reason="LibreOffice is not installed")


@dataclass(frozen=True)
class Built:
    """One deck: its tree, file and warnings."""

    name: str
    tree: Deck
    path: Path
    warnings: list[str]
    audience: str


def decks_of(root: Path, out: Path, prefix: str, only: set[str] | None = None) -> list[Built]:
    """Build the decks of a workspace (decks only) into ``out``."""
    workspace = load_workspace(root)
    built = []
    for job in plan(workspace):
        name = f"{prefix}-{job.project.slug}-{job.audience_key}"
        if only is not None and f"{job.project.slug}-{job.audience_key}" not in only:
            continue
        library = TemplateLibrary.for_project(job.project.folder, workspace.root)
        sel = select(job.project.content, job.audience_key, workspace.audiences[job.audience_key])
        context = build_context(workspace, job.project, sel, library)
        tree = library.render(library.find(template_names("deck", sel.audience_key)), context, Deck)
        data, warnings = build_deck(tree, job.project.theme, dt.datetime(2027, 3, 11))
        path = out / f"{name}.pptx"
        path.write_bytes(data)
        built.append(Built(name, tree, path, warnings, job.audience_key))
    return built


def workspace_with(tmp: Path, name: str, theme: Path | None) -> Path:
    """The example content plus the long project, optionally on another theme."""
    root = tmp / name
    shutil.copytree(ROOT / "content", root / "content")
    shutil.copytree(LONG / "lange-teksten", root / "content" / "lange-teksten")
    shutil.copy(LONG / "audiences.yaml", root / "content" / "audiences.yaml")
    if theme is not None:
        for project in (root / "content").glob("*/project.yaml"):
            text = project.read_text(encoding="utf-8")
            text = text.replace("theme: default", f"theme: {theme}")
            project.write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def decks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    """Every deck of the example and the long project on the default theme, and the doubters'
    decks (the longest) of both on each foreign template."""
    tmp = tmp_path_factory.mktemp("decks")
    out = tmp / "out"
    out.mkdir()
    built = decks_of(workspace_with(tmp, "default", None), out, "default")
    for name, template in FOREIGN.items():
        root = workspace_with(tmp, name, template)
        built += decks_of(
            root,
            out,
            name,
            {"lange-teksten-doubters", "slimme-verlichting-doubters", "smart-bins-supporters"},
        )
    return {b.name: b for b in built}


@pytest.fixture(scope="module")
def pdfs(decks: dict[str, Built], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("pdf")
    converted = render_pdfs([b.path for b in decks.values()], out)
    return {b.name: converted[b.path] for b in decks.values()}


@needs_soffice
def test_no_text_leaves_the_slide_its_box_or_overlaps(
    decks: dict[str, Built], pdfs: dict[str, Path]
) -> None:
    assert len(decks) == 8 + 3 * 3
    problems = {}
    for name, built in decks.items():
        found = layout_problems(built.path, pdfs[name])
        if found:
            problems[name] = found
    assert not problems


def titles(built: Built) -> list[str]:
    prs = Presentation(io.BytesIO(built.path.read_bytes()))
    return [s.shapes.title.text_frame.text if s.shapes.title else "" for s in prs.slides]


def test_supporters_get_a_short_pitch(decks: dict[str, Built]) -> None:
    for project in ("slimme-verlichting", "smart-bins", "lange-teksten"):
        built = decks[f"default-{project}-supporters"]
        count = len(Presentation(str(built.path)).slides)
        assert count <= 12, (project, count)
        kinds = [s.kind for s in built.tree.slides]
        assert "agenda" not in kinds and "hats" not in kinds and "balance" not in kinds
        assert "5 minut" in built.tree.slides[0].notes or "5 minutes" in built.tree.slides[0].notes


def test_doubters_get_the_bigger_picture_and_back_up(decks: dict[str, Built]) -> None:
    built = decks["default-slimme-verlichting-doubters"]
    kinds = [s.kind for s in built.tree.slides]
    for kind in ("agenda", "balance", "hats", "chart", "closing"):
        assert kind in kinds
    closing = kinds.index("closing")
    assert all(s.backup for s in built.tree.slides[closing + 1 :])
    assert len(built.tree.slides[closing + 1 :]) == 1 + 3  # section + three objections
    chart = next(s for s in built.tree.slides if s.kind == "chart")
    assert chart.chart is not None and len(chart.charts) == 1  # costs beside KPIs
    hats = next(s for s in built.tree.slides if s.kind == "hats")
    assert [c.key for c in hats.columns] == ["white", "red", "black", "yellow", "green", "blue"]
    red = hats.columns[1].items[0].text
    assert red == "Donkere straten zijn onveiliger."
    balance = next(s for s in built.tree.slides if s.kind == "balance")
    assert "Aanpak" in balance.columns[1].items[1].text


def test_a_named_alderman_gets_the_blocks_of_his_tools_in_the_order_of_his_drivers(
    decks: dict[str, Built],
) -> None:
    built = decks["default-lange-teksten-wethouder-jansen"]
    kinds = [s.kind for s in built.tree.slides]
    assert "balance" in kinds and "hats" in kinds  # his tools: values-balance, thinking-hats
    order = [s.title for s in built.tree.slides]
    # drivers money, results: costs, then results and KPIs, right after the benefits
    start = order.index("Wat het oplevert")
    assert order[start + 1 : start + 5] == [
        "Kosten en dekking",
        "Wat het kost en wat het oplevert",
        "Wat we al bereikt hebben",
        "Doelen in cijfers",
    ]
    assert "Wethouder Jansen" in built.tree.slides[0].notes
    assert "geld, resultaten" in built.tree.slides[0].notes


def test_notes_are_written_for_the_audience(decks: dict[str, Built]) -> None:
    doubters = decks["default-slimme-verlichting-doubters"].tree
    supporters = decks["default-slimme-verlichting-supporters"].tree
    assert all(s.notes.strip() for s in doubters.slides + supporters.slides)
    expected = [s for s in doubters.slides if "Verwacht bezwaar:" in s.notes]
    assert len(expected) >= 10
    assert not any("Verwacht bezwaar:" in s.notes for s in supporters.slides)
    assert any("Benadruk:" in s.notes for s in supporters.slides)
    tips = [s.notes for s in supporters.slides if "Tip voor deze fase:" in s.notes]
    assert len({n.split("Tip voor deze fase:")[1] for n in tips}) >= 3  # tips vary per slide


def with_smart_city_for_doubters(root: Path) -> None:
    """The doubters' tools include the smart-city presentation (and the idea box)."""
    audiences = (root / "content" / "audiences.yaml").read_text(encoding="utf-8")
    audiences = audiences.replace(
        "tools: [project-pitch, thinking-hats, values-balance, kvs]",
        "tools: [smart-city-presentation, project-pitch, idea-box, kvs]",
    )
    (root / "content" / "audiences.yaml").write_text(audiences, encoding="utf-8")


def test_smart_city_slide_names_the_other_projects(tmp_path: Path) -> None:
    root = workspace_with(tmp_path, "sc", None)
    with_smart_city_for_doubters(root)
    out = tmp_path / "out"
    out.mkdir()
    built = decks_of(root, out, "sc", {"slimme-verlichting-doubters"})[0]
    slide = next(s for s in built.tree.slides if s.title == "Wat is een slimme stad?")
    text = " ".join(i.text for i in slide.items)
    assert "Smart waste containers" in text and "Een heel lang projectnaam" in text
    idea = next(s for s in built.tree.slides if s.title == "Ideeënbus")
    assert any("lotte.devries@voorbeeldstad.nl" in i.text for i in idea.items)
    kvs = next(s for s in built.tree.slides if s.title == "Kansen voor samenwerking")
    assert kvs.table is not None and kvs.table.header[0] == "Afdeling"


def test_foreign_templates_keep_their_size_and_say_what_they_lack(
    decks: dict[str, Built],
) -> None:
    four_three = Presentation(str(decks["voorbeeldstad-43-slimme-verlichting-doubters"].path))
    assert four_three.slide_width * 3 == four_three.slide_height * 4
    warnings = decks["voorbeeldstad-43-slimme-verlichting-doubters"].warnings
    assert any("no layout for 'section' slides" in w for w in warnings)
    assert not decks["default-slimme-verlichting-doubters"].warnings


def test_a_big_programme_shows_the_four_most_related_projects_and_counts_the_rest(
    tmp_path: Path,
) -> None:
    root = workspace_with(tmp_path, "big", None)
    with_smart_city_for_doubters(root)
    for n in range(1, 8):
        # Projects 6 and 7 serve the example's coalition item: they are the related ones.
        policy = (
            "policy:\n  coalition_agreement:\n    - Voorbeeldstad is in 2040 klimaatneutraal.\n"
            if n >= 6
            else ""
        )
        text = MINIMAL_PROJECT.replace("Minimaal project", f"Project nummer {n}") + policy
        (root / "content" / f"project-{n}").mkdir()
        (root / "content" / f"project-{n}" / "project.yaml").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    built = decks_of(root, out, "big", {"slimme-verlichting-doubters"})[0]
    slide = next(s for s in built.tree.slides if s.title == "Wat is een slimme stad?")
    shown = [i.text for i in slide.items if i.level == 1 and "**" in i.text]
    assert len(shown) == 4
    assert "Project nummer 6" in shown[0] and "Project nummer 7" in shown[1]
    assert slide.items[-1].text == "… en nog 5 andere projecten (zie het programma-overzicht)"
    assert not [w for w in built.warnings if "Wat is een slimme stad?" in w]
