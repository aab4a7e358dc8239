"""Decks as a reader sees them: the example content, long content and templates made elsewhere,
rendered by LibreOffice and read back with PyMuPDF (tests/deck_check.py): no text line leaves the
slide, overlaps another line or leaves its own box. Also: what each audience gets, and its notes.

The decks are built once per module and converted in one LibreOffice run.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pptx import Presentation

from generator.compose.doctree import Deck, Slide
from generator.compose.render import render_documents
from generator.compose.selection import select
from generator.compose.templating import TemplateLibrary
from generator.content.loader import load_workspace
from generator.deck.builder import build_deck
from generator.export.pdf import find_soffice
from generator.pipeline.build import plan
from tests.conftest import MINIMAL_PROJECT
from tests.deck_check import layout_problems, render_pdfs

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
        tree = render_documents(workspace, job.project, sel, library).deck
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


def slide_text(slide: Slide) -> str:
    """Everything a slide shows (title, lines, columns, table), as one string."""
    parts = [slide.title, slide.subtitle or ""]
    parts += [i.text for i in slide.items]
    parts += [c.heading or "" for c in slide.columns]
    parts += [i.text for c in slide.columns for i in c.items]
    if slide.table is not None:
        parts += slide.table.header + [cell for row in slide.table.rows for cell in row]
    parts += [f"{n.value} {n.label} {n.detail or ''}" for n in slide.numbers]
    parts += [f"{st.when} {st.text}" for st in slide.steps]
    return " ".join(parts)


def test_supporters_get_a_short_pitch(decks: dict[str, Built]) -> None:
    for project in ("slimme-verlichting", "smart-bins", "lange-teksten"):
        built = decks[f"default-{project}-supporters"]
        count = len(Presentation(str(built.path)).slides)
        assert count <= 10, (project, count)
        kinds = [s.kind for s in built.tree.slides]
        assert "agenda" not in kinds and "hats" not in kinds and "balance" not in kinds
        assert "5 minut" in built.tree.slides[0].notes or "5 minutes" in built.tree.slides[0].notes
    # What supporters can do, instead of the project lead's playbook.
    tree = decks["default-slimme-verlichting-supporters"].tree
    act = next(s for s in tree.slides if s.title == "Wat u kunt doen")
    text = slide_text(act)
    assert "Vertel het door" in text and "Avondwandeling" in text and "Noem het project" in text
    closing = next(s for s in tree.slides if s.kind == "closing")
    assert "Avondwandeling" not in slide_text(closing)  # the visit once


def test_message_first_and_again_at_the_close(decks: dict[str, Built]) -> None:
    key = "Met LED en slim dimmen halveren we het stroomverbruik"
    for audience in ("supporters", "doubters"):
        built = decks[f"default-slimme-verlichting-{audience}"]
        slides = built.tree.slides
        assert slides[1].kind == "statement" and slides[1].title.startswith("Om drie uur")
        assert slides[2].kind == "statement" and slides[2].title.startswith(key)
        closing = next(s for s in slides if s.kind == "closing")
        assert key in slide_text(closing)
        # The built file: the statement in sentence case, never cut
        prs = Presentation(str(built.path))
        shown = prs.slides[1].shapes.title.text_frame.text
        assert shown == slides[1].title and "…" not in shown
        caps = [r.get("cap") for r in prs.slides[1].shapes.title._element.iter(f"{{{A}}}rPr")]
        assert caps and set(caps) == {"none"}


A = "http://schemas.openxmlformats.org/drawingml/2006/main"


def test_no_title_is_cut_or_ends_in_a_full_stop(decks: dict[str, Built]) -> None:
    for name, built in decks.items():
        prs = Presentation(str(built.path))
        sentences = {s.title for s in built.tree.slides if s.kind in ("statement", "title")}
        for n, slide in enumerate(prs.slides, 1):
            title = slide.shapes.title.text_frame.text if slide.shapes.title else ""
            assert "…" not in title, (name, n, title)
            if title not in sentences:
                assert not title.endswith("."), (name, n, title)


def test_the_audience_never_sees_the_playbook(
    decks: dict[str, Built], workspace_root: Path
) -> None:
    """Goals and tips of audiences.yaml are in the notes, never on a slide."""
    import yaml

    groups = yaml.safe_load((workspace_root / "audiences.yaml").read_text(encoding="utf-8"))
    playbook = [
        text
        for group in groups.values()
        for plan in group["stages"].values()
        for text in [plan["goal"], *plan.get("tips", [])]
    ]
    for name, built in decks.items():
        if not name.startswith("default-"):
            continue
        prs = Presentation(str(built.path))
        shown = " ".join(
            sh.text_frame.text for sl in prs.slides for sh in sl.shapes if sh.has_text_frame
        )
        assert not [t for t in playbook if t[:40] in shown], name
        assert "Zo houden we draagvlak" not in shown
    notes = " ".join(s.notes for s in decks["default-slimme-verlichting-doubters"].tree.slides)
    assert "Neem twijfelaars mee op een (digitaal) werkbezoek" in notes
    assert "Informeren over de meerwaarde die de pilot laat zien" in notes


@pytest.fixture(scope="module")
def workspace_root() -> Path:
    return LONG


def test_doubters_get_a_short_deck_with_a_back_up(decks: dict[str, Built]) -> None:
    built = decks["default-slimme-verlichting-doubters"]
    slides = built.tree.slides
    kinds = [s.kind for s in slides]
    for kind in ("balance", "hats", "chart", "closing", "image"):
        assert kind in kinds
    assert "agenda" not in kinds  # a short deck
    closing = kinds.index("closing")
    assert closing + 1 <= 12
    back_up = slides[closing + 1 :]
    assert back_up and len(back_up) <= 4 and all(s.backup for s in back_up)
    assert not any(s.backup for s in slides[: closing + 1])
    assert len(Presentation(str(built.path)).slides) == len(slides) == 16  # was 25
    # Each fact once: the KPIs on the chart only, the ask and the visit once.
    main = slides[: closing + 1]
    assert kinds.count("numbers") == 0
    chart = next(s for s in slides if s.kind == "chart")
    assert chart.chart is not None and len(chart.charts) == 1  # costs beside KPIs
    shown = [slide_text(s) for s in main]
    assert sum("Kom mee op de avondwandeling" in t for t in shown) == 1
    assert sum("Avondwandeling langs" in t for t in shown) == 1
    # Six hats: one question per hat for the room, the team's own answers in the notes.
    hats = next(s for s in slides if s.kind == "hats")
    assert [c.key for c in hats.columns] == ["white", "red", "black", "yellow", "green", "blue"]
    assert all(len(c.items) == 1 and c.items[0].text.endswith("?") for c in hats.columns)
    assert "Donkere straten zijn onveiliger." in hats.notes
    # KVS as a request: which department, with what, by when.
    kvs = next(s for s in slides if s.title == "Welke afdeling doet mee?")
    assert kvs.table is not None and kvs.table.header == ["Afdeling", "Wat we vragen", "Wanneer"]
    assert all(row[2] for row in kvs.table.rows)
    # Objections: answer first, the objection labelled, two to a slide.
    objections = [s for s in back_up if s.title.startswith("Vragen en bezwaren")]
    assert [len(s.items) for s in objections] == [4, 2]
    assert objections[0].items[0].text.startswith("We dimmen")
    assert objections[0].items[1].text == "Bezwaar: Donkere straten zijn onveiliger."
    # The bigger picture says what the project contributes to each programme.
    policy = next(s for s in slides if s.title == "Het grotere plaatje")
    assert "240 ton minder CO₂ per jaar" in slide_text(policy)
    balance = next(s for s in slides if s.kind == "balance")
    assert "Aanpak" in balance.columns[1].items[1].text


def test_title_slide_and_slide_numbers(decks: dict[str, Built]) -> None:
    built = decks["default-slimme-verlichting-doubters"]
    prs = Presentation(str(built.path))
    first = " ".join(sh.text_frame.text for sh in prs.slides[0].shapes if sh.has_text_frame)
    for part in (
        "Gemeente Voorbeeldstad",
        "Lotte de Vries",
        "Wethouder Openbare Ruimte",
        "11 maart 2027",
    ):
        assert part in first
    for n, slide in enumerate(prs.slides, 1):
        fields = [
            f for f in slide.shapes._spTree.iter(f"{{{A}}}fld") if f.get("type") == "slidenum"
        ]
        assert (len(fields) == 1) == (n > 1), n
        if fields:
            assert fields[0].findtext(f"{{{A}}}t") == str(n)


def test_a_kpi_with_a_result_states_it_in_the_title(decks: dict[str, Built]) -> None:
    tree = decks["default-slimme-verlichting-supporters"].tree
    numbers = next(s for s in tree.slides if s.kind == "numbers")
    assert numbers.title == "−58% stroom in de pilot (doel −50%)"
    timeline = next(s for s in tree.slides if s.kind == "timeline")
    assert timeline.steps[0].when == "Q2 2026"
    closing = next(s for s in tree.slides if s.kind == "closing")
    assert "3e kwartaal 2027" in closing.notes and "(0123) 45 67 89" in closing.notes


def test_a_named_alderman_gets_his_drivers_first_within_his_cap(
    decks: dict[str, Built],
) -> None:
    built = decks["default-lange-teksten-wethouder-jansen"]
    order = [s.title for s in built.tree.slides if not s.backup]
    # drivers money, results: the costs right after the benefits, then the results
    start = order.index("Wat het oplevert")
    assert order[start + 1 : start + 4] == [
        "Kosten en dekking",
        "Terugverdiend in 2036, daarna €\xa0165.000 per jaar",  # the charts' message
        "Wat we al bereikt hebben",
    ]
    assert len(order) <= 10
    plan = select(
        built_content(built),
        "wethouder-jansen",
        load_workspace(LONG).audiences["wethouder-jansen"],
    ).deck
    assert plan.moved and "thinking-hats" in plan.moved
    backup = [s.kind for s in built.tree.slides if s.backup]
    assert "hats" in backup  # his tools, over his cap
    assert "Wethouder Jansen" in built.tree.slides[0].notes
    assert "geld, resultaten" in built.tree.slides[0].notes


def built_content(built: Built) -> Any:
    """The content of the long project (the alderman's deck is made from it)."""
    return next(p for p in load_workspace(LONG).projects if p.slug == "lange-teksten").content


def test_notes_are_a_script(decks: dict[str, Built]) -> None:
    from collections import Counter

    for name in ("default-slimme-verlichting-doubters", "default-slimme-verlichting-supporters"):
        tree = decks[name].tree
        main = [s for s in tree.slides if not s.backup]
        assert all(s.notes.strip() for s in tree.slides)
        # time and the step to the next slide, on every main slide but the title and the last
        for slide, following in itertools.pairwise(main[1:]):
            assert "Na ongeveer" in slide.notes, slide.title
            assert f"door naar ‘{following.title}’" in slide.notes, slide.title
        lines = Counter(line for s in tree.slides for line in set(s.notes.splitlines()))
        assert not [line for line, n in lines.items() if n > 3], name
    doubters = decks["default-slimme-verlichting-doubters"].tree
    # each objection once, beside the slide it belongs to
    expected = [s for s in doubters.slides if "Verwacht bezwaar:" in s.notes]
    assert 1 <= len(expected) <= 3
    risks = next(s for s in doubters.slides if s.title == "Risico's en maatregelen")
    assert "Donkere straten zijn onveiliger." in risks.notes
    supporters = decks["default-slimme-verlichting-supporters"].tree
    assert not any("Verwacht bezwaar:" in s.notes for s in supporters.slides)
    visit_tip = next(s for s in supporters.slides if "werkbezoek" in s.notes.lower())
    assert visit_tip.title == "Wat u kunt doen"


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
    kvs = next(s for s in built.tree.slides if s.title == "Welke afdeling doet mee?")
    assert kvs.table is not None and kvs.table.header[0] == "Afdeling"


def test_foreign_templates_keep_their_size_and_say_what_they_lack(
    decks: dict[str, Built],
) -> None:
    four_three = Presentation(str(decks["voorbeeldstad-43-slimme-verlichting-doubters"].path))
    assert four_three.slide_width * 3 == four_three.slide_height * 4
    warnings = decks["voorbeeldstad-43-slimme-verlichting-doubters"].warnings
    assert any("no layout for 'image' slides" in w for w in warnings)
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


def test_long_content_never_makes_a_longer_deck(decks: dict[str, Built]) -> None:
    """Every deck (the long project and foreign templates too) keeps its main part within the
    audience's cap; pages that run over continue in the back-up, named so in the file."""
    caps = {"supporters": 10, "doubters": 12, "wethouder-jansen": 10}
    for name, built in decks.items():
        prs = Presentation(str(built.path))
        names = [s._element.find(f"{{{P}}}cSld").get("name") for s in prs.slides]
        main = [n for n in names if n != "Back-up"]
        assert len(main) <= caps[built.audience], (name, len(main))
        first_backup = names.index("Back-up") if "Back-up" in names else len(names)
        assert all(n == "Back-up" for n in names[first_backup:]), name
    long = decks["default-lange-teksten-doubters"]
    assert any("continues in the back-up" in w for w in long.warnings)


P = "http://schemas.openxmlformats.org/presentationml/2006/main"
