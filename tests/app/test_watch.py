"""``pitchkit watch``: rebuild on save, say what failed and keep watching, stop cleanly.

The watch runs in a subprocess on a small workspace; every wait polls with a generous timeout
and nothing asserts how fast it was.
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pptx import Presentation

from generator.app.watch import Target, Watcher, targets_for
from generator.export.office import find_uno_python
from generator.export.pdf import find_soffice
from tests.conftest import MINIMAL_PROJECT, write

TIMEOUT = 300.0  # seconds; a slow CI machine must not fail these, a hung watch must


def test_what_a_change_rebuilds(workspace: Path) -> None:
    content = workspace / "content"
    assert targets_for([content / "smart-bins" / "project.yaml"], workspace) == [
        Target(content / "smart-bins", "smart-bins")
    ]
    both = targets_for(
        [
            content / "smart-bins" / "images" / "x.png",
            content / "slimme-verlichting" / "project.yaml",
        ],
        workspace,
    )
    assert [t.slug for t in both] == ["slimme-verlichting", "smart-bins"]
    assert targets_for([content / "audiences.yaml"], workspace) == [Target(workspace, None)]
    templates = workspace / "templates" / "deck" / "base.yaml.j2"
    assert targets_for([templates], workspace) == [Target(workspace, None)]
    # Watching one project folder: everything rebuilds that project.
    project = content / "smart-bins"
    assert targets_for([content / "audiences.yaml"], project) == [Target(project, "smart-bins")]


class Watch:
    """``pitchkit watch`` in a subprocess, its output collected line by line."""

    def __init__(self, root: Path, *args: str) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.pop("CI", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "generator", "watch", str(root), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, wanted: Callable[[str], bool], what: str) -> str:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=1)
            except queue.Empty:
                continue
            if line is None:
                raise AssertionError(f"watch ended while waiting for {what}:\n" + self.output)
            self.lines.append(line)
            if wanted(line):
                return line
        raise AssertionError(f"no {what} within {TIMEOUT:.0f} s:\n" + self.output)

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=120)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
        while True:  # collect the last lines
            try:
                line = self._queue.get(timeout=5)
            except queue.Empty:
                break
            if line is None:
                break
            self.lines.append(line)
        return code


def wait_until_changed(path: Path, before: bytes, watch: Watch) -> bytes:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if path.is_file():
            now = path.read_bytes()
            if now != before:
                return now
        if watch.process.poll() is not None:
            raise AssertionError("watch ended:\n" + watch.output)
        time.sleep(0.2)
    raise AssertionError(f"{path.name} did not change within {TIMEOUT:.0f} s:\n" + watch.output)


def small_workspace(root: Path) -> Path:
    project = write(
        root / "content" / "p" / "project.yaml", MINIMAL_PROJECT + "audiences: [supporters]\n"
    )
    return project


def test_rebuilds_on_save_and_survives_a_broken_edit(tmp_path: Path) -> None:
    project = small_workspace(tmp_path)
    deck = tmp_path / "output" / "p" / "p-supporters-pitch.pptx"
    watch = Watch(tmp_path)
    try:
        watch.wait_for(lambda line: line.startswith("watching "), "start")
        # the deck, the handout and the engagement plan
        assert "rebuilt every project: 3 document(s)" in watch.output
        first = deck.read_bytes()

        project.write_text(
            project.read_text().replace("Dit is de kernboodschap.", "Een nieuwe kernboodschap.")
        )
        second = wait_until_changed(deck, first, watch)
        watch.wait_for(lambda line: line.startswith("rebuilt p:"), "rebuild message")

        project.write_text(project.read_text() + "pitch: [\n")
        error = watch.wait_for(lambda line: line.startswith("error:"), "error message")
        watch.wait_for(lambda line: "project.yaml" in line, "the file in the error")
        assert "nothing was built" in error
        assert watch.process.poll() is None, "a broken edit must not end the watch"
        assert deck.read_bytes() == second, "a broken edit changes nothing already built"

        project.write_text(MINIMAL_PROJECT.replace("Minimaal project", "Hersteld project"))
        wait_until_changed(deck, second, watch)
    finally:
        code = watch.stop()
    assert code == 0, watch.output
    assert "stopped watching" in watch.output


def _office_pids(ancestor: int) -> set[int]:
    """Running LibreOffice processes started for pitchkit's persistent server under ``ancestor``."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        if b"--accept=pipe,name=pitchkit-" not in cmdline or b"soffice.bin" not in cmdline:
            continue
        pid = int(entry.name)
        chain = pid
        for _ in range(20):  # walk up to the watch process
            try:
                stat = (Path("/proc") / str(chain) / "stat").read_text()
            except OSError:
                break
            chain = int(stat.rsplit(")", 1)[1].split()[1])
            if chain == ancestor:
                found.add(pid)
                break
            if chain <= 1:
                break
    return found


@pytest.mark.libreoffice
@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice is not installed")
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="counts processes in /proc (Linux)")
def test_pdf_with_one_libreoffice_that_keeps_running(tmp_path: Path) -> None:
    if find_uno_python() is None:
        if os.environ.get("PITCHKIT_REQUIRE_LIBREOFFICE") == "1":
            pytest.fail("python3-uno is needed in CI (.ci/run installs it)")
        pytest.skip("LibreOffice's Python bridge (python3-uno) is not installed")
    project = small_workspace(tmp_path)
    pdf = tmp_path / "output" / "p" / "p-supporters-pitch.pdf"
    watch = Watch(tmp_path, "--pdf")
    try:
        watch.wait_for(lambda line: line.startswith("watching "), "start")
        assert "3 document(s) and 2 PDF(s)" in watch.output  # the plan gets no PDF
        offices = _office_pids(watch.process.pid)
        assert len(offices) == 1, offices
        before = pdf.read_bytes()
        for n in range(2):
            project.write_text(project.read_text().replace("kernboodschap", f"kernboodschap {n}"))
            before = wait_until_changed(pdf, before, watch)
            watch.wait_for(
                lambda line: "2 PDF(s)" in line and line.startswith("rebuilt"), "rebuild"
            )
        assert _office_pids(watch.process.pid) == offices, "the same LibreOffice made every PDF"
    finally:
        code = watch.stop()
    assert code == 0, watch.output
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in offices):
        time.sleep(0.2)
    assert not any(Path(f"/proc/{p}/cmdline").exists() for p in offices), "LibreOffice was stopped"


def _count_loads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every path the workspace is loaded from from now on."""
    from generator.content import loader

    loads: list[Path] = []
    real = loader.load_workspace

    def counting(path: Path) -> Any:
        loads.append(path)
        return real(path)

    monkeypatch.setattr(loader, "load_workspace", counting)
    return loads


def test_a_rebuild_loads_the_workspace_once_and_builds_each_deck_once(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.deck import builder

    loads = _count_loads(monkeypatch)
    decks: list[Any] = []
    real = builder.build_deck

    def counting(deck: Any, *args: Any) -> Any:
        decks.append(deck)
        return real(deck, *args)

    monkeypatch.setattr(builder, "build_deck", counting)
    said: list[str] = []
    watcher = Watcher(workspace, None, pdf=False, preview=False, say=said.append)
    try:
        assert watcher.rebuild(Target(workspace, None)), said
        assert len(loads) == 1
        out = workspace / "output"
        deck = out / "smart-bins" / "smart-bins-supporters-pitch.pptx"
        assert len(Presentation(str(deck)).slides) > 1
        # Every audience's deck and the programme deck, each built once (not again for the build).
        assert len(decks) == len(list(out.glob("*/*-pitch.pptx"))) + 1
        # One project's rebuild: that project's folder, loaded once too.
        loads.clear()
        assert watcher.rebuild(Target(workspace / "content" / "smart-bins", "smart-bins")), said
        assert loads == [workspace / "content" / "smart-bins"]
    finally:
        watcher.close()


@pytest.mark.libreoffice
@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice is not installed")
@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm is not installed")
def test_a_preview_rebuild_loads_the_workspace_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small_workspace(tmp_path)
    loads = _count_loads(monkeypatch)
    said: list[str] = []
    watcher = Watcher(tmp_path, None, pdf=True, preview=True, say=said.append)
    try:
        assert watcher.rebuild(Target(tmp_path, None)), said
    finally:
        watcher.close()
    assert len(loads) == 1
    assert (tmp_path / "output" / "p" / "p-supporters-pitch.pdf").is_file()
    assert "p-supporters-pitch.pptx" in (tmp_path / "output" / "p" / "index.html").read_text()
