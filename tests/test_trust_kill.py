"""Issue 6, nothing lost: a build killed at any moment leaves every document either the earlier
complete one or the new complete one, and nothing a user would take for a document.

``python -m generator build`` runs in its own process group and gets SIGKILL (what a crash, a
power cut for the process, or closing a terminal hard does) after a random delay; half of the
kills are aimed at the write phase by waiting for the first temporary file to appear. The
content alternates between two versions whose decks differ, so a document can be compared
byte for byte with both complete versions.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import icalendar
import pytest
from docx import Document
from PIL import Image
from pptx import Presentation

from tests.conftest import write

pytestmark = pytest.mark.skipif(os.name != "posix", reason="needs POSIX process groups")

PROJECT = """\
project:
  title: Slimme verlichting
  municipality: Gemeente Klein
pitch:
  key_message: Minder stroom, even veilig.
images:
  - file: images/foto.png
    alt: Een straat met nieuwe lantaarnpalen
"""
KILLS = 10


def _version(root: Path, colour: tuple[int, int, int]) -> None:
    """Content version: the same text (handouts are equal), another photo (decks differ)."""
    folder = root / "content" / "p"
    write(folder / "project.yaml", PROJECT)
    (folder / "images").mkdir(exist_ok=True)
    Image.new("RGB", (400, 300), colour).save(folder / "images" / "foto.png")


def _start(root: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "generator", "build", str(root), "--jobs", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the kill takes any children along
    )


def _complete_build(root: Path) -> dict[str, bytes]:
    process = _start(root)
    assert process.wait(timeout=300) == 0
    return _documents(root / "output")


def _documents(out: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not p.name.startswith(".") and ".pitchkit-cache" not in p.parts
    }


def _temporaries(out: Path) -> list[Path]:
    return [p for p in out.rglob("*") if p.name.endswith((".tmp", ".part"))]


def _wait_for_write_phase(process: subprocess.Popen[bytes], folder: Path) -> None:
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        if any(name.endswith(".tmp") for name in os.listdir(folder)):
            return
        time.sleep(0.0005)


def _opens(path: Path) -> None:
    if path.suffix == ".pptx":
        assert len(Presentation(str(path)).slides) > 0
    elif path.suffix == ".ics":
        assert icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT")
    else:
        assert Document(str(path)).paragraphs


def test_a_killed_build_leaves_every_document_whole(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    out = root / "output"
    _version(root, (200, 60, 20))
    first = _complete_build(root)
    _version(root, (20, 60, 200))
    second = _complete_build(root)
    assert set(first) == set(second) and len(first) == 5  # 2 decks, 2 handouts, the plan
    changed = [name for name in first if first[name] != second[name]]
    assert sorted(changed) == ["p/p-doubters-pitch.pptx", "p/p-supporters-pitch.pptx"]
    for name in first:
        _opens(out / name)

    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    started = time.monotonic()
    _complete_build(root)
    duration = time.monotonic() - started
    colours = [(200, 60, 20), (20, 60, 200)]
    for attempt in range(KILLS):
        _version(root, colours[attempt % 2])
        process = _start(root)
        if attempt % 2:
            time.sleep(rng.uniform(0.0, duration * 1.1))
        else:
            _wait_for_write_phase(process, out / "p")
            time.sleep(rng.uniform(0.0, 0.03))
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
        now = _documents(out)
        where = f"(seed {seed}, kill {attempt})"
        assert set(now) == set(first), where
        for name, data in now.items():
            assert data in (first[name], second[name]), f"{name} is damaged {where}"
        # Whatever else a kill left is hidden: a dot name, not a document a user could open.
        for folder in (out, out / "p"):
            for left in folder.iterdir():
                assert (
                    left.name.startswith(".")
                    or left.is_dir()
                    or left.name in {Path(n).name for n in first}
                ), f"{left} {where}"

    # The next complete build removes what the killed ones left behind.
    _version(root, colours[0])
    assert _complete_build(root) == first
    assert _temporaries(out) == []
    for name in first:
        _opens(out / name)
