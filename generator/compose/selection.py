"""Per-audience selection: which blocks an audience gets, in which order. Pure: no I/O.

Contract: :func:`select` takes a project's content and one audience and returns a
:class:`Selection`: the stage plan (goal, tools, tips), the ordered block keys, the benefits
ordered for that audience, and the deck's plan (:class:`DeckPlan`: which blocks get a main slide,
which a back-up slide, which only the speaker notes). Blocks whose content is absent are left
out, so the documents adapt to what the project has. The stage plan's goal and tips are the
project lead's: the templates put them in speaker notes, never on a slide.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from generator.content.model import STAGES, Audience, Benefit, ProjectFile, StagePlan

# Blocks per toolkit tool, in presentation order.
TOOL_BLOCKS: dict[str, tuple[str, ...]] = {
    "project-pitch": (
        "hook",
        "problem",
        "solution",
        "image",
        "benefits",
        "kpis",
        "results",
        "timeline",
    ),
    "smart-city-presentation": ("smart-city", "policy"),
    "kvs": ("collaboration",),
    "thinking-hats": ("thinking-hats",),
    "values-balance": ("values", "privacy"),
    "idea-box": ("idea-box",),
}

# What the doubters' goal adds: the added value in the bigger picture (DESIGN.md, the seed).
ADDED_VALUE_BLOCKS = ("policy", "costs", "values", "risks", "alternatives", "privacy")

# The order of the whole presentation: opening, story, value, bigger picture, doubts, plan, close.
CANONICAL_ORDER = (
    "smart-city",
    "hook",
    "problem",
    "solution",
    "image",
    "benefits",
    "kpis",
    "results",
    "costs",
    "policy",
    "collaboration",
    "values",
    "privacy",
    "thinking-hats",
    "risks",
    "alternatives",
    "timeline",
    "idea-box",
    "ask",
)

# Drivers that pull a block forward (right after the solution) and into the selection.
DRIVER_BLOCKS: dict[str, tuple[str, ...]] = {
    "money": ("costs",),
    "results": ("results", "kpis"),
    "sustainability": ("kpis",),
    "policy": ("policy",),
    "privacy": ("privacy", "values"),
    "safety": ("risks",),
    "collaboration": ("collaboration",),
    "speed": ("timeline",),
}


# Main slides at most, title and closing included, per audience focus (a short deck: long content
# goes to the back-up or the notes, never into more slides).
MAIN_SLIDE_CAP = {"main-lines": 10, "added-value": 12}
BACKUP_SLIDE_CAP = 4
# Objections per back-up slide: two, or three where there are more than four.
OBJECTIONS_PER_SLIDE = (2, 3)

# The deck's slide blocks in presentation order: the opening fact, the key message, the story
# (problem and solution beside the image), the value, the bigger picture, the doubts, the
# facilitation tools, what supporters can do, the ask. Content blocks map onto them (problem,
# solution and image are the story).
DECK_ORDER = (
    "hook",
    "message",
    "smart-city",
    "story",
    "benefits",
    "kpis",
    "results",
    "costs",
    "risks",
    "alternatives",
    "values",
    "policy",
    "privacy",
    "timeline",
    "thinking-hats",
    "collaboration",
    "idea-box",
    "act",
    "ask",
)

# Which slides give way first when a deck is over its cap (last first), per focus; "ask" and the
# key message never do.
PRIORITY = {
    "main-lines": (
        "message",
        "hook",
        "story",
        "benefits",
        "kpis",
        "act",
        "results",
        "timeline",
        "costs",
        "policy",
        "smart-city",
        "values",
        "collaboration",
        "risks",
        "alternatives",
        "privacy",
        "thinking-hats",
        "idea-box",
    ),
    "added-value": (
        "message",
        "hook",
        "story",
        "costs",
        "risks",
        "alternatives",
        "values",
        "policy",
        "thinking-hats",
        "collaboration",
        "smart-city",
        "kpis",
        "privacy",
        "benefits",
        "results",
        "timeline",
        "idea-box",
    ),
}

# Blocks a doubters' deck says in the notes of another slide rather than on one of their own:
# the benefits beside the values balance, the results beside the costs, the next milestone on
# the closing slide (the handout still has them).
ADDED_VALUE_IN_NOTES = ("benefits", "results", "timeline")


@dataclass(frozen=True)
class DeckPlan:
    """How a deck lays out an audience's blocks: main slides, back-up slides, notes only."""

    main: tuple[str, ...]
    """Blocks with a main slide, in order (the title slide comes before them; "ask" closes)."""
    backup: tuple[str, ...] = ()
    """Blocks with a slide in the back-up after the closing slide ("cost-table", "objections",
    or a block moved there by the cap)."""
    in_notes: tuple[str, ...] = ()
    """Blocks said in the speaker notes of another slide instead of on a slide of their own."""
    moved: tuple[str, ...] = ()
    """Blocks the audience's cap moved off the main slides (to the back-up or the notes)."""
    cap: int = 12
    """Main slides at most, title and closing included."""
    objection_groups: tuple[tuple[int, ...], ...] = ()
    """The objections' indexes, grouped per back-up slide."""

    def shows(self, block: str) -> bool:
        """Whether ``block`` has a slide of its own (main or back-up)."""
        return block in self.main or block in self.backup


@dataclass(frozen=True)
class Selection:
    """What one audience gets from one project."""

    audience_key: str
    audience: Audience
    stage: str
    plan: StagePlan
    blocks: tuple[str, ...]
    benefits: tuple[Benefit, ...]
    backup: tuple[str, ...]
    deck: DeckPlan = field(default_factory=lambda: DeckPlan(main=("message", "ask")))

    def has(self, block: str) -> bool:
        """Whether ``block`` is in the main part or the back-up."""
        return block in self.blocks or block in self.backup


def stage_plan(audience: Audience, stage: str) -> tuple[str, StagePlan]:
    """The audience's plan for ``stage``: that stage, else the nearest earlier, else its first."""
    index = STAGES.index(stage)
    for candidate in reversed(STAGES[: index + 1]):
        if candidate in audience.stages:
            return candidate, audience.stages[candidate]
    first = next(iter(audience.stages))
    return first, audience.stages[first]


def rank_benefits(benefits: list[Benefit], drivers: list[str]) -> tuple[Benefit, ...]:
    """Benefits by how many of their themes match the drivers (earlier drivers weigh more)."""
    weights = {d.lower(): len(drivers) - i for i, d in enumerate(drivers)}

    def score(item: tuple[int, Benefit]) -> tuple[int, int]:
        position, benefit = item
        return (-sum(weights.get(t.lower(), 0) for t in benefit.themes), position)

    return tuple(b for _, b in sorted(enumerate(benefits), key=score))


def available_blocks(content: ProjectFile, has_smart_city: bool = True) -> set[str]:
    """The blocks for which the project has content."""
    pitch = content.pitch
    present = {
        "hook": bool(pitch.hook),
        "problem": bool(pitch.problem),
        "solution": bool(pitch.solution),
        "image": bool(content.images),
        "benefits": bool(content.benefits),
        "kpis": bool(content.kpis),
        "results": bool(content.results),
        "timeline": bool(content.timeline),
        "costs": content.costs is not None
        and any(
            v is not None
            for v in (content.costs.investment, content.costs.yearly, content.costs.savings_yearly)
        ),
        "policy": content.policy is not None
        and bool(
            content.policy.coalition_agreement
            or content.policy.programmes
            or content.policy.initiatives
        ),
        "collaboration": bool(content.collaboration),
        "values": content.values is not None
        and bool(content.values.gains or content.values.tensions),
        "privacy": content.privacy is not None,
        "thinking-hats": True,
        "risks": bool(content.risks),
        "alternatives": bool(content.alternatives),
        "objections": bool(content.objections),
        "smart-city": has_smart_city,
        "idea-box": True,
        "ask": True,
    }
    return {block for block, ok in present.items() if ok}


def select(content: ProjectFile, audience_key: str, audience: Audience) -> Selection:
    """Choose and order the blocks for one audience (see the module contract)."""
    stage, plan = stage_plan(audience, content.stage)
    wanted: list[str] = []
    for tool in plan.tools:
        wanted += TOOL_BLOCKS[tool]
    if audience.focus == "added-value":
        wanted += ADDED_VALUE_BLOCKS
    driven: list[str] = []
    for driver in audience.drivers:
        driven += DRIVER_BLOCKS.get(driver.lower(), ())
    wanted += driven
    wanted += ["ask"]
    present = available_blocks(content)
    chosen = {b for b in wanted if b in present}
    ordered = [b for b in CANONICAL_ORDER if b in chosen]
    ordered = _pull_forward(ordered, [b for b in driven if b in chosen])
    backup = ("objections",) if audience.focus == "added-value" and "objections" in present else ()
    return Selection(
        audience_key=audience_key,
        audience=audience,
        stage=stage,
        plan=plan,
        blocks=tuple(ordered),
        benefits=rank_benefits(content.benefits, audience.drivers),
        backup=backup,
        deck=plan_deck(content, audience, ordered, backup, driven),
    )


def _slides_of(block: str, focus: str) -> int:
    """Main slides a block takes (costs: table and chart, the table in the back-up for
    doubters)."""
    return 2 if block == "costs" and focus != "added-value" else 1


def _objection_groups(count: int, room: int) -> list[tuple[int, ...]]:
    """Objection indexes in back-up slides of two (three where there are more than four), in at
    most ``room`` slides; what does not fit is left for the notes."""
    if not count or room <= 0:
        return []
    per = OBJECTIONS_PER_SLIDE[0] if count <= 4 else OBJECTIONS_PER_SLIDE[1]
    slides = min(room, math.ceil(count / per))
    indexes = list(range(min(count, slides * per)))
    base, extra = divmod(len(indexes), slides)
    groups, start = [], 0
    for i in range(slides):
        size = base + (1 if i < extra else 0)
        groups.append(tuple(indexes[start : start + size]))
        start += size
    return groups


def plan_deck(
    content: ProjectFile,
    audience: Audience,
    blocks: list[str],
    backup: tuple[str, ...],
    driven: list[str],
) -> DeckPlan:
    """The deck's main slides, back-up and notes-only blocks for the chosen ``blocks`` (see
    :class:`DeckPlan`), within the audience's cap."""
    focus = audience.focus
    cap = MAIN_SLIDE_CAP[focus]
    chosen = set(blocks) - {"problem", "solution", "image"}
    if {"problem", "solution", "image"} & set(blocks):
        chosen.add("story")
    chosen.add("message")
    if focus == "main-lines":
        chosen.add("act")
    in_notes: list[str] = []
    backup_blocks: list[str] = []
    if focus == "added-value":
        for block in ADDED_VALUE_IN_NOTES:
            if block in chosen:
                chosen.discard(block)
                in_notes.append(block)
        if "costs" in chosen:
            backup_blocks.append("cost-table")
        if "privacy" in chosen:
            chosen.discard("privacy")
            backup_blocks.append("privacy")
    if "costs" in chosen and "kpis" in chosen:
        # The costs chart shows the KPIs beside the payback: one slide for them, not two.
        chosen.discard("kpis")
        in_notes.append("kpis")
    main = [b for b in DECK_ORDER if b in chosen]
    pulled = [("story" if b in ("problem", "solution", "image") else b) for b in driven]
    main = _pull_forward(main, [b for b in pulled if b in main and b not in ("message", "hook")])
    # The blocks the audience's drivers name come right after the opening and the story.
    opening = ("message", "hook", "story")
    priority = (*opening, *[b for b in pulled if b not in opening], *PRIORITY[focus])

    def count(slides: list[str]) -> int:
        return 1 + sum(_slides_of(b, focus) for b in slides)  # the title slide

    moved: list[str] = []
    while count(main) > cap:
        candidates = [b for b in main if b not in ("message", "ask")]
        if not candidates:
            break
        last = max(candidates, key=lambda b: priority.index(b) if b in priority else len(priority))
        main.remove(last)
        moved.append(last)
    objections = len(content.objections) if "objections" in backup else 0
    room = BACKUP_SLIDE_CAP - len(backup_blocks)
    for block in moved:
        # A moved block takes a back-up slide while the objections keep at least one.
        if room - 1 >= (1 if objections else 0):
            backup_blocks.append(block)
            room -= 1
        else:
            in_notes.append(block)
    groups = _objection_groups(objections, room)
    if groups:
        backup_blocks.append("objections")
    return DeckPlan(
        main=tuple(main),
        backup=tuple(backup_blocks),
        in_notes=tuple(in_notes),
        moved=tuple(moved),
        cap=cap,
        objection_groups=tuple(groups),
    )


def _pull_forward(ordered: list[str], driven: list[str]) -> list[str]:
    """Move the blocks the drivers name to right after the benefits, in driver order."""
    if not driven:
        return ordered
    anchor_candidates = [b for b in ("benefits", "story", "image", "solution") if b in ordered]
    rest = [b for b in ordered if b not in driven]
    anchor = rest.index(anchor_candidates[0]) + 1 if anchor_candidates else 0
    seen: list[str] = []
    for block in driven:
        if block not in seen:
            seen.append(block)
    return rest[:anchor] + seen + rest[anchor:]
