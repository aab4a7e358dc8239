"""JSON Schemas of the content files, generated from the content model (for editors).

Contract: :func:`schemas` returns one schema per content file kind; ``pitchkit schema`` prints
them and ``pitchkit init`` writes them to ``.pitchkit/`` where the files' ``$schema`` lines point.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import RootModel

from generator.content.model import Audience, ProjectFile, SmartCity

KINDS = ("project", "audiences", "smart-city")


class AudiencesFile(RootModel[dict[str, Audience]]):
    """``content/audiences.yaml``: audience groups by key."""


def schemas() -> dict[str, dict[str, Any]]:
    """Schema per kind: project (project.yaml), audiences, smart-city."""
    result = {
        "project": ProjectFile.model_json_schema(),
        "audiences": AudiencesFile.model_json_schema(),
        "smart-city": SmartCity.model_json_schema(),
    }
    for kind, schema in result.items():
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema.setdefault("title", f"pitchkit {kind}")
    return result


def schema_text(kind: str = "project") -> str:
    """The schema of ``kind`` as indented JSON."""
    return json.dumps(schemas()[kind], indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def reference_markdown() -> str:
    """The content format reference (docs/content-format.md), from the models' field docstrings."""
    from pydantic import BaseModel

    from generator.content import model

    lines = [
        "# Content format, version 1",
        "",
        "Generated from `generator/content/model.py` by "
        "`python -m generator.content.schema`; do not edit by hand.",
        "Keys are English; values are in the project's language. Text is shown exactly as written,",
        "except in the fields marked *(Markdown)*: those may use inline Markdown (`**bold**`,",
        "`*italic*`, `[link](https://...)`), and a link there must start with `https://`,",
        "`http://`, `mailto:` or `tel:` (a link to a file, a network share or a program is an",
        "error). Only fields marked **required** must be present; the documents adapt when",
        "anything else is absent.",
        "",
    ]
    order = [
        model.ProjectFile,
        model.ProjectInfo,
        model.Contact,
        model.Pitch,
        model.Benefit,
        model.Kpi,
        model.Costs,
        model.Funding,
        model.Policy,
        model.Milestone,
        model.Result,
        model.Risk,
        model.Alternative,
        model.Values,
        model.ValueGain,
        model.ValueTension,
        model.Privacy,
        model.Collaboration,
        model.Objection,
        model.Visit,
        model.Image,
        model.Audience,
        model.StagePlan,
        model.SmartCity,
    ]
    for cls in order:
        assert issubclass(cls, BaseModel)
        lines += [f"## {cls.__name__}", "", (cls.__doc__ or "").strip(), ""]
        lines += ["| field | required | meaning |", "| --- | --- | --- |"]
        for name, info in cls.model_fields.items():
            doc = " ".join((info.description or "").split()).replace("|", "\\|")
            if model.allows_markdown(info):
                doc = f"*(Markdown)* {doc}"
            lines.append(f"| `{name}` | {'yes' if info.is_required() else ''} | {doc} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    from pathlib import Path

    import generator

    # A source checkout's own docs/ and .pitchkit/, found from the package wherever this module is.
    repo = Path(generator.__file__).resolve().parent.parent
    target = repo / "docs" / "content-format.md"
    target.parent.mkdir(exist_ok=True)
    target.write_text(reference_markdown(), encoding="utf-8")
    for kind in KINDS:
        folder = repo / ".pitchkit"
        folder.mkdir(exist_ok=True)
        (folder / f"{kind}.schema.json").write_text(schema_text(kind), encoding="utf-8")
    print(f"wrote {target} and .pitchkit/*.schema.json")
