"""The programme deck: every project of a workspace side by side (DESIGN.md, Outputs).

Contract: :func:`render_programme` turns a workspace with several projects into a :class:`Deck`
tree from ``deck/programme.yaml.j2`` (one slide per project with its key message, stage, costs
and ask, an overview table, and a matrix of projects against the coalition agreement items and
policy programmes they serve); :func:`programme_documents` builds it in memory as
``programme.pptx`` in the output root, on the first project's theme, in the language most
projects use. A workspace with one project gets no programme deck.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from generator.compose.doctree import Deck
from generator.compose.figures import derive_figures, figure_texts, next_decision, programme_totals
from generator.compose.formats import Formatter
from generator.compose.inline import plain
from generator.compose.render import template_formatter
from generator.compose.sandbox import template_data
from generator.compose.templating import TemplateLibrary
from generator.content.loader import Workspace

TEMPLATE = "deck/programme.yaml.j2"
FILENAME = "programme.pptx"


def programme_language(workspace: Workspace) -> str:
    """The workspace's language: that of its own smart-city.yaml, else the language most
    projects are written in (the first project's on a tie) among those audiences.yaml is
    written in (not one of its translations, audiences.<language>.yaml). Labels and number
    formats follow it; each project's content stays as written."""
    if workspace.smart_city is not None:
        return workspace.smart_city.language
    counts = Counter(p.content.language for p in workspace.projects)
    # audiences.<language>.yaml translates audiences.yaml: the workspace is in another language
    base = [lang for lang in counts if lang not in workspace.translations]
    if workspace.translations and base:
        counts = Counter({lang: counts[lang] for lang in base})
    top = max(counts.values())
    return next(p.content.language for p in workspace.projects if counts[p.content.language] == top)


def programme_context(workspace: Workspace, library: TemplateLibrary) -> dict[str, Any]:
    """What the programme template may use (see the template's header), as plain data."""
    language = programme_language(workspace)
    fmt = Formatter(language)
    t = library.labels(language)
    labels = t["deck"]["programme"]
    projects = []
    all_figures = []
    for project in workspace.projects:
        content = project.content
        figures = derive_figures(content)
        all_figures.append(figures)
        money = figure_texts(figures, fmt, t)
        parts = []
        if money["investment"]:
            parts.append(money["investment"])
        if money["net_yearly"]:
            label = str(t["net_savings_yearly"])
            parts.append(f"{label[:1].lower()}{label[1:]} {money['net_yearly']}")
        if money["payback"]:
            label = str(t["paid_back"])
            parts.append(f"{label[:1].lower()}{label[1:]} {money['payback']}")
        decision = next_decision(content)
        projects.append(
            {
                "title": content.project.title,
                "key_message": content.pitch.key_message,
                "stage": t["stage_names"].get(content.stage, content.stage),
                "investment": money["investment"],
                "net_yearly": money["net_yearly"],
                "payback": money["payback"],
                "money": money,
                "costs": "; ".join(parts),
                "ask": content.pitch.ask or "",
                "decision": f"{fmt.date(decision[0], short=True)}: {decision[1]}"
                if decision
                else "",
                "municipality": content.project.municipality,
            }
        )
    totals = programme_totals(all_figures)
    total = {
        "investment": fmt.money(totals.investment, totals.currency) if totals.investment else "",
        "net_yearly": fmt.money(totals.net_yearly, totals.currency) if totals.net_yearly else "",
        "payback": f"{fmt.number(totals.payback_years, 1)} {t['years']}"
        if totals.payback_years
        else "",
    }
    policy_rows, shared = policy_matrix(workspace, labels)
    alone = [i for i, n in enumerate(shared) if n == 0]
    pairs = [
        (a, b)
        for a in range(len(projects))
        for b in range(a + 1, len(projects))
        if not _share(workspace, a, b)
    ]
    nothing = labels["nothing_shared_pair"]
    apart = [
        nothing.replace("{a}", projects[a]["title"]).replace("{b}", projects[b]["title"])
        for a, b in pairs[:6]
    ]
    first = workspace.projects[0].content.project
    return {
        "t": template_data(t),
        "fmt": template_formatter(language),
        "projects": template_data(projects),
        "total": template_data(total),
        "policy": template_data(policy_rows),
        # how many other projects each project shares an item with ("shares nothing": 0)
        "shared": template_data([_shared_with(n, labels) for n in shared]),
        "nothing_shared": bool(policy_rows) and len(alone) == len(projects),
        "apart": template_data(apart),
        "municipality": first.municipality,
        "date": fmt.date(first.date) if first.date else "",
    }


# A programme's own word before its name ("Programma Duurzaam ...", "Programme ..."), and a
# period or year after it, say nothing about which programme it is.
_PROGRAMME_WORD = re.compile(
    r"^(?:het |de |the )?(?:uitvoerings|beleids)?(?:programma|programme|program)\b\s*",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def policy_key(value: str) -> str:
    """What a coalition item or programme is, for matching it between projects: its words in
    lower case, without punctuation, without a leading 'Programma'/'Programme' and without
    years or periods ('Programma Duurzaam Voorbeeldstad 2026-2030' and 'duurzaam
    Voorbeeldstad.' are one programme)."""
    words = " ".join(re.sub(r"[^\w\s]", " ", plain(value).casefold()).split())
    key = " ".join(_YEAR.sub(" ", _PROGRAMME_WORD.sub("", words)).split())
    return key or words


def _served(workspace: Workspace, index: int) -> set[str]:
    policy = workspace.projects[index].content.policy
    if policy is None:
        return set()
    return {policy_key(v) for v in (*policy.coalition_agreement, *policy.programmes)}


def _share(workspace: Workspace, a: int, b: int) -> bool:
    return bool(_served(workspace, a) & _served(workspace, b))


def policy_matrix(
    workspace: Workspace, labels: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[int]]:
    """The matrix rows ({label, marks}: one row per coalition item or programme, those served by
    the most projects first, written as the first project wrote it) and, per project, how many
    other projects serve at least one of its items."""
    items: list[tuple[str, str]] = []  # (label, key) in first-seen order
    served: dict[str, set[int]] = {}
    for index, project in enumerate(workspace.projects):
        policy = project.content.policy
        if policy is None:
            continue
        for kind, values in (
            ("coalition", policy.coalition_agreement),
            ("programme", policy.programmes),
        ):
            for value in values:
                key = policy_key(value)
                if key not in served:
                    # "Programma Duurzaam ..." is not written "Programma: Programma Duurzaam ..."
                    own = kind == "programme" and _PROGRAMME_WORD.match(plain(value).strip())
                    label = value if own else labels[kind].replace("{item}", value)
                    items.append((label, key))
                    served[key] = set()
                served[key].add(index)
    count = len(workspace.projects)
    items.sort(key=lambda item: -len(served[item[1]]))  # stable: first-seen order on a tie
    rows = [
        {
            "label": label,
            "marks": [labels["serves"] if i in served[key] else "" for i in range(count)],
        }
        for label, key in items
    ]
    shared = [
        len({j for key in served if i in served[key] for j in served[key]} - {i})
        for i in range(count)
    ]
    return rows, shared


def _shared_with(n: int, labels: dict[str, Any]) -> str:
    """'geen ander project', '1 ander project', '3 andere projecten'."""
    words = labels["shared_with_count"]
    return str(words["none" if n == 0 else "one" if n == 1 else "many"]).replace("{n}", str(n))


def render_programme(workspace: Workspace) -> Deck | None:
    """The programme deck tree, or None for a workspace with fewer than two projects."""
    if len(workspace.projects) < 2:
        return None
    library = TemplateLibrary.for_project(None, workspace.root)
    return library.render(library.find([TEMPLATE]), programme_context(workspace, library), Deck)


def programme_documents(workspace: Workspace, out: Path) -> list[Any]:
    """``programme.pptx`` in the output root as a build Document (bytes in memory), or none."""
    from generator.deck.builder import build_deck
    from generator.errors import TextTooLong
    from generator.ooxml.package import document_time
    from generator.pipeline.build import too_long_error
    from generator.pipeline.jobs import Document

    deck = render_programme(workspace)
    if deck is None:
        return []
    first = workspace.projects[0]
    when = document_time(first.content.project.date)
    try:
        data, warnings = build_deck(deck, first.theme, when)
    except TextTooLong as exc:
        raise too_long_error(exc, workspace.projects, "the programme deck") from None
    return [
        Document(
            "programme",
            "all",
            "programme",
            out / FILENAME,
            data,
            warnings,
        )
    ]
