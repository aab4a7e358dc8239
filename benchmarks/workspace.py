"""Synthetic workspaces for the benchmark, made from the example content in ``content/``.

Contract: :func:`make_programme` writes a workspace of ``projects`` projects, each built for every
audience group in ``audiences.yaml`` (the two groups of the seed plus, with ``audiences=3``, one
named alderman); :func:`make_single` writes one project for the two default groups. Projects cycle
over the example projects (Dutch and English) with varied titles, stages, dates and amounts, so
that no two documents are the same and every stage's texts are used. The same arguments give the
same files, so runs on different days compare like with like.
"""

from __future__ import annotations

import copy
import datetime as dt
import shutil
import subprocess
import tarfile
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "content"

#: The audience added to the seed's two groups: one named person ("tailor per person"), so the
#: generic template for audiences without a template of their own is measured too.
CUSTOM_AUDIENCE: dict[str, Any] = {
    "name": "Wethouder Jansen (Financiën)",
    "who": "Portefeuillehouder financiën, kritisch op nieuwe uitgaven.",
    "focus": "added-value",
    "drivers": ["money", "results", "policy"],
    "stages": {
        "start": {
            "goal": "Laten zien dat het idee de gemeente op termijn geld oplevert.",
            "tools": ["project-pitch", "kvs"],
            "tips": ["Begin met de kosten en de besparing.", "Noem de dekking per bron."],
        },
        "pilot": {
            "goal": "Laten zien dat de pilot binnen budget blijft en iets oplevert.",
            "tools": ["project-pitch", "values-balance"],
            "tips": ["Begin met de kosten en de besparing."],
        },
        "scale-up": {
            "goal": "Het budget voor opschaling verantwoorden met de resultaten van de pilot.",
            "tools": ["project-pitch", "thinking-hats"],
            "tips": ["Vergelijk de resultaten met de begroting van de pilot."],
        },
    },
}

#: Where each synthetic project is, so titles differ (Dutch and English place names).
DISTRICTS = (
    "Binnenstad",
    "Harbour District",
    "Stationskwartier",
    "Northgate",
    "Oude Haven",
    "Riverside",
    "Westwijk",
    "Old Town",
    "Kanaalzone",
    "Eastfield",
    "Zuiderpark",
    "Market Quarter",
)

STAGES = ("start", "pilot", "scale-up", "operation")


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _dump(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8"
    )


def _scale(value: Any, factor: float) -> Any:
    """An amount scaled and rounded to a plausible figure (thousands)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(round(value * factor / 1000.0) * 1000) or int(value)
    return value


def _vary(project: dict[str, Any], number: int, audiences: list[str] | None) -> dict[str, Any]:
    """A copy of an example project with its own title, stage, date and figures."""
    p = copy.deepcopy(project)
    district = DISTRICTS[number % len(DISTRICTS)]
    factor = 0.6 + 0.15 * (number % 7)
    p["stage"] = STAGES[number % len(STAGES)]
    if audiences is None:
        p.pop("audiences", None)
    else:
        p["audiences"] = list(audiences)
    info = p["project"]
    info["title"] = f"{info['title']} {district}"
    info["date"] = dt.date(2027, 1 + number % 12, 1 + (3 * number) % 28)
    costs = p.get("costs") or {}
    for key in ("investment", "yearly", "savings_yearly"):
        if key in costs:
            costs[key] = _scale(costs[key], factor)
    for funding in costs.get("funding") or []:
        funding["amount"] = _scale(funding["amount"], factor)
    for kpi in p.get("kpis") or []:
        for key in ("baseline", "target"):
            if key in kpi:
                kpi[key] = _scale(kpi[key], factor)
    return p


def export_checkout(ref: str, dest: Path) -> Path:
    """Extract commit ``ref`` of this repository into ``dest`` (``git archive``); return ``dest``.

    Runs pitchkit as it was at ``ref`` (``PYTHONPATH=dest python -m generator``) while the
    working tree is being edited, without touching the repository's worktrees or index.
    """
    dest.mkdir(parents=True, exist_ok=True)
    archive = dest.with_suffix(".tar")
    subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", "-o", str(archive), ref], check=True
    )
    with tarfile.open(archive) as tar:
        tar.extractall(dest, filter="data")
    archive.unlink()
    return dest


def _example_projects(example: Path) -> list[Path]:
    return sorted(d for d in example.iterdir() if (d / "project.yaml").is_file())


def make_programme(
    root: Path, projects: int = 12, audiences: int = 3, example: Path = EXAMPLE
) -> Path:
    """Write a workspace of ``projects`` x ``audiences`` (2 or 3) under ``root``; return it.

    ``example`` is the content folder the projects are made from (the repository's by default).
    """
    if audiences not in (2, 3):
        raise ValueError("audiences must be 2 (the seed's groups) or 3 (plus one alderman)")
    if root.exists():
        shutil.rmtree(root)
    content = root / "content"
    groups = _load(example / "audiences.yaml")
    if audiences == 3:
        groups["wethouder-jansen"] = CUSTOM_AUDIENCE
    _dump(content / "audiences.yaml", groups)
    if (example / "smart-city.yaml").is_file():
        shutil.copy(example / "smart-city.yaml", content / "smart-city.yaml")
    sources = _example_projects(example)
    for number in range(projects):
        source = sources[number % len(sources)]
        folder = content / f"{source.name}-{number + 1:02d}"
        shutil.copytree(source / "images", folder / "images")
        data = _vary(_load(source / "project.yaml"), number, None)
        _dump(folder / "project.yaml", data)
    return root


def make_single(root: Path, example: Path = EXAMPLE) -> Path:
    """Write a workspace of one project built for the two seed groups (four documents)."""
    if root.exists():
        shutil.rmtree(root)
    content = root / "content"
    _dump(content / "audiences.yaml", _load(example / "audiences.yaml"))
    source = _example_projects(example)[0]
    folder = content / source.name
    shutil.copytree(source / "images", folder / "images")
    project = _vary(_load(source / "project.yaml"), 0, ["supporters", "doubters"])
    _dump(folder / "project.yaml", project)
    return root
