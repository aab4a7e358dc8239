"""The editorial rules of ``pitchkit check`` (generator/checks/editorial.py), on decks built from
small trees and on workspaces: what a communications advisor sends back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from click.testing import CliRunner

from generator.app.cli import cli
from generator.checks.editorial import deck_editorial
from generator.compose.doctree import Deck
from generator.content.loader import load_workspace
from generator.deck.builder import build_deck
from tests.conftest import MINIMAL_PROJECT, write

WHEN = dt.datetime(2027, 3, 11)
TIP = "Neem twijfelaars mee op een (digitaal) werkbezoek naar de projectlocatie."


def deck(slides: list[dict[str, object]]) -> bytes:
    tree = Deck.model_validate(
        {"title": "T", "author": "Gemeente", "language": "nl-NL", "slides": slides}
    )
    theme = load_workspace(_minimal(Path("/tmp/pitchkit-editorial"))).projects[0].theme
    data, _ = build_deck(tree, theme, WHEN)
    return data


def _minimal(root: Path) -> Path:
    write(root / "content" / "p" / "project.yaml", MINIMAL_PROJECT)
    return root


def bullets(title: str, *items: str, backup: bool = False) -> dict[str, object]:
    return {
        "kind": "bullets",
        "title": title,
        "items": [{"text": t} for t in items],
        "notes": f"notes {title}",
        "backup": backup,
    }


def rules(data: bytes, cap: int | None = 12, playbook: tuple[str, ...] = ()) -> list[str]:
    return [i.rule for i in deck_editorial(data, cap, list(playbook))]


def test_a_short_clear_deck_passes() -> None:
    data = deck(
        [
            {"kind": "title", "title": "Slimme verlichting", "notes": "n"},
            bullets("Wat het oplevert", "Helft minder stroom", "Veilige straten"),
        ]
    )
    assert rules(data) == []


def test_the_playbook_on_a_slide_is_found() -> None:
    data = deck(
        [
            {"kind": "title", "title": "T", "notes": "n"},
            bullets("Zo houden we draagvlak", TIP),
        ]
    )
    assert "playbook" in rules(data, playbook=(TIP, "Een ander doel voor de projectleider."))
    assert "playbook" not in rules(data, playbook=("Een ander doel voor de projectleider.",))


def test_too_many_main_slides_but_back_up_does_not_count() -> None:
    slides: list[dict[str, object]] = [{"kind": "title", "title": "T", "notes": "n"}]
    slides += [bullets(f"Dia {n}", "Kort") for n in range(2, 11)]  # 10 main slides
    slides += [bullets(f"Reserve {n}", "Kort", backup=True) for n in range(4)]
    data = deck(slides)
    assert "slide-cap" not in rules(data, cap=10)
    assert rules(data, cap=9).count("slide-cap") == 1


def test_dense_slides_small_text_and_long_titles_are_found() -> None:
    long_item = " ".join(["woord"] * 45)
    data = deck(
        [
            {"kind": "title", "title": "T", "notes": "n"},
            bullets("Veel tekst", long_item),
            bullets(
                "Een titel die zo lang is dat hij op deze dia over meer dan twee regels moet "
                "worden verdeeld, ook op het kleinste formaat dat een titel mag hebben in dit "
                "sjabloon en dan nog een stuk",
                "Kort",
            ),
            {
                "kind": "closing",
                "title": "Kleine letters",
                "subtitle": "De vraag",
                "items": [{"text": f"Regel {n} met wat meer tekst erin"} for n in range(14)],
                "notes": "n",
            },
        ]
    )
    found = deck_editorial(data, 12, [])
    by_rule = {(i.rule, i.where.split("'")[0].strip()) for i in found}
    assert ("words", "slide 2") in by_rule
    assert ("title-lines", "slide 3") in by_rule
    assert ("text-size", "slide 4") in by_rule


def test_a_chart_without_a_title_is_found() -> None:
    chart = {
        "kind": "chart",
        "title": "Kosten",
        "notes": "n",
        "chart": {
            "type": "bar",
            "categories": ["2027", "2028"],
            "series": [{"name": "Besparing", "values": [1, 2]}],
            "alt": "Staafdiagram",
        },
    }
    data = deck([{"kind": "title", "title": "T", "notes": "n"}, chart])
    assert "chart-title" in rules(data)


def test_example_text_left_in_a_new_workspace(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(tmp_path / "ws")]).exit_code == 0
    out = runner.invoke(cli, ["check", str(tmp_path / "ws"), "--no-pages"]).output
    left = [row for row in out.splitlines() if "example are unchanged" in row]
    assert any("smart-city.yaml:" in row and "definition" in row for row in left), out
    assert any("slimme-verlichting/project.yaml:" in row for row in left), out
    # Own texts: nothing left to say.
    own = tmp_path / "own"
    write(own / "content" / "p" / "project.yaml", MINIMAL_PROJECT)
    out = runner.invoke(cli, ["check", str(own), "--no-pages"]).output
    assert "example are unchanged" not in out
