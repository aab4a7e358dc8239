"""Build the refactoring corpus: documents that a change meant to alter nothing must not alter.

Usage: ``python tools/build_corpus.py OUT`` builds four workspaces into ``OUT/<name>/``:

- ``example``: the repository's own content (``content/``);
- ``long``: the long-content fixture (``tests/data/long``);
- ``programme``: 12 projects x 3 audiences made by ``benchmarks/workspace.py``, plus the
  programme deck;
- ``foreign``: the example projects on foreign templates (the ``mecanon`` .potx deck and the
  ``westerhaven`` Word template from ``tests/data/themes``).

Then ``python tools/build_corpus.py --compare A B`` compares two such folders file by file, like
``cmp``, and exits 1 when any document differs or is missing. A move of code that should be
mechanical is byte-identical when::

    git stash; python tools/build_corpus.py /tmp/before; git stash pop
    python tools/build_corpus.py /tmp/after
    python tools/build_corpus.py --compare /tmp/before /tmp/after

Every build runs in its own process with ``SOURCE_DATE_EPOCH`` fixed, so the dates agree.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.workspace import make_programme  # noqa: E402

DOCUMENTS = (".pptx", ".docx", ".ics")


def _foreign(root: Path) -> Path:
    """The example content with every project on the mecanon deck and the Westerhaven handout."""
    shutil.copytree(REPO / "content", root / "content")
    theme = root / "templates" / "themes" / "foreign"
    theme.mkdir(parents=True)
    shutil.copy(REPO / "tests/data/themes/mecanon/deck.potx", theme / "deck.potx")
    westerhaven = REPO / "tests/data/themes/westerhaven"
    shutil.copy(westerhaven / "handout.docx", theme / "handout.docx")
    shutil.copy(westerhaven / "logo.png", theme / "logo.png")
    spec = yaml.safe_load((westerhaven / "theme.yaml").read_text(encoding="utf-8"))
    spec.pop("layouts", None)
    (theme / "theme.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    for project in sorted((root / "content").glob("*/project.yaml")):
        data = yaml.safe_load(project.read_text(encoding="utf-8"))
        data["theme"] = "foreign"
        project.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return root


def build_corpus(out: Path) -> int:
    """Build every corpus workspace into ``out``; return the number of documents written."""
    out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, SOURCE_DATE_EPOCH="1767225600")  # 2026-01-01, whatever the clock says
    with tempfile.TemporaryDirectory(prefix="pitchkit-corpus-") as tmp:
        scratch = Path(tmp)
        workspaces = {
            "example": REPO,
            "long": REPO / "tests/data/long",
            "programme": make_programme(scratch / "programme", projects=12, audiences=3),
            "foreign": _foreign(scratch / "foreign"),
        }
        for name, workspace in workspaces.items():
            target = out / name
            if target.exists():
                shutil.rmtree(target)
            subprocess.run(
                [sys.executable, "-m", "generator", "build", str(workspace), "-o", str(target)],
                check=True,
                env=env,
                stdout=subprocess.DEVNULL,
            )
    return sum(1 for p in out.rglob("*") if p.suffix in DOCUMENTS)


def compare(before: Path, after: Path) -> list[str]:
    """Every document of either folder that is missing from the other or differs in bytes."""
    names = {
        p.relative_to(root)
        for root in (before, after)
        for p in root.rglob("*")
        if p.suffix in DOCUMENTS
    }
    problems = []
    for name in sorted(names):
        a, b = before / name, after / name
        if not a.is_file() or not b.is_file():
            problems.append(f"only in {'after' if b.is_file() else 'before'}: {name}")
        elif a.read_bytes() != b.read_bytes():
            problems.append(f"differs: {name}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path, help="OUT, or with --compare: A B")
    parser.add_argument("--compare", action="store_true", help="compare two corpus folders")
    args = parser.parse_args()
    if args.compare:
        if len(args.folders) != 2:
            parser.error("--compare takes two folders")
        problems = compare(*args.folders)
        total = sum(1 for p in args.folders[0].rglob("*") if p.suffix in DOCUMENTS)
        for line in problems:
            print(line)
        print(f"{total} documents, {len(problems)} different")
        return 1 if problems or total < 90 else 0
    count = build_corpus(args.folders[0])
    print(f"{count} documents in {args.folders[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
