"""Where a full build spends its time: phase timings, then cProfile's top costs.

Usage: ``python benchmarks/profile_build.py [--projects N] [--top K] [--save FILE.pstats]
[--checkout REF]``.

Contract: writes the synthetic programme workspace (N projects x 3 audiences, default 12), builds
it once to warm caches, then times each phase of one build in this process without a profiler
(load, plan, render, build documents, write) and profiles a second build with cProfile, all with
one process (``--jobs 1``) so the builders' costs show up. It prints the phases, the top
functions by own time and pitchkit's own functions by cumulative time. cProfile slows
pure-Python code (YAML scanning, Jinja2, lxml wrappers) more than C code: trust the phase
timings for sizes and the profile for where inside a phase the time goes. With ``--checkout REF``
it profiles commit REF (extracted to a temporary folder) instead of the installed pitchkit.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import workspace as ws_mod


def _import_seconds(module: str, env: dict[str, str] | None, cwd: Path) -> float:
    """Median wall time of a fresh interpreter importing ``module`` (minus a bare start).

    Runs in ``cwd``: ``python -c`` puts its current folder first on sys.path.
    """

    def once(code: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=cwd)
        return time.perf_counter() - start

    bare = sorted(once("pass") for _ in range(5))[2]
    full = sorted(once(f"import {module}") for _ in range(5))[2]
    return full - bare


def phases(root: Path, out: Path) -> list[tuple[str, float]]:
    """Seconds per phase of one in-process build of ``root`` (no profiler)."""
    from generator.content.loader import load_workspace
    from generator.pipeline.build import build_documents, plan, render_all
    from generator.pipeline.writer import OutputLock

    timings: list[tuple[str, float]] = []
    start = time.perf_counter()
    workspace = load_workspace(root)
    timings.append(("load and validate", time.perf_counter() - start))
    start = time.perf_counter()
    jobs = plan(workspace)
    rendered = render_all(workspace, jobs)
    timings.append((f"render {len(jobs)} jobs (templates -> trees)", time.perf_counter() - start))
    start = time.perf_counter()
    documents = [d for item in rendered for d in build_documents(item, out)]
    built = time.perf_counter() - start
    timings.append((f"build {len(documents)} documents (pptx + docx, one process)", built))
    start = time.perf_counter()
    with OutputLock(out) as output:
        output.write_all({d.path: d.data for d in documents})
    timings.append(("write", time.perf_counter() - start))
    return timings


def main(argv: list[str] | None = None) -> int:
    """Print phase timings and the profile; exit status 0."""
    parser = argparse.ArgumentParser(description="profile a full pitchkit build")
    parser.add_argument("--projects", type=int, default=12)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--save", type=Path, help="also write the raw profile here (.pstats)")
    parser.add_argument("--checkout", metavar="REF", help="profile pitchkit at this git commit")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="pitchkit-profile-") as tmp:
        example = ws_mod.EXAMPLE
        env = None
        if args.checkout:
            source = ws_mod.export_checkout(args.checkout, Path(tmp) / "checkout")
            sys.path.insert(0, str(source))  # before the installed (editable) pitchkit
            env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
            env["PYTHONPATH"] = str(source)
            example = source / "content"
        from generator.pipeline.build import build

        root = ws_mod.make_programme(Path(tmp) / "ws", args.projects, 3, example)
        build(root, out=Path(tmp) / "warm", jobs=1)  # warm: bytecode, fonts, file caches

        print("imports (fresh interpreter, minus a bare start):")
        for module in (
            "click",
            "generator.app.cli",
            "generator.pipeline.build",
            "pptx",
            "docx",
            "jinja2",
        ):
            print(f"  {module:<20} {_import_seconds(module, env, Path(tmp)):6.3f} s")
        heavy = "pptx, docx, jinja2, yaml, pydantic, babel, PIL"
        print(f"  {'all of ' + heavy:<20} {_import_seconds(heavy, env, Path(tmp)):6.3f} s")

        print(f"\nphases of one build, {args.projects} projects x 3 audiences, one process:")
        timings = phases(root, Path(tmp) / "phases")
        total = sum(t for _, t in timings)
        for name, seconds in timings:
            print(f"  {name:<52} {seconds:6.2f} s  {100 * seconds / total:4.0f}%")
        print(f"  {'total':<52} {total:6.2f} s")

        profile = cProfile.Profile()
        profile.enable()
        build(root, out=Path(tmp) / "profiled", jobs=1)
        profile.disable()
    if args.save:
        profile.dump_stats(str(args.save))

    stream = io.StringIO()
    stats = pstats.Stats(profile, stream=stream)
    stats.sort_stats("tottime").print_stats(args.top)
    print(f"\ntop {args.top} functions by own time (cProfile):")
    print(_trim(stream.getvalue()))
    stream = io.StringIO()
    stats = pstats.Stats(profile, stream=stream)
    stats.sort_stats("cumulative").print_stats(r"/generator/", args.top)
    print(f"\npitchkit's functions by cumulative time (cProfile, top {args.top}):")
    print(_trim(stream.getvalue()))
    return 0


def _trim(report: str) -> str:
    """pstats' table without its preamble, with long site-packages paths shortened."""
    lines = report.splitlines()
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls")), 0)
    out = []
    for line in lines[start:]:
        if "site-packages/" in line:
            line = (
                line.split("site-packages/")[0].rsplit(" ", 1)[0]
                + " "
                + line.split("site-packages/")[1]
            )
        out.append(line)
    return "\n".join(out).rstrip()


if __name__ == "__main__":
    sys.exit(main())
