"""pitchkit's speed against its floor and its alternatives, measured in one run: ratios, not times.

Usage: ``python benchmarks/run.py [--quick] [--repeat K] [--projects N] [--no-pdf] [--keep]
[--checkout REF]``.

Contract: writes a synthetic workspace (N projects x 3 audiences, default 12; see
``benchmarks/workspace.py``) and a single-project workspace (1 project x 2 audiences) to a
temporary folder, builds each once to warm caches and to describe what pitchkit makes, then
measures, interleaved round by round (the order alternates between rounds, so drift and
neighbours on the machine hit every contender alike):

- programme: ``pitchkit build --jobs 2`` (empty output folder) against the floor
  (``benchmarks/floor.py --jobs 2``: the same documents with plain python-pptx/python-docx) and
  against pandoc making the same documents from equivalent Markdown, two processes at a time;
- an unchanged rebuild (same content, output already there) against the full build;
- single project: the same three contenders for one project x two audiences (four documents);
- ``pitchkit --help`` against ``python -c "import click"``;
- PDF: ``pitchkit build --pdf`` against one bare ``soffice --headless --convert-to pdf`` call over
  the same files (with a fresh profile, as pitchkit uses);
- peak memory: the high-water mark of every process of one build (main process and workers).

pitchkit is the installed one (for an editable install: the working tree); with ``--checkout REF``
it is commit REF, extracted to the temporary folder and run as ``python -m generator``, with that
commit's example content and default theme (to compare commits, or to measure while the working
tree is being edited).

Every figure is a median of K runs of the whole process, wall clock; the CPU time of the whole
process tree (user + system, workers included) is printed beside it, since it shows the work done
even when other programs compete for the cores. It prints a table of ratios
with the targets of issue 7 next to them and writes everything (samples included, with the
machine) to ``benchmarks/results/<date>.json``. Exit status 0 whether or not targets are met:
this is an instrument, not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

# benchmarks/ is a folder of scripts, not a package: its modules import each other by name.
import spec as spec_mod
import workspace as ws_mod

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
JOBS = 2


@dataclass
class Source:
    """Which pitchkit is measured: its command, environment and repository folder."""

    command: list[str]
    env: dict[str, str] | None
    root: Path
    label: str


SOURCE = Source([], None, ws_mod.REPO, "installed")


def _environment(**extra: str) -> dict[str, str]:
    """The measured processes' environment: this one, with bytecode caching allowed.

    A user's Python writes .pyc files on the first run and reuses them; with
    PYTHONDONTWRITEBYTECODE set (as in some containers) every run would compile pitchkit's
    sources again, which is not what a user waits for.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(extra)
    return env


# --- running and timing --------------------------------------------------------------------------


@dataclass
class Run:
    """One timed run: wall seconds, CPU seconds of its whole process tree, peak RSS (KiB)."""

    seconds: float
    cpu: float
    maxrss_kb: int


def _run(command: Sequence[str], cwd: Path | None = None) -> Run:
    """Run ``command`` to the end; raise if it fails. Peak RSS covers its whole process tree."""
    start = time.perf_counter()
    process = subprocess.Popen(
        list(command), cwd=cwd, env=SOURCE.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert process.stderr is not None
    # Read stderr in a thread so a chatty process cannot block on a full pipe.
    chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: chunks.append(process.stderr.read()))  # type: ignore[union-attr]
    reader.start()
    # wait4 returns the child's rusage including its waited-for descendants (pool workers,
    # soffice.bin): ru_maxrss is then the largest single process of the tree.
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    reader.join()
    process.stderr.close()
    if process.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} failed ({process.returncode}):\n"
            + b"".join(chunks).decode(errors="replace")[-3000:]
        )
    return Run(seconds, usage.ru_utime + usage.ru_stime, int(usage.ru_maxrss))


def _run_parallel(commands: Sequence[Sequence[str]], width: int) -> Run:
    """Run ``commands`` ``width`` at a time (like ``xargs -P``); wall time of the whole batch."""
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=width) as pool:
        runs = list(pool.map(_run, commands))
    return Run(
        time.perf_counter() - start, sum(r.cpu for r in runs), max(r.maxrss_kb for r in runs)
    )


@dataclass
class Contender:
    """Something to time: ``before`` (untimed) prepares, ``run`` is timed."""

    name: str
    run: Callable[[], Run]
    before: Callable[[], None] = lambda: None
    runs: list[Run] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def median_cpu(self) -> float:
        return statistics.median(r.cpu for r in self.runs)

    @property
    def peak_mb(self) -> float:
        return max(r.maxrss_kb for r in self.runs) / 1024


def interleave(contenders: list[Contender], rounds: int, say: Callable[[str], None]) -> None:
    """Run every contender once per round, alternating the order between rounds."""
    for number in range(rounds):
        order = contenders if number % 2 == 0 else contenders[::-1]
        for c in order:
            c.before()
            c.runs.append(c.run())
        say(
            f"  round {number + 1}/{rounds}: "
            + ", ".join(f"{c.name} {c.runs[-1].seconds:.2f}s" for c in contenders)
        )


def _fresh(path: Path) -> Callable[[], None]:
    def clear() -> None:
        shutil.rmtree(path, ignore_errors=True)

    return clear


# --- peak memory per process ----------------------------------------------------------------


def _descendants(root: int) -> set[int]:
    """Pids of ``root``'s descendants (a scan of /proc: no per-task children files needed)."""
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as f:
                stat = f.read()
        except OSError:
            continue
        # The command name may contain spaces or parentheses: fields start after the last ')'.
        parents[int(entry.name)] = int(stat[stat.rindex(")") + 2 :].split()[1])
    found: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _hwm_kb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def peak_memory(command: Sequence[str]) -> dict[str, Any]:
    """Run ``command`` once, sampling every process's high-water RSS; main and worker peaks."""
    process = subprocess.Popen(
        list(command), env=SOURCE.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    peaks: dict[int, int] = {}
    if Path("/proc/self/status").exists():
        while process.poll() is None:
            for pid in {process.pid, *_descendants(process.pid)}:
                hwm = _hwm_kb(pid)
                if hwm is not None:
                    peaks[pid] = max(peaks.get(pid, 0), hwm)
            time.sleep(0.02)
    process.wait()
    workers = [kb for pid, kb in peaks.items() if pid != process.pid]
    return {
        "main_mb": round(peaks.get(process.pid, 0) / 1024, 1),
        "worker_mb": round(max(workers) / 1024, 1) if workers else None,
        "workers_seen": len(workers),
    }


# --- the comparisons ------------------------------------------------------------------------


def _pitchkit() -> list[str]:
    """The measured pitchkit command (see :data:`SOURCE`)."""
    return SOURCE.command


def _use_source(checkout: str | None, work: Path) -> None:
    """Point :data:`SOURCE` at the installed pitchkit, or at commit ``checkout``."""
    global SOURCE
    if checkout is None:
        script = Path(sys.executable).parent / "pitchkit"
        found = str(script) if script.exists() else shutil.which("pitchkit")
        command = [found] if found else [sys.executable, "-m", "generator"]
        SOURCE = Source(command, _environment(), ws_mod.REPO, "installed")
        return
    root = ws_mod.export_checkout(checkout, work / "checkout")
    commit = subprocess.run(
        ["git", "-C", str(ws_mod.REPO), "rev-parse", "--short", checkout],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    env = _environment(PYTHONPATH=str(root))
    SOURCE = Source([sys.executable, "-m", "generator"], env, root, f"commit {commit}")


def _pandoc_commands(md_jobs: list[tuple[Path, str]], out: Path) -> list[list[str]]:
    """One pandoc call per document, on pandoc's own default templates.

    Not ``--reference-doc`` with the theme's files: pandoc 2.17 writes a deck without a slide
    list on a .pptx template that has no slides, and a reference .docx makes each call three
    times slower. The defaults are pandoc at its fastest, the strictest comparison.
    """
    commands = []
    for md, target in md_jobs:
        path = out / target
        path.parent.mkdir(parents=True, exist_ok=True)
        extra = ["--slide-level=2"] if path.suffix == ".pptx" else []
        commands.append(["pandoc", "-f", "markdown", *extra, "-o", str(path), str(md)])
    return commands


def _count_documents(out: Path) -> int:
    return len(list(out.rglob("*.pptx"))) + len(list(out.rglob("*.docx")))


@dataclass
class Suite:
    """One workspace and its three contenders (pitchkit, floor, pandoc)."""

    name: str
    workspace: Path
    work: Path
    pitchkit: Contender | None = None
    floor: Contender | None = None
    pandoc: Contender | None = None
    documents: int = 0

    def prepare(self, say: Callable[[str], None]) -> None:
        """Build once (warm-up), describe the output, check the others make as many documents."""
        pk = _pitchkit()
        out = self.work / "pitchkit"
        build = [*pk, "build", str(self.workspace), "-o", str(out), "--jobs", str(JOBS)]
        _run(build)
        self.documents = _count_documents(out)
        theme = SOURCE.root / "templates" / "themes" / "default"
        spec = spec_mod.extract(out, self.work / "spec", theme)
        md_jobs = spec_mod.write_markdown(spec, self.work / "markdown")
        floor_out = self.work / "floor"
        floor = [sys.executable, str(HERE / "floor.py"), str(spec), str(floor_out)]
        floor += ["--jobs", str(JOBS)]
        pandoc_out = self.work / "pandoc"

        def run_pandoc() -> Run:
            return _run_parallel(_pandoc_commands(md_jobs, pandoc_out), JOBS)

        self.pitchkit = Contender("pitchkit", lambda: _run(build), _fresh(out))
        self.floor = Contender("floor", lambda: _run(floor), _fresh(floor_out))
        self.pandoc = Contender("pandoc", run_pandoc, _fresh(pandoc_out))
        for c in (self.floor, self.pandoc):
            c.before()
            c.run()
        made = {
            "floor": _count_documents(floor_out),
            "pandoc": _count_documents(pandoc_out),
        }
        if any(n != self.documents for n in made.values()):
            raise RuntimeError(f"{self.name}: pitchkit made {self.documents} documents, {made}")
        say(f"{self.name}: {self.documents} documents each from pitchkit, floor and pandoc")


def machine() -> dict[str, Any]:
    """Where the figures were measured."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    soffice = shutil.which("soffice")
    pandoc = shutil.which("pandoc")
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu or platform.processor(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "pandoc": _first_line([pandoc, "--version"]) if pandoc else None,
        "soffice": _first_line([soffice, "--version"]) if soffice else None,
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
    }


def _first_line(command: list[str]) -> str:
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        return result.stdout.strip().splitlines()[0] if result.stdout.strip() else ""
    except (OSError, subprocess.TimeoutExpired):
        return ""


@dataclass
class Ratio:
    """One line of the table: ``a / b`` against a target (``a`` at most ``target`` x ``b``)."""

    what: str
    a: Contender
    b: Contender
    target: float | None

    @property
    def value(self) -> float:
        return self.a.median / self.b.median

    @property
    def cpu_value(self) -> float:
        return self.a.median_cpu / self.b.median_cpu if self.b.median_cpu else float("nan")

    def row(self) -> dict[str, Any]:
        return {
            "what": self.what,
            "a": self.a.name,
            "b": self.b.name,
            "a_median_s": round(self.a.median, 3),
            "b_median_s": round(self.b.median, 3),
            "ratio": round(self.value, 3),
            "a_median_cpu_s": round(self.a.median_cpu, 3),
            "b_median_cpu_s": round(self.b.median_cpu, 3),
            "cpu_ratio": round(self.cpu_value, 3),
            "target": self.target,
            "met": None if self.target is None else self.value <= self.target,
            "a_samples_s": [round(r.seconds, 3) for r in self.a.runs],
            "b_samples_s": [round(r.seconds, 3) for r in self.b.runs],
        }


def main(argv: list[str] | None = None) -> int:
    """Measure, print the table, write the JSON; exit status 0."""
    parser = argparse.ArgumentParser(description="pitchkit benchmarks (see the module docstring)")
    parser.add_argument("--quick", action="store_true", help="4 projects, 3 rounds (PDF: 2)")
    parser.add_argument("--repeat", type=int, help="rounds per comparison (default 5; PDF 3)")
    parser.add_argument("--projects", type=int, help="projects in the programme (default 12)")
    parser.add_argument("--no-pdf", action="store_true", help="skip the LibreOffice comparison")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--checkout", metavar="REF", help="measure pitchkit at this git commit")
    args = parser.parse_args(argv)
    rounds = args.repeat or (3 if args.quick else 5)
    pdf_rounds = args.repeat or (2 if args.quick else 3)
    projects = args.projects or (4 if args.quick else 12)

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    for tool in ("pandoc",):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is needed for the comparison: apt-get install {tool}")
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    do_pdf = not args.no_pdf and soffice is not None
    if not args.no_pdf and soffice is None:
        say("LibreOffice not found: skipping the PDF comparison")

    work = Path(tempfile.mkdtemp(prefix="pitchkit-bench-"))
    say(f"working in {work}")
    started = time.perf_counter()
    here = Path.cwd()
    # Every measured process starts in the temporary folder: `python -m generator` puts its
    # current folder first on sys.path, and in a checkout that would be the working tree.
    os.chdir(work)
    try:
        _use_source(args.checkout, work)
        where = subprocess.run(
            [sys.executable, "-c", "import generator; print(generator.__file__)"],
            env=SOURCE.env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        say(f"measuring pitchkit: {SOURCE.label}, {' '.join(SOURCE.command)}, from {where}")
        example = SOURCE.root / "content"
        programme = Suite(
            f"programme {projects}x3",
            ws_mod.make_programme(work / "ws-programme", projects, 3, example),
            work / "programme",
        )
        single = Suite(
            "single 1x2", ws_mod.make_single(work / "ws-single", example), work / "single"
        )
        programme.prepare(say)
        single.prepare(say)
        assert programme.pitchkit and programme.floor and programme.pandoc
        assert single.pitchkit and single.floor and single.pandoc

        pk = _pitchkit()
        kept = work / "programme" / "pitchkit-kept"
        rebuild_cmd = [*pk, "build", str(programme.workspace), "-o", str(kept), "--jobs", str(JOBS)]
        _run(rebuild_cmd)  # the output an unchanged rebuild finds
        rebuild = Contender("unchanged rebuild", lambda: _run(rebuild_cmd))

        say(f"programme ({programme.documents} documents), {rounds} rounds")
        interleave([programme.pitchkit, programme.floor, programme.pandoc, rebuild], rounds, say)
        say(f"single project ({single.documents} documents), {rounds} rounds")
        interleave([single.pitchkit, single.floor, single.pandoc], rounds, say)

        help_pk = Contender("pitchkit --help", lambda: _run([*pk, "--help"]))
        click = Contender("import click", lambda: _run([sys.executable, "-c", "import click"]))
        say(f"startup, {max(rounds, 10)} rounds")
        interleave([help_pk, click], max(rounds, 10), lambda _m: None)

        ratios = [
            Ratio("programme: pitchkit / floor", programme.pitchkit, programme.floor, 1.2),
            Ratio("programme: pitchkit / pandoc", programme.pitchkit, programme.pandoc, 0.75),
            Ratio("programme: floor / pandoc", programme.floor, programme.pandoc, None),
            Ratio("single: pitchkit / pandoc", single.pitchkit, single.pandoc, 1.0),
            Ratio("single: pitchkit / floor", single.pitchkit, single.floor, None),
            Ratio("single: floor / pandoc", single.floor, single.pandoc, None),
            Ratio("pitchkit --help / import click", help_pk, click, 2.0),
            Ratio("unchanged rebuild / full build", rebuild, programme.pitchkit, 0.1),
        ]

        if do_pdf:
            assert soffice is not None
            pdf_out = work / "pdf-pitchkit"
            pdf_build = [*pk, "build", str(programme.workspace), "-o", str(pdf_out)]
            pdf_build += ["--jobs", str(JOBS), "--pdf"]
            files = sorted(
                str(p) for p in kept.rglob("*") if p.suffix in (".pptx", ".docx") and p.is_file()
            )
            bare_out = work / "pdf-bare"
            profile = work / "soffice-profile"

            def bare() -> Run:
                return _run(
                    [
                        soffice,
                        f"-env:UserInstallation={profile.as_uri()}",
                        "--headless",
                        "--convert-to",
                        "pdf",
                        "--outdir",
                        str(bare_out),
                        *files,
                    ]
                )

            def clear_bare() -> None:
                _fresh(bare_out)()
                _fresh(profile)()  # a fresh profile each time, as pitchkit uses

            pdf_pk = Contender("pitchkit build --pdf", lambda: _run(pdf_build), _fresh(pdf_out))
            pdf_bare = Contender("bare soffice", bare, clear_bare)
            say(f"PDF ({len(files)} files), {pdf_rounds} rounds")
            interleave([pdf_pk, pdf_bare], pdf_rounds, say)
            ratios.append(Ratio("build --pdf / one bare soffice", pdf_pk, pdf_bare, 1.1))
            # For reading the line above: the PDF step alone, the build's median taken off.
            step = Contender("PDF step (build --pdf - build)", pdf_pk.run)
            step.runs = [
                Run(r.seconds - programme.pitchkit.median, r.cpu - programme.pitchkit.median_cpu, 0)
                for r in pdf_pk.runs
            ]
            ratios.append(Ratio("PDF step only / one bare soffice", step, pdf_bare, None))

        say("peak memory per process (one more build, sampled)")
        memory_out = work / "memory"
        memory = peak_memory(
            [*pk, "build", str(programme.workspace), "-o", str(memory_out), "--jobs", str(JOBS)]
        )
        floor_memory = peak_memory(
            [
                sys.executable,
                str(HERE / "floor.py"),
                str(work / "programme" / "spec" / "spec.json"),
                str(work / "floor-memory"),
                "--jobs",
                str(JOBS),
            ]
        )
        memory["floor_worker_mb"] = floor_memory["worker_mb"]
        memory["floor_main_mb"] = floor_memory["main_mb"]
        memory["pitchkit_tree_max_mb"] = round(programme.pitchkit.peak_mb, 1)
        memory["target_worker_mb"] = 200
    finally:
        os.chdir(here)
        if args.keep:
            say(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    info = machine()
    results = {
        "machine": info,
        "pitchkit": SOURCE.label,
        "settings": {
            "projects": projects,
            "audiences": 3,
            "jobs": JOBS,
            "rounds": rounds,
            "pdf_rounds": pdf_rounds if do_pdf else 0,
            "documents": {"programme": programme.documents, "single": single.documents},
        },
        "ratios": [r.row() for r in ratios],
        "memory": memory,
        "elapsed_s": round(time.perf_counter() - started, 1),
    }
    print_table(results)
    RESULTS.mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = RESULTS / f"{stamp}{'-quick' if args.quick else ''}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    say(f"wrote {path}")
    return 0


def print_table(results: dict[str, Any]) -> None:
    """The ratios with their targets, then memory and the machine, as a Markdown table."""
    m = results["machine"]
    s = results["settings"]
    print(
        f"\n{m['date'][:10]}, {m['nproc']} x {m['cpu']}, Python {m['python']}, "
        f"pitchkit {results['pitchkit']}, {s['projects']} projects x {s['audiences']} audiences "
        f"({s['documents']['programme']} documents), --jobs {s['jobs']}, "
        f"medians of {s['rounds']} (PDF: {s['pdf_rounds']})\n"
    )
    print("| comparison | a (s) | b (s) | ratio | target | met | CPU a | CPU b | CPU ratio |")
    print("| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |")
    for r in results["ratios"]:
        target = "" if r["target"] is None else f"<= {r['target']:g}"
        met = "" if r["met"] is None else ("yes" if r["met"] else "NO")
        print(
            f"| {r['what']} | {r['a_median_s']:.2f} | {r['b_median_s']:.2f} | "
            f"{r['ratio']:.2f} | {target} | {met} | {r['a_median_cpu_s']:.2f} | "
            f"{r['b_median_cpu_s']:.2f} | {r['cpu_ratio']:.2f} |"
        )
    mem = results["memory"]
    # wait4's figure is exact (the largest process of the tree over the whole run); sampling
    # tells main and workers apart but can miss a short peak, so the target uses the larger.
    peak = max(mem["pitchkit_tree_max_mb"], mem["worker_mb"] or 0)
    met = "yes" if peak <= mem["target_worker_mb"] else "NO"
    print(
        f"| peak memory of any build process (MB) | {peak:.0f} | floor {mem['floor_worker_mb']} "
        f"| | <= {mem['target_worker_mb']} | {met} | | | |"
    )
    print(
        f"\nsampled peaks: pitchkit main {mem['main_mb']} MB, workers {mem['worker_mb']} MB; "
        f"floor main {mem['floor_main_mb']} MB, workers {mem['floor_worker_mb']} MB"
    )


if __name__ == "__main__":
    sys.exit(main())
