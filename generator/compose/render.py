"""Render step: one project's content and one audience's selection -> a Deck and a Handout tree.

Contract: :func:`render_documents` reads no files but templates and labels (through the
:class:`TemplateLibrary`), and returns trees that builders can write without the content.
Derived figures (payback, cumulative savings) come from :mod:`generator.compose.figures`, which the
programme deck uses too, so every document shows the same numbers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from generator.compose.doctree import Deck, Handout, Slide
from generator.compose.figures import derive_figures, figure_texts
from generator.compose.formats import Formatter
from generator.compose.inline import plain
from generator.compose.sandbox import Record, template_data, template_function
from generator.compose.selection import Selection
from generator.compose.templating import TemplateLibrary
from generator.content.loader import Project, Workspace
from generator.content.model import Objection, ProjectFile, SmartCity


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
    """Everything a template may use, as plain read-only data (:func:`template_data`): content
    values are passed as data, never as template code, and never as objects whose methods a
    template could call; the few functions (``fmt.money``, ``sel.has``) take and give plain
    values."""
    content = project.content
    labels = library.labels(content.language)
    figures = derive_figures(content)
    own = workspace.smart_city
    smart_city = own if own and own.language == content.language else _default_smart_city(labels)
    others = [
        {"title": p.content.project.title, "key_message": p.content.pitch.key_message}
        for p in _related_first(project, [p for p in workspace.projects if p.slug != project.slug])
    ]
    tips_for, loose_tips = place_tips(selection.plan.tips, selection.deck.main, labels)
    data = template_data(content)
    sel = selection_data(selection)
    return {
        "content": data,
        "project": data["project"],
        "pitch": data["pitch"],
        "sel": sel,
        "audience": sel["audience"],
        "t": template_data(labels),
        "fmt": template_formatter(content.language),
        "figures": template_data(figures),
        # the figures as every document writes them (the programme deck too)
        "money": template_data(figure_texts(figures, Formatter(content.language), labels)),
        "images": template_data(
            [
                {
                    "path": str(img.path),
                    "alt": img.spec.alt,
                    "caption": img.spec.caption,
                    "role": img.spec.role,
                }
                for img in project.images
            ]
        ),
        "smart_city": template_data(smart_city),
        "other_projects": template_data(others),
        # The speaker notes' script: the objection that belongs to a slide (doubters only) and
        # the stage's tips beside the slide they fit (else with the title slide).
        "objection_for": template_data(
            match_objections(content, selection.deck.main)
            if selection.audience.focus == "added-value"
            else {}
        ),
        "tips_for": template_data(tips_for),
        "loose_tips": template_data(loose_tips),
    }


@cache
def template_formatter(language: str) -> Record:
    """``fmt`` for templates: :class:`Formatter`'s methods for ``language`` as functions (plain
    values in, text out: ``fmt.money(x)``), its properties as values (``fmt.tag``), and
    ``fmt.language``."""
    fmt = Formatter(language)
    data: dict[str, Any] = {"language": language}
    for name, attr in vars(Formatter).items():
        if name.startswith("_"):
            continue
        if isinstance(attr, property):
            data[name] = getattr(fmt, name)
        elif callable(attr):
            data[name] = _template_function(getattr(fmt, name))
    return Record(data, "Formatter")


def _template_function(method: Any) -> Any:
    @template_function
    def call(*args: Any, **kwargs: Any) -> Any:
        return method(*args, **kwargs)

    return call


def selection_data(selection: Selection) -> Record:
    """``sel`` for templates: the selection's fields, ``sel.has(block)`` and
    ``sel.deck.shows(block)``."""
    blocks, backup = selection.blocks, selection.backup
    main, deck_backup = selection.deck.main, selection.deck.backup

    @template_function
    def has(block: str) -> bool:
        return block in blocks or block in backup

    @template_function
    def shows(block: str) -> bool:
        return block in main or block in deck_backup

    data = dict(template_data(selection))
    data["deck"] = Record({**template_data(selection.deck), "shows": shows}, "DeckPlan")
    data["has"] = has
    return Record(data, "Selection")


def _block_text(content: ProjectFile, block: str) -> str:
    """What a slide block is about, for matching an objection to the slide it belongs to."""
    p, c = content.pitch, content
    values = c.values.gains if c.values else []
    tensions = c.values.tensions if c.values else []
    policy = [*c.policy.coalition_agreement, *c.policy.programmes] if c.policy else []
    texts: dict[str, Sequence[str | None]] = {
        "hook": [p.hook],
        "story": [p.problem, p.solution],
        "benefits": [f"{b.title} {b.text or ''}" for b in c.benefits],
        "kpis": [k.name for k in c.kpis],
        "results": [r.text for r in c.results],
        # the costs slide answers objections about money, in either language
        "costs": [f.source for f in c.costs.funding] + ["geld kosten begroting money budget"]
        if c.costs
        else [],
        "risks": [f"{r.risk} {r.mitigation or ''}" for r in c.risks],
        "alternatives": [f"{a.option} {a.why_not or ''}" for a in c.alternatives],
        "values": [f"{g.value} {g.how or ''}" for g in values]
        + [f"{t.value} {t.how_addressed or ''}" for t in tensions],
        "policy": list(policy),
        "privacy": [c.privacy.notes if c.privacy else None, "privacy persoonsgegevens"],
        "timeline": [m.milestone for m in c.timeline],
        "collaboration": [f"{x.department} {x.opportunity or ''}" for x in c.collaboration],
    }
    return " ".join(x for x in texts.get(block, []) if x)


def _words(text: str) -> set[str]:
    """The telling words of a text: five letters or more, lower case."""
    return {w for w in re.findall(r"\w+", plain(text).casefold()) if len(w) >= 5}


def match_objections(content: ProjectFile, blocks: tuple[str, ...]) -> dict[str, Objection]:
    """Each objection on the main slide whose content shares the most words with it (objection
    and answer), at most one per slide; an objection that shares nothing with any slide is left
    for the back-up. Deterministic: ties go to the earlier slide."""
    texts = {b: _words(_block_text(content, b)) for b in blocks}
    placed: dict[str, Objection] = {}
    for objection in content.objections:
        words = _words(f"{objection.objection} {objection.answer or ''}")
        scores = [(len(words & texts[b]), -i, b) for i, b in enumerate(blocks) if b not in placed]
        best = max(scores, default=(0, 0, ""))
        if best[0] > 0:
            placed[best[2]] = objection
    return placed


def place_tips(
    tips: list[str], blocks: tuple[str, ...], labels: dict[str, Any]
) -> tuple[dict[str, list[str]], list[str]]:
    """The stage's tips (the project lead's playbook) beside the slide they fit, by the
    keywords of labels ``deck.tip_keywords`` per block; tips that fit no slide go to the title
    slide's notes."""
    keywords = labels.get("deck", {}).get("tip_keywords", {})
    placed: dict[str, list[str]] = {}
    loose: list[str] = []
    for tip in tips:
        low = tip.casefold()
        home = next(
            (b for b in blocks if any(k.casefold() in low for k in keywords.get(b, []))), None
        )
        if home is None:
            loose.append(tip)
        else:
            placed.setdefault(home, []).append(tip)
    return placed, loose


def _related_first(project: Project, others: list[Project]) -> list[Project]:
    """The other projects, those serving most of the same coalition items and programmes first
    (workspace order on a tie): a slide that shows a few shows the related ones."""

    from generator.compose.programme import (
        policy_key,  # the programme deck's matching (it imports render)
    )

    def served(p: Project) -> set[str]:
        policy = p.content.policy
        if policy is None:
            return set()
        items = [*policy.coalition_agreement, *policy.programmes]
        return {policy_key(v) for v in items}

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
    deck = library.render(deck_template, context, Deck)
    return RenderedProject(
        deck=script(deck, selection.audience.focus, context["t"]),
        handout=library.render(handout_template, context, Handout),
    )


# Minutes a deck takes per audience focus: supporters a five-minute pitch, doubters 10 to 15.
MINUTES = {"main-lines": 5, "added-value": 12}


def script(deck: Deck, focus: str, labels: dict[str, Any]) -> Deck:
    """The deck with its back-up slides after the main ones, and each main slide's notes ending
    in its time and the step to the next slide (speaker notes as a script)."""
    # Everything after the closing slide is back-up, as is a slide marked so before it.
    closing = next((i for i, s in enumerate(deck.slides) if s.kind == "closing"), None)
    after = deck.slides[closing + 1 :] if closing is not None else []
    before = deck.slides[: closing + 1] if closing is not None else deck.slides
    main = [s for s in before if not s.backup]
    backup = [s for s in before if s.backup]
    backup += [s if s.backup else s.model_copy(update={"backup": True}) for s in after]
    d = labels.get("deck", {})
    seconds = MINUTES.get(focus, 5) * 60 / max(1, len(main) - 1)  # the title slide: no time
    slides: list[Slide] = []
    for i, slide in enumerate(main):
        lines = [slide.notes]
        time = _duration(seconds * _weight(slide), d["time"]) if i and "time" in d else ""
        if i + 1 < len(main) and "transition" in d:
            step = d["transition"].replace("{title}", plain(main[i + 1].title))
            lines.append(f"{time}: {step}" if time else step[:1].upper() + step[1:])
        elif "last" in d:
            lines.append(d["last"].replace("{time}", time) if backup else time)
        slides.append(slide.model_copy(update={"notes": "\n".join(x for x in lines if x)}))
    return deck.model_copy(update={"slides": [*slides, *backup]})


def _weight(slide: Slide) -> float:
    """Statements take half a slide's time; tools for the room (hats) twice."""
    return {"statement": 0.5, "hats": 2.0}.get(slide.kind, 1.0)


def _duration(seconds: float, words: dict[str, str]) -> str:
    """``about 45 seconds`` / ``about 2 minutes`` in the labels' words: to 15 seconds under a
    minute, to the half minute above."""
    quarter = max(1, round(seconds / 15))
    if quarter < 4:
        return words["seconds"].replace("{n}", str(quarter * 15))
    minutes = max(1.0, round(seconds / 30) / 2)
    text = f"{minutes:g}".replace(".", words.get("decimal", "."))
    return words["minutes" if minutes != 1 else "minute"].replace("{n}", text)
