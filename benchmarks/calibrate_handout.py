"""How well the handout prediction (generator.handout.layout) matches LibreOffice.

Usage: ``python benchmarks/calibrate_handout.py [--projects N] [--save FILE.json]``.

Contract: builds a corpus of handouts (the test suite's matrix of the example, long and minimal
content on the default and the Westerhaven theme, the example on python-docx's own template and
on every real Word template of tests/data/templates/docx, plus an N-project benchmark programme),
renders
variants of each (every density without leaving anything out; the densest with the 1-3
lowest-priority sections left out) with LibreOffice, and prints per variant the predicted share
of the page body next to LibreOffice's pages and, for one-page variants, the measured share (the
bottom of the lowest block on the page above the footer, from the top of the title). It ends with
the largest predicted share that LibreOffice put on two pages (the prediction must stay below it
to be safe) and the error of the prediction on the one-page variants.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(REPO))

import workspace as ws_mod  # noqa: E402


def corpus(root: Path, projects: int) -> list[tuple[str, object, object, object]]:
    """(name, handout, theme, created) for every handout of the corpus workspaces."""
    from generator.content.loader import load_workspace
    from generator.ooxml.package import document_time
    from generator.pipeline.build import plan, render_all
    from tests.handout.test_fit import matrix_workspace
    from tests.handout.test_layout import bare_workspace
    from tests.test_word_templates import corpus_workspace

    items = []
    roots = [matrix_workspace(root / "matrix"), bare_workspace(root / "bare")]
    roots.append(corpus_workspace(root / "word"))  # real Word templates (tests/data/templates)
    if projects:
        roots.append(ws_mod.make_programme(root / "programme", projects))
    roots.append(REPO / "tests" / "data" / "long")
    for ws_root in roots:
        workspace = load_workspace(ws_root)
        for r in render_all(workspace, plan(workspace)):
            project = r.job.project
            name = f"{project.slug}-{r.job.audience_key}"
            when = document_time(project.content.project.date)
            items.append((name, r.handout, project.theme, when))
    return items


def main() -> int:
    from generator.handout.builder import DENSITIES
    from generator.handout.fit import FitJob, build_variant, drop_order
    from generator.handout.layout import geometry, predict
    from generator.handout.measure import measure_variants
    from tests.handout.test_layout import measured_share

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=12)
    parser.add_argument("--save", type=Path)
    parser.add_argument("--only", help="only handouts whose name contains this")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        items = corpus(Path(tmp), args.projects)
        items = [item for item in items if not args.only or args.only in item[0]]
        variants = []
        for name, handout, theme, when in items:
            job = FitJob(name, handout, theme, when)  # type: ignore[arg-type]
            order = drop_order(handout)  # type: ignore[arg-type]
            wanted = [(d, ()) for d in range(len(DENSITIES))]
            wanted += [(len(DENSITIES) - 1, tuple(order[:n])) for n in (1, 2, 3) if n <= len(order)]
            for d, drop in wanted:
                variants.append((job, d, drop))
        print(f"{len(items)} handouts, {len(variants)} variants: rendering", file=sys.stderr)
        data = [build_variant(job, d, drop) for job, d, drop in variants]
        results = measure_variants(data, Path(tmp) / "render", timeout=1800)
        for (job, d, drop), m in zip(variants, results, strict=True):
            share = predict(job.handout, job.theme, d, drop)
            real = measured_share(m.pdf, geometry(job.theme).body_pt)
            rows.append(
                {
                    "name": job.name,
                    "density": d,
                    "left_out": list(drop),
                    "predicted": round(share, 4),
                    "pages": m.pages,
                    "measured": None if real is None else round(real, 4),
                }
            )
    for r in rows:
        measured = "-" if r["measured"] is None else f"{r['measured']:.3f}"
        print(
            f"{r['name'][:44]:44} d{r['density']} -{len(r['left_out'])} "
            f"predicted {r['predicted']:.3f} measured {measured} pages {r['pages']}"
        )
    over = [r["predicted"] for r in rows if r["pages"] > 1]
    errors = [r["predicted"] - r["measured"] for r in rows if r["measured"] is not None]
    print(f"\nvariants: {len(rows)}, on two pages: {len(over)}")
    if over:
        print(f"smallest predicted share that LibreOffice put on two pages: {min(over):.3f}")
    one = [r["predicted"] for r in rows if r["pages"] == 1]
    if one:
        print(f"largest predicted share on one page: {max(one):.3f}")
    if errors:
        errors.sort()
        print(
            f"predicted - measured on one page: min {errors[0]:+.3f} "
            f"median {errors[len(errors) // 2]:+.3f} max {errors[-1]:+.3f}"
        )
    if args.save:
        args.save.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
