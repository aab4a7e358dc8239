"""Issue 6, same input, same bytes; and the write phase's own guarantees.

Two builds of the same content give byte-identical files: serial or with ``--jobs 2``, with the
time from ``project.date`` or from SOURCE_DATE_EPOCH, and the PDFs too (LibreOffice stamps the
clock into them; :func:`generator.export.normalize.normalize_pdf` takes it out again).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from generator.app.cli import cli
from generator.errors import BuildError
from generator.export.pdf import find_soffice
from generator.pipeline.writer import Folder
from tests.conftest import write

DATED = """\
project:
  title: Slimme verlichting
  municipality: Gemeente Klein
  date: 2027-03-11
pitch:
  key_message: Minder stroom, even veilig.
"""


def build(root: Path, out: Path, *extra: str) -> None:
    result = CliRunner().invoke(cli, ["build", str(root), "-o", str(out), *extra])
    assert result.exit_code == 0, result.output


def files(out: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not p.name.startswith(".") and ".pitchkit-cache" not in p.parts
    }


def core_dates(data: bytes) -> set[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        core = z.read("docProps/core.xml").decode()
    return set(re.findall(r"<dcterms:(?:created|modified)[^>]*>([^<]*)<", core))


def test_serial_and_parallel_builds_are_byte_identical(workspace: Path, tmp_path: Path) -> None:
    build(workspace, tmp_path / "a", "--jobs", "1")
    build(workspace, tmp_path / "b", "--jobs", "2")
    a, b = files(tmp_path / "a"), files(tmp_path / "b")
    assert len(a) >= 8 and a.keys() == b.keys()
    for name in a:
        assert a[name] == b[name], name
        if name.endswith(".ics"):
            continue  # the engagement plan's calendar: text, its DTSTAMP tested on its own
        with zipfile.ZipFile(tmp_path / "a" / name) as z:
            assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}, name
    # The documents' time is the project's date, not the clock.
    assert core_dates(a["slimme-verlichting/slimme-verlichting-doubters-pitch.pptx"]) == {
        "2027-03-11T09:00:00Z"
    }


@pytest.mark.skipif(find_soffice() is None, reason="needs LibreOffice")
def test_source_date_epoch_and_pdfs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "ws"
    write(root / "content" / "p" / "project.yaml", DATED)
    build(root, tmp_path / "dated", "-a", "supporters", "--jobs", "1")
    dated = files(tmp_path / "dated")
    assert core_dates(dated["p/p-supporters-handout.docx"]) == {"2027-03-11T09:00:00Z"}

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14 22:13:20 UTC
    build(root, tmp_path / "one", "-a", "supporters", "--pdf", "--jobs", "1")
    build(root, tmp_path / "two", "-a", "supporters", "--pdf", "--jobs", "1")
    one, two = files(tmp_path / "one"), files(tmp_path / "two")
    assert sorted(one) == [
        "p/p-supporters-handout.docx",
        "p/p-supporters-handout.pdf",
        "p/p-supporters-pitch.pdf",
        "p/p-supporters-pitch.pptx",
    ]
    for name in one:
        assert one[name] == two[name], name
    for name in ("p/p-supporters-handout.docx", "p/p-supporters-pitch.pptx"):
        assert core_dates(one[name]) == {"2023-11-14T22:13:20Z"}
        assert one[name] != dated[name]
    for name in ("p/p-supporters-handout.pdf", "p/p-supporters-pitch.pdf"):
        reader = PdfReader(tmp_path / "one" / name, strict=True)
        assert reader.metadata is not None
        assert reader.metadata["/CreationDate"].startswith("D:20231114221320")
        assert b"<xmp:CreateDate>2023-11-14T22:13:20Z</xmp:CreateDate>" in one[name]
        assert len(reader.pages) >= 1


def test_incremental_build_follows_a_new_source_date_epoch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 15.11: the document time is part of the keep-or-rebuild key of a deck, so an
    incremental build after SOURCE_DATE_EPOCH changed equals a clean build byte for byte."""
    root = tmp_path / "ws"
    write(root / "content" / "p" / "project.yaml", DATED)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    build(root, tmp_path / "inc", "--jobs", "1")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")  # 2027-01-15 08:00:00 UTC
    build(root, tmp_path / "inc", "--jobs", "1")
    build(root, tmp_path / "clean", "--jobs", "1")
    incremental, clean = files(tmp_path / "inc"), files(tmp_path / "clean")
    # 2 decks, 2 handouts, the engagement plan and its calendar
    assert incremental.keys() == clean.keys() and len(clean) == 6
    for name in clean:
        assert incremental[name] == clean[name], name
        if name.endswith(".ics"):
            assert b"\r\nDTSTAMP:20270115T080000Z\r\n" in clean[name]
        else:
            assert core_dates(clean[name]) == {"2027-01-15T08:00:00Z"}, name


# -- the write phase -------------------------------------------------------------------------


def test_write_atomic_gives_normal_permissions_and_keeps_earlier_ones(tmp_path: Path) -> None:
    target = tmp_path / "p" / "p-supporters-pitch.pptx"
    mask = os.umask(0o022)
    try:
        Folder(tmp_path).write(target, b"new")
    finally:
        os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o644  # not mkstemp's private 0600
    target.chmod(0o640)
    Folder(tmp_path).write(target, b"newer")
    assert target.read_bytes() == b"newer" and target.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in target.parent.iterdir()] == [target.name]


def test_write_atomic_failure_is_a_message_and_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "p" / "p-supporters-pitch.pptx"
    target.mkdir(parents=True)  # e.g. something else already has the name
    with pytest.raises(BuildError, match=r"cannot write .*p-supporters-pitch\.pptx .*close it"):
        Folder(tmp_path).write(target, b"data")
    assert [p.name for p in target.parent.iterdir()] == [target.name]


def test_stale_temporaries_are_removed_and_nothing_else(tmp_path: Path) -> None:
    out = tmp_path / "output"
    keep = [
        out / "p" / "p-supporters-pitch.pptx",
        out / "p" / ".notities.txt",
        out / "p" / "concept.tmp",
        out / ".pitchkit.lock",
    ]
    stale = [
        out / "p" / ".p-supporters-pitch.pptx.k2j_8xq1.tmp",
        out / "p" / ".p-supporters-pitch.pdf.a1b2c3d4.part",
        out / ".pitchkit-cache" / ".handout-fit.json.zzzzzzzz.tmp",
    ]
    for path in keep + stale:
        write(path, "x")
    assert sorted(Folder(out).remove_stale_temporaries()) == sorted(stale)
    assert all(p.exists() for p in keep) and not any(p.exists() for p in stale)


def hidden_fonts(tmp_path: Path) -> dict[str, str]:
    """An environment in which the machine's fonts are hidden: pitchkit's own lookup points at an
    empty folder, fontconfig reads a configuration without fonts, and ~/.fonts is elsewhere."""
    empty = tmp_path / "no-fonts"
    empty.mkdir()
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
        f"<fontconfig><dir>{empty}</dir><cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>\n"
    )
    return {
        **os.environ,
        "PITCHKIT_FONT_DIRS": str(empty),
        "FONTCONFIG_FILE": str(conf),
        "HOME": str(tmp_path / "home"),
    }


def test_the_example_builds_to_the_same_bytes_without_the_machines_fonts(
    workspace: Path, tmp_path: Path
) -> None:
    """Issue 11: text is measured with the metrics pitchkit ships, not with the fonts it finds,
    so a machine without fonts (or with other versions of them) writes the same documents."""
    env = hidden_fonts(tmp_path)
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "from generator.theme.metrics import font_file; print(font_file('Calibri'))",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.strip() == "None"  # the fonts are hidden indeed
    if shutil.which("fc-list"):
        listed = subprocess.run(["fc-list"], env=env, capture_output=True, text=True, check=False)
        assert listed.stdout.strip() == ""
    build(workspace, tmp_path / "fonts", "--jobs", "1")
    bare = subprocess.run(
        [sys.executable, "-m", "generator", "build", str(workspace), "-o", str(tmp_path / "bare")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert bare.returncode == 0, bare.stdout + bare.stderr
    with_fonts, without = files(tmp_path / "fonts"), files(tmp_path / "bare")
    assert len(with_fonts) >= 9 and with_fonts.keys() == without.keys()
    for name in with_fonts:
        assert with_fonts[name] == without[name], name
