"""Issue 15 item 12: a killed build leaves nothing running, and the next build cleans up.

``python -m generator build`` gets a real SIGKILL (the process alone, as the OOM killer or
``kill -9 PID`` sends it; not its process group): once while its pool workers run, once while
LibreOffice makes the PDFs. Every process that inherited the build's environment (marked with a
variable of its own) must be gone within seconds. The temporary folder the killed PDF step left
is removed by the next build, and a folder whose owner still runs is not.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.export.pdf import find_soffice
from generator.pipeline.processes import remove_stale_work_folders
from tests.conftest import EXAMPLE_CONTENT, MINIMAL_PROJECT, write

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads processes from /proc"
)
MARK = "PITCHKIT_KILL_TEST"


def marked(marker: str) -> dict[int, str]:
    """Running (not zombie) processes whose environment holds ``marker``: pid -> name."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        mine = f"{MARK}={marker}".encode() in environ.split(b"\0")
        if mine and stat[stat.rfind(")") + 2] != "Z":  # a zombie is dead, not yet reaped
            found[int(entry.name)] = (entry / "comm").read_text().strip()
    return found


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def start(root: Path, tmp: Path, marker: str, *extra: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, MARK: marker, "TMPDIR": str(tmp)}
    return subprocess.Popen(
        [sys.executable, "-m", "generator", "build", str(root), *extra],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    write(root / "content" / "audiences.yaml", (EXAMPLE_CONTENT / "audiences.yaml").read_text())
    write(root / "content" / "p" / "project.yaml", MINIMAL_PROJECT)
    return root


def kill_and_check(build: subprocess.Popen[bytes], marker: str) -> None:
    os.kill(build.pid, signal.SIGKILL)
    build.wait(timeout=30)
    survivors: dict[int, str] = {}

    def all_gone() -> bool:
        survivors.clear()
        survivors.update(marked(marker))
        return not survivors

    # The kernel and the guardians kill at once; LibreOffice would finish on its own later.
    gone = wait_for(all_gone, 3)
    for pid in survivors:  # leave nothing behind for the next test either
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert gone, f"still running after the build was killed: {survivors}"


def test_a_killed_build_takes_its_pool_workers_along(workspace: Path, tmp_path: Path) -> None:
    marker = uuid.uuid4().hex
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    build = start(workspace, tmp, marker, "--jobs", "2")
    # The pool starts its workers first thing: the build and two workers.
    assert wait_for(lambda: len(marked(marker)) >= 3, 60), marked(marker)
    kill_and_check(build, marker)


@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice is not installed")
def test_a_build_killed_during_the_pdf_step_takes_libreoffice_along(tmp_path: Path) -> None:
    workspace = tmp_path / "example"  # decks long enough to keep LibreOffice busy a while
    shutil.copytree(EXAMPLE_CONTENT, workspace / "content")
    marker = uuid.uuid4().hex
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    build = start(workspace, tmp, marker, "--pdf", "--jobs", "1")
    assert wait_for(lambda: "soffice.bin" in marked(marker).values(), 120), marked(marker)
    kill_and_check(build, marker)
    left = [p.name for p in tmp.iterdir() if p.name.startswith(f"pitchkit-pdf-{build.pid}-")]
    assert left, "the killed build's work folder is the one the next build must remove"

    # The next build removes the dead build's folders; a living owner's folder stays.
    live = tmp / "pitchkit-check-1-abcdefgh"
    live.mkdir()  # process 1 (init) is alive
    again = start(workspace, tmp, marker, "--jobs", "1")
    assert again.wait(timeout=300) == 0
    assert sorted(p.name for p in tmp.iterdir()) == [live.name]
    assert marked(marker) == {}


def test_only_folders_of_processes_that_are_gone_are_removed(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f"pitchkit-office-{dead.pid}-k2j_8xq1"
    ours = tmp_path / f"pitchkit-pdf-{os.getpid()}-a1b2c3d4"
    other = tmp_path / f"somebody-else-{dead.pid}-a1b2c3d4"
    link = tmp_path / f"pitchkit-check-{dead.pid}-linklink"
    for folder in (stale, ours, other):
        write(folder / "x", "x")
    link.symlink_to(other)
    assert remove_stale_work_folders(tmp_path) == [stale]
    assert ours.is_dir() and other.is_dir() and link.is_symlink()
