"""The render step: context built once per project and audience, the same figures everywhere."""

from __future__ import annotations

from pathlib import Path

from generator.loader import load_workspace
from generator.model import Costs
from generator.render import derive_figures, render_documents
from generator.selection import select
from generator.templating import TemplateLibrary


def test_payback_and_cumulative_savings() -> None:
    figures = derive_figures(Costs(investment=250000, yearly=15000, savings_yearly=156000), 2027)
    assert figures.net_yearly == 141000
    assert figures.payback_years is not None and round(figures.payback_years, 2) == 1.77
    assert figures.years[0] == "2028" and figures.cumulative[0] == 141000
    assert derive_figures(None, 2027).payback_years is None


def test_smart_city_text_follows_the_project_language(workspace: Path) -> None:
    ws = load_workspace(workspace)
    assert ws.smart_city is not None and ws.smart_city.language == "nl"
    for project in ws.projects:
        audience = ws.audiences["doubters"].model_copy(
            update={"stages": {"start": ws.audiences["doubters"].stages["start"]}}
        )
        selection = select(project.content, "doubters", audience)
        assert "smart-city" in selection.blocks
        library = TemplateLibrary.for_project(project.folder, ws.root)
        deck = render_documents(ws, project, selection, library).deck
        text = deck.model_dump_json()
        if project.content.language == "en":
            assert "A smart city uses sensors" in text
            assert ws.smart_city.definition not in text
        else:
            assert ws.smart_city.definition in text
