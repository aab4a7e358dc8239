"""The render step: context built once per project and audience, the same figures everywhere."""

from __future__ import annotations

from pathlib import Path

from generator.compose.render import render_documents
from generator.compose.selection import select
from generator.compose.templating import TemplateLibrary
from generator.content.loader import load_workspace


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
