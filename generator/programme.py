"""The programme deck: every project of a workspace side by side (DESIGN.md, Outputs).

Contract: :func:`render_programme` turns a workspace with several projects into a :class:`Deck`
tree from ``deck/programme.yaml.j2`` (one slide per project with its key message, stage, costs
and ask, an overview table, and a matrix of projects against the coalition agreement items and
policy programmes they serve); :func:`programme_documents` builds it in memory as
``programme.pptx`` in the output root, on the first project's theme, in the language most
projects use. A workspace with one project gets no programme deck.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from .doctree import Deck
from .figures import derive_figures, figure_texts, next_decision, programme_totals
from .formats import Formatter
from .loader import Workspace
from .render import template_formatter
from .templating import TemplateLibrary, template_data

TEMPLATE = "deck/programme.yaml.j2"
FILENAME = "programme.pptx"


def programme_language(workspace: Workspace) -> str:
    """The workspace's language: that of its own smart-city.yaml, else the language most
    projects are written in (the first project's on a tie). Labels and number formats follow
    it; each project's content stays as written."""
    if workspace.smart_city is not None:
        return workspace.smart_city.language
    counts = Counter(p.content.language for p in workspace.projects)
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
                key = " ".join(value.split()).casefold()
                if key not in served:
                    items.append((labels[kind].replace("{item}", value), key))
                    served[key] = set()
                served[key].add(index)
    policy_rows = [
        {
            "label": label,
            "marks": [labels["serves"] if i in served[key] else "" for i in range(len(projects))],
        }
        for label, key in items
    ]
    first = workspace.projects[0].content.project
    return {
        "t": template_data(t),
        "fmt": template_formatter(language),
        "projects": template_data(projects),
        "total": template_data(total),
        "policy": template_data(policy_rows),
        "municipality": first.municipality,
        "date": fmt.date(first.date) if first.date else "",
    }


def render_programme(workspace: Workspace) -> Deck | None:
    """The programme deck tree, or None for a workspace with fewer than two projects."""
    if len(workspace.projects) < 2:
        return None
    library = TemplateLibrary.for_project(None, workspace.root)
    return library.render(library.find([TEMPLATE]), programme_context(workspace, library), Deck)


def programme_documents(workspace: Workspace, out: Path) -> list[Any]:
    """``programme.pptx`` in the output root as a build Document (bytes in memory), or none."""
    from .build import Document, too_long_error
    from .errors import TextTooLong
    from .pptx_builder import build_deck
    from .writer import document_time

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
