"""Per-audience selection: a pure function of content and audience."""

from __future__ import annotations

from generator.compose.selection import rank_benefits, select, stage_plan
from generator.content.model import (
    TOOLS,
    Audience,
    Collaboration,
    Kpi,
    Milestone,
    Objection,
    ProjectFile,
)

CONTENT = ProjectFile.model_validate(
    {
        "stage": "pilot",
        "project": {"title": "T", "municipality": "M"},
        "pitch": {"key_message": "K", "hook": "H", "problem": "P", "solution": "S", "ask": "A"},
        "benefits": [
            {"title": "Groen", "themes": ["sustainability"]},
            {"title": "Goedkoop", "themes": ["money"]},
            {"title": "Veilig", "themes": ["safety", "money"]},
        ],
        "costs": {"investment": 100, "savings_yearly": 50},
        "risks": [{"risk": "R"}],
        "alternatives": [{"option": "O"}],
        "objections": [{"objection": "B", "answer": "A"}],
        "policy": {"programmes": ["Klimaat"]},
        "values": {"gains": [{"value": "Duurzaamheid"}]},
        "results": [{"text": "Eerste straat"}],
    }
)


def audience(**kwargs: object) -> Audience:
    data: dict[str, object] = {"name": "X", "stages": {"pilot": {"goal": "G"}}}
    data.update(kwargs)
    return Audience.model_validate(data)


def test_benefits_follow_the_drivers() -> None:
    ranked = rank_benefits(CONTENT.benefits, ["money", "safety"])
    assert [b.title for b in ranked] == ["Veilig", "Goedkoop", "Groen"]
    assert [b.title for b in rank_benefits(CONTENT.benefits, [])] == ["Groen", "Goedkoop", "Veilig"]


def test_stage_falls_back_to_the_nearest_earlier_then_the_first() -> None:
    aud = audience(stages={"start": {"goal": "S"}, "operation": {"goal": "O"}})
    assert stage_plan(aud, "scale-up")[0] == "start"
    late = audience(stages={"operation": {"goal": "O"}})
    assert stage_plan(late, "pilot")[0] == "operation"


def test_supporters_get_the_main_lines() -> None:
    sel = select(CONTENT, "supporters", audience(focus="main-lines"))
    assert sel.blocks == ("hook", "problem", "solution", "benefits", "results", "ask")
    assert sel.backup == ()
    # On slides: the fact, the message, the story beside the image, and what they can do.
    assert sel.deck.main == ("hook", "message", "story", "benefits", "results", "act", "ask")
    assert sel.deck.backup == ()


def test_doubters_get_the_added_value_in_the_bigger_picture() -> None:
    tools = ["project-pitch", "thinking-hats", "values-balance"]
    sel = select(
        CONTENT,
        "doubters",
        audience(focus="added-value", stages={"pilot": {"goal": "G", "tools": tools}}),
    )
    for block in ("policy", "costs", "values", "risks", "alternatives", "thinking-hats"):
        assert block in sel.blocks
    assert sel.backup == ("objections",)
    # The costs chart carries the KPIs; the benefits and results are said in the notes; the
    # costs table and the objections are the back-up.
    assert "kpis" not in sel.deck.main and "benefits" not in sel.deck.main
    assert {"benefits", "results"} <= set(sel.deck.in_notes)
    assert sel.deck.backup == ("cost-table", "objections")  # no privacy content here
    assert sel.deck.objection_groups == ((0,),)
    assert "act" not in sel.deck.main


def test_a_long_project_is_capped_and_says_so() -> None:
    """Every tool and driver: the main part stays within the cap, the rest goes to the back-up
    (at most four slides) or the notes, and the plan names what moved."""
    tools = list(TOOLS)
    many = CONTENT.model_copy(
        update={
            "collaboration": [Collaboration(department="D")],
            "objections": [Objection(objection=f"B{i}", answer="A") for i in range(7)],
            "timeline": [Milestone(when="2027-Q1", milestone="M")],
            "kpis": [Kpi(name="K")],
        }
    )
    for focus, cap in (("main-lines", 10), ("added-value", 12)):
        aud = audience(
            focus=focus,
            drivers=["money", "safety", "policy", "privacy", "collaboration", "speed"],
            stages={"pilot": {"goal": "G", "tools": tools}},
        )
        plan = select(many, "x", aud).deck
        assert 1 + len(plan.main) + ("costs" in plan.main and focus == "main-lines") <= cap
        assert plan.cap == cap and plan.moved
        assert (
            len(plan.backup)
            - ("cost-table" in plan.backup)
            + len(plan.objection_groups)
            - ("objections" in plan.backup)
            <= 4
        )
        assert all(b in plan.backup or b in plan.in_notes for b in plan.moved)
        if focus == "added-value":
            groups = plan.objection_groups
            assert all(2 <= len(g) <= 3 for g in groups)


def test_a_named_person_gets_their_drivers_first() -> None:
    sel = select(CONTENT, "wethouder", audience(drivers=["money"]))
    assert sel.blocks[: sel.blocks.index("costs") + 1][-2:] == ("benefits", "costs")
    assert sel.benefits[0].title in ("Goedkoop", "Veilig")


def test_absent_content_leaves_blocks_out() -> None:
    bare = ProjectFile.model_validate(
        {"project": {"title": "T", "municipality": "M"}, "pitch": {"key_message": "K"}}
    )
    sel = select(bare, "doubters", audience(focus="added-value"))
    assert sel.blocks == ("ask",)
    assert sel.deck.main == ("message", "ask")
