"""Render step: one project's content and one audience's selection -> a Deck and a Handout tree.

Contract: :func:`render_documents` reads no files but templates and labels (through the
:class:`TemplateLibrary`), and returns trees that builders can write without the content.
Derived figures (payback, cumulative savings) are computed here once, so every document of every
audience shows the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .doctree import Deck, Handout
from .formats import Formatter
from .loader import Project, Workspace
from .model import Costs, SmartCity
from .selection import Selection
from .templating import TemplateLibrary


@dataclass(frozen=True)
class Figures:
    """Numbers derived from the costs, the same in every document."""

    net_yearly: float | None
    payback_years: float | None
    years: tuple[str, ...]
    cumulative: tuple[float, ...]


def derive_figures(costs: Costs | None, start_year: int) -> Figures:
    """Net yearly saving, payback in years, and cumulative net savings over ten years."""
    if costs is None or costs.savings_yearly is None:
        return Figures(None, None, (), ())
    net = costs.savings_yearly - (costs.yearly or 0)
    payback = (costs.investment / net) if costs.investment and net > 0 else None
    horizon = 10 if payback is None else max(3, min(10, int(payback) + 2))
    years = tuple(str(start_year + i) for i in range(1, horizon + 1))
    cumulative = tuple(round(net * i, 2) for i in range(1, horizon + 1))
    return Figures(net, payback, years, cumulative)


@dataclass(frozen=True)
class RenderedProject:
    """The trees for one project and one audience."""

    deck: Deck
    handout: Handout


def template_names(kind: str, audience_key: str) -> list[str]:
    """Per-audience template first, then the default for that document kind."""
    return [f"{kind}/{audience_key}.yaml.j2", f"{kind}/default.yaml.j2"]


def build_context(
    workspace: Workspace, project: Project, selection: Selection, library: TemplateLibrary
) -> dict[str, Any]:
    """Everything a template may use; content values are passed as data, never as template code."""
    content = project.content
    fmt = Formatter(content.language)
    labels = library.labels(content.language)
    start_year = (
        content.project.date.year
        if content.project.date
        else int(content.timeline[0].when[:4])
        if content.timeline and content.timeline[0].when[:4].isdigit()
        else 2027
    )
    own = workspace.smart_city
    smart_city = own if own and own.language == content.language else _default_smart_city(labels)
    others = [
        {"title": p.content.project.title, "key_message": p.content.pitch.key_message}
        for p in _related_first(project, [p for p in workspace.projects if p.slug != project.slug])
    ]
    return {
        "content": content,
        "project": content.project,
        "pitch": content.pitch,
        "sel": selection,
        "audience": selection.audience,
        "t": labels,
        "fmt": fmt,
        "figures": derive_figures(content.costs, start_year),
        "images": [
            {
                "path": str(img.path),
                "alt": img.spec.alt,
                "caption": img.spec.caption,
                "role": img.spec.role,
            }
            for img in project.images
        ],
        "smart_city": smart_city,
        "other_projects": others,
    }


def _related_first(project: Project, others: list[Project]) -> list[Project]:
    """The other projects, those serving most of the same coalition items and programmes first
    (workspace order on a tie): a slide that shows a few shows the related ones."""

    def served(p: Project) -> set[str]:
        policy = p.content.policy
        if policy is None:
            return set()
        items = [*policy.coalition_agreement, *policy.programmes]
        return {" ".join(v.split()).casefold() for v in items}

    mine = served(project)
    return sorted(others, key=lambda p: -len(mine & served(p)))


def _default_smart_city(labels: dict[str, Any]) -> SmartCity:
    default = labels.get("smart_city_default")
    if isinstance(default, dict):
        return SmartCity.model_validate(default)
    return SmartCity(definition=str(labels.get("smart_city", "")))


def render_documents(
    workspace: Workspace, project: Project, selection: Selection, library: TemplateLibrary
) -> RenderedProject:
    """Render the deck and the handout of one project for one audience."""
    context = build_context(workspace, project, selection, library)
    deck_template = library.find(template_names("deck", selection.audience_key))
    handout_template = library.find(template_names("handout", selection.audience_key))
    return RenderedProject(
        deck=library.render(deck_template, context, Deck),
        handout=library.render(handout_template, context, Handout),
    )
