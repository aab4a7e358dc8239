"""Issue 15 items 7 and 12, issue 14 item 2: every write goes one guarded way.

Symbolic links inside the output folder are never followed (nothing outside is written,
replaced or deleted, and the error names the link); a build writes everything it decided or
nothing (a full disk during the PDF step, a handout found too long by the PDF's page count).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfWriter

from generator.app.cli import cli
from generator.app.preview import find_pdftoppm, render_pages
from generator.errors import BuildError, ContentError
from generator.export.pdf import find_soffice
from generator.handout import fit as handout_fit
from generator.handout import fit_cache
from generator.pipeline.build import build
from generator.pipeline.writer import Folder, OutputLock
from tests.conftest import EXAMPLE_CONTENT, MINIMAL_PROJECT, write

pytestmark = pytest.mark.skipif(os.name != "posix", reason="symbolic links and /proc")
needs_soffice = pytest.mark.skipif(find_soffice() is None, reason="LibreOffice is not installed")


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every file and link below ``folder`` (links by their target), hidden ones included."""
    found: dict[str, bytes | str] = {}
    for current, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(current) / name
            if path.is_symlink():
                found[str(path.relative_to(folder))] = f"-> {os.readlink(path)}"
            elif path.is_file():
                found[str(path.relative_to(folder))] = path.read_bytes()
    return found


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    write(root / "content" / "audiences.yaml", (EXAMPLE_CONTENT / "audiences.yaml").read_text())
    write(root / "content" / "p" / "project.yaml", MINIMAL_PROJECT)
    return root


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """A folder outside the workspace that a link points to, with a file of its own."""
    folder = tmp_path / "elsewhere"
    write(folder / ".bewaar.pdf", "not pitchkit's")
    write(folder / "p-supporters-pitch-01.png", "not pitchkit's either")
    return folder


# -- the guarded folder -------------------------------------------------------------------------


def test_links_below_the_root_are_refused_and_named(tmp_path: Path, elsewhere: Path) -> None:
    out = tmp_path / "out"
    (out / "p").mkdir(parents=True)
    (out / "link").symlink_to(elsewhere)
    (out / "p" / "doc.pptx").symlink_to(elsewhere / ".bewaar.pdf")
    before = snapshot(elsewhere)
    folder = Folder(out)
    attempts: list[Callable[[], object]] = [
        lambda: folder.write(out / "link" / "x.pptx", b"new"),
        lambda: folder.write(out / "link" / "deeper" / "x.pptx", b"new"),
        lambda: folder.write(out / "p" / "doc.pptx", b"new"),
        lambda: folder.append(out / "p" / "doc.pptx", b"new"),
        lambda: folder.names(out / "link"),
        lambda: folder.exists(out / "link" / ".bewaar.pdf"),
        lambda: folder.remove(out / "link" / ".bewaar.pdf"),
    ]
    for attempt in attempts:
        with pytest.raises(BuildError, match="is a symbolic link; pitchkit never writes through"):
            attempt()
    with pytest.raises(BuildError, match="refusing to write outside"):
        folder.write(out / ".." / "escaped.pptx", b"new")
    assert snapshot(elsewhere) == before
    assert not (tmp_path / "escaped.pptx").exists()
    # ``create`` leaves anything that has the name alone, a link too.
    assert folder.create(out / "p" / "doc.pptx", b"new") is False
    assert snapshot(elsewhere) == before
    # Removing a link removes the link, never what it points to.
    assert folder.remove(out / "p" / "doc.pptx") and (elsewhere / ".bewaar.pdf").is_file()


def test_a_linked_lock_file_is_refused(tmp_path: Path, elsewhere: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / ".pitchkit.lock").symlink_to(elsewhere / "made-by-the-lock")
    with pytest.raises(BuildError, match=r"\.pitchkit\.lock is a symbolic link"), OutputLock(out):
        pass
    assert not (elsewhere / "made-by-the-lock").exists()


def test_a_staged_set_is_written_all_or_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    folder = Folder(out)
    folder.write(out / "p" / "a.pptx", b"old a")
    folder.write(out / "p" / "b.pdf", b"old b")
    staged = [folder.stage(out / "p" / "a.pptx", b"new a")]
    (out / "p" / "b.pdf").unlink()
    (out / "p" / "b.pdf").mkdir()  # the second file cannot take its place
    staged.append(folder.stage(out / "p" / "c.pdf", b"new c"))
    with pytest.raises(BuildError, match=r"cannot write .*b\.pdf \(Is a directory\)") as caught:
        folder.commit([*staged[:1], folder.stage(out / "p" / "b.pdf", b"x"), *staged[1:]])
    assert f"Already written: {out / 'p' / 'a.pptx'}; the others were not" in str(caught.value)
    assert (out / "p" / "a.pptx").read_bytes() == b"new a"
    assert sorted(p.name for p in (out / "p").iterdir()) == ["a.pptx", "b.pdf"]


# -- the build and the preview ------------------------------------------------------------------


def test_a_linked_cache_folder_is_refused_and_nothing_outside_changes(
    workspace: Path, elsewhere: Path
) -> None:
    """Issue 15.7: with ``output/.pitchkit-cache`` a link, the build wrote its manifest and fit
    cache outside and deleted every ``.*.pdf`` there."""
    out = workspace / "output"
    out.mkdir()
    (out / ".pitchkit-cache").symlink_to(elsewhere)
    before = snapshot(elsewhere)
    code, output = run("build", str(workspace), "--jobs", "1")
    assert code == 1, output
    assert f"{out / '.pitchkit-cache'} is a symbolic link" in " ".join(output.split())
    assert snapshot(elsewhere) == before
    # Nothing else was written either: the links are checked before anything is made.
    assert sorted(p.name for p in out.iterdir()) == [".pitchkit-cache"]


def test_a_linked_project_folder_is_refused(workspace: Path, elsewhere: Path) -> None:
    out = workspace / "output"
    out.mkdir()
    (out / "p").symlink_to(elsewhere)
    before = snapshot(elsewhere)
    code, output = run("build", str(workspace), "--jobs", "1")
    assert code == 1 and f"{out / 'p'} is a symbolic link" in " ".join(output.split()), output
    assert snapshot(elsewhere) == before


@pytest.mark.skipif(find_pdftoppm() is None, reason="pdftoppm (poppler-utils) not installed")
def test_preview_pictures_never_go_through_a_linked_preview_folder(
    tmp_path: Path, elsewhere: Path
) -> None:
    """Issue 15.7: with ``output/P/preview`` a link, preview wrote and replaced PNGs outside,
    and outside the lock."""
    out = tmp_path / "output"
    pdf = out / "p" / "p-supporters-pitch.pdf"
    pdf.parent.mkdir(parents=True)
    writer = PdfWriter()
    writer.add_blank_page(width=960, height=540)
    with pdf.open("wb") as handle:
        writer.write(handle)
    (out / "p" / "preview").symlink_to(elsewhere)
    before = snapshot(elsewhere)
    with OutputLock(out) as output, pytest.raises(BuildError, match="preview is a symbolic link"):
        render_pages([pdf], output)
    assert snapshot(elsewhere) == before
    (out / "p" / "preview").unlink()
    with OutputLock(out) as output:
        made = render_pages([pdf], output)
    assert made == {pdf: [out / "p" / "preview" / "p-supporters-pitch-01.png"]}
    assert made[pdf][0].read_bytes().startswith(b"\x89PNG")


def _full_disk_for(suffix: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulate a full disk: syncing a temporary file of a ``suffix`` file fails with ENOSPC
    (the handout's PDF: the deck's PDF before it is on disk, under its temporary name)."""
    real = os.fsync

    def fsync(fd: int) -> None:
        name = os.readlink(f"/proc/self/fd/{fd}")
        if name.endswith(".tmp") and f"{suffix}." in Path(name).name:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)


@needs_soffice
def test_a_full_disk_during_the_pdf_step_leaves_the_earlier_build(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 15.12: a full disk during the PDF step left new documents beside stale PDFs."""
    code, output = run("build", str(workspace), "-a", "supporters", "--pdf", "--jobs", "1")
    assert code == 0, output
    out = workspace / "output"
    before = snapshot(out)
    assert sum(name.endswith(".pdf") for name in before if "/." not in name) == 2
    write(
        workspace / "content" / "p" / "project.yaml",
        MINIMAL_PROJECT.replace("Dit is de kernboodschap.", "Een andere kernboodschap."),
    )
    _full_disk_for("-handout.pdf", monkeypatch)
    code, output = run("build", str(workspace), "-a", "supporters", "--pdf", "--jobs", "1")
    assert code == 1, output
    assert (
        "No space left on device" in output
        and "nothing was written: the earlier files are unchanged" in output
    )
    assert snapshot(out) == before  # old documents with their old PDFs, no temporary files


@needs_soffice
def test_a_handout_found_too_long_by_the_pdf_step_writes_nothing(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 14.2: the PDF step found handouts too long and the build said "nothing was built"
    after it had written every document."""
    code, output = run("build", str(workspace), "-a", "supporters", "--jobs", "1")
    assert code == 0, output
    out = workspace / "output"
    before = snapshot(out)
    # Each benefit fits a slide of its own (a text too long for a slide would stop the deck
    # first); together they cannot fit one A4 page.
    essential = "Een voordeel dat de raad moet kennen en dat daarom nooit mag wegvallen. " * 30
    benefits = "".join(
        f"  - title: Voordeel {n}\n    text: {essential.strip()}\n" for n in range(1, 5)
    )
    write(workspace / "content" / "p" / "project.yaml", MINIMAL_PROJECT + "benefits:\n" + benefits)
    # The prediction is wrong (it says everything fits): only the PDF's page count shows it.
    monkeypatch.setattr(fit_cache, "_MEMO", {})
    monkeypatch.setattr(handout_fit, "predict", lambda *_args: 0.5)
    with pytest.raises(ContentError) as caught:
        build(workspace, audiences=["supporters"], pdf=True, jobs=1)
    assert "nothing was built" in str(caught.value)
    assert "does not fit on one A4 page" in str(caught.value)
    assert snapshot(out) == before
