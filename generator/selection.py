"""Per-audience selection: which blocks an audience gets, in which order. Pure: no I/O.

Contract: :func:`select` takes a project's content and one audience and returns a
:class:`Selection`: the stage plan (goal, tools, tips), the ordered block keys, and the benefits,
objections and risks ordered for that audience. Blocks whose content is absent are left out, so
the documents adapt to what the project has.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import STAGES, Audience, Benefit, ProjectFile, StagePlan

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
    "engagement",
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
        "engagement": True,
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
    wanted += ["engagement", "ask"]
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
    )


def _pull_forward(ordered: list[str], driven: list[str]) -> list[str]:
    """Move the blocks the drivers name to right after the benefits, in driver order."""
    if not driven:
        return ordered
    anchor_candidates = [b for b in ("benefits", "image", "solution") if b in ordered]
    rest = [b for b in ordered if b not in driven]
    anchor = rest.index(anchor_candidates[0]) + 1 if anchor_candidates else 0
    seen: list[str] = []
    for block in driven:
        if block not in seen:
            seen.append(block)
    return rest[:anchor] + seen + rest[anchor:]
