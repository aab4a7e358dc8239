"""Tests for generator.export.pdf: PDF export through LibreOffice.

The tests marked ``libreoffice`` run the real soffice (CI installs it); they
share one conversion of a .docx and a .pptx (module-scoped fixture) to keep the
suite fast. The other tests use a small fake ``soffice`` script, so the
batching, checking, moving and timeout logic is tested without LibreOffice.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from pptx import Presentation
from pypdf import PdfReader

from generator.errors import PdfExportError
from generator.export import pdf as pdf_module
from generator.export.pdf import export_pdfs, find_soffice, pdf_page_count

_F = TypeVar("_F", bound=Callable[..., Any])
_NO_SOFFICE = pytest.mark.skipif(find_soffice() is None, reason="LibreOffice is not installed")


def needs_soffice(test: _F) -> _F:
    """Mark a test as using the real LibreOffice, and skip it where there is none."""
    return pytest.mark.libreoffice(_NO_SOFFICE(test))


posix_only = pytest.mark.skipif(sys.platform == "win32", reason="fake soffice is a POSIX script")


def make_docx(path: Path, language: str = "nl-NL") -> Path:
    """A one-paragraph handout whose default language (w:rPrDefault/w:lang) is ``language``."""
    document = Document()
    document.core_properties.title = "Slimme straatverlichting: handout"
    r_pr = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    r_pr = r_pr.find(qn("w:rPr"))
    lang = r_pr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        r_pr.append(lang)
    lang.set(qn("w:val"), language)
    document.add_heading("Slimme straatverlichting", level=1)
    document.add_paragraph("Minder energie, meer veiligheid.")
    document.save(str(path))
    return path


def make_pptx(path: Path) -> Path:
    """A one-slide deck with a title."""
    presentation = Presentation()
    presentation.core_properties.title = "Slimme straatverlichting: pitch"
    slide = presentation.slides.add_slide(presentation.slide_layouts[0])
    slide.shapes.title.text = "Slimme straatverlichting"
    presentation.save(str(path))
    return path


def catalog(path: Path) -> tuple[PdfReader, Any]:
    reader = PdfReader(path)
    return reader, reader.trailer["/Root"].get_object()


def lock_files(folder: Path) -> list[Path]:
    return list(folder.rglob(".~lock.*#"))


def alive(pid: int) -> bool:
    """Whether ``pid`` runs; a zombie (killed, not yet reaped by init) counts as dead."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True


def processes_mentioning(text: str) -> list[int]:
    """Pids of live processes whose command line contains ``text`` (Linux only)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if text in cmdline and alive(int(entry.name)):
                found.append(int(entry.name))
    return found


# --- with LibreOffice -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One real export of a Dutch handout and an en-GB deck, in one export_pdfs call."""
    folder = tmp_path_factory.mktemp("real")
    docx = make_docx(folder / "P-A-handout.docx", "nl-NL")
    pptx = make_pptx(folder / "P-A-pitch.pptx")
    # en-GB for the deck, so its /Lang cannot come from a default (en-US) or
    # from the handout; no tag for the handout: Writer reads it from the .docx.
    started = time.monotonic()
    result = export_pdfs([docx, pptx], language_tag={pptx: "en-GB"}, timeout=120)
    seconds = time.monotonic() - started
    print(f"export_pdfs: 1 docx + 1 pptx in {seconds:.2f} s")
    return {"folder": folder, "docx": docx, "pptx": pptx, "result": result}


@needs_soffice
def test_pdfs_land_beside_the_documents(converted: dict) -> None:
    docx, pptx = converted["docx"], converted["pptx"]
    assert converted["result"] == {docx: docx.with_suffix(".pdf"), pptx: pptx.with_suffix(".pdf")}
    for pdf in converted["result"].values():
        assert pdf.is_file()
        assert pdf_page_count(pdf) == 1
    # Nothing left behind: no locks, no partial copies.
    assert lock_files(converted["folder"]) == []
    assert sorted(p.suffix for p in converted["folder"].iterdir()) == [
        ".docx",
        ".pdf",
        ".pdf",
        ".pptx",
    ]


@needs_soffice
@pytest.mark.parametrize("kind", ["docx", "pptx"])
def test_pdfs_are_tagged_pdf_ua(converted: dict, kind: str) -> None:
    reader, root = catalog(converted["result"][converted[kind]])
    assert root["/MarkInfo"]["/Marked"].value is True
    assert "/StructTreeRoot" in root
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert b"pdfuaid" in root["/Metadata"].get_object().get_data()
    assert reader.metadata is not None
    assert (
        reader.metadata.title
        == f"Slimme straatverlichting: {'handout' if kind == 'docx' else 'pitch'}"
    )


@needs_soffice
def test_pdf_languages(converted: dict) -> None:
    _, handout = catalog(converted["result"][converted["docx"]])
    _, deck = catalog(converted["result"][converted["pptx"]])
    assert handout["/Lang"] == "nl-NL"  # from the .docx default language
    assert deck["/Lang"] == "en-GB"  # from language_tag, via the LibreOffice locale


@needs_soffice
def test_real_timeout_kills_soffice_and_leaves_no_locks(tmp_path: Path) -> None:
    docx = make_docx(tmp_path / "handout.docx")
    # 0.2 s: LibreOffice has started but cannot finish (it needs ~1 s with a
    # fresh profile), so the kill path runs against a real soffice.
    with pytest.raises(PdfExportError, match="too long") as caught:
        export_pdfs([docx], timeout=0.2)
    assert str(docx) in str(caught.value)
    assert lock_files(tmp_path) == []
    assert not docx.with_suffix(".pdf").exists()
    if Path("/proc").is_dir():
        assert processes_mentioning(str(tmp_path)) == []


# --- without LibreOffice --------------------------------------------------------------------


def test_missing_libreoffice_says_how_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setattr(pdf_module, "find_soffice", lambda: None)
    with pytest.raises(PdfExportError, match="not found") as caught:
        export_pdfs([tmp_path / "deck.pptx"])
    message = str(caught.value)
    assert "Install LibreOffice" in message
    assert "sudo apt-get install libreoffice-impress libreoffice-writer" in message
    assert "libreoffice.org" in message


def test_nothing_to_do_needs_no_libreoffice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_module, "find_soffice", lambda: None)
    assert export_pdfs([]) == {}


@pytest.mark.parametrize(
    ("names", "tags", "error"),
    [
        (["notes.txt"], {}, "only .pptx and .docx"),
        (["x.pptx", "x.docx"], {}, "both be exported"),
        (["x.pptx"], {"x.pptx": "nl<NL"}, "language tag"),
    ],
)
def test_wrong_arguments(tmp_path: Path, names: list[str], tags: dict, error: str) -> None:
    docs = [tmp_path / name for name in names]
    with pytest.raises(ValueError, match=error):
        export_pdfs(docs, language_tag={tmp_path / k: v for k, v in tags.items()})


def test_page_count_of_damaged_pdf(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"not a pdf")
    with pytest.raises(PdfExportError, match="damaged"):
        pdf_page_count(bad)


FAKE_SOFFICE = """\
#!{python}
# Stands in for soffice: logs its call and the locale seeded in its profile,
# then writes a one-page PDF per input whose name does not contain "broken".
import json, os, sys
from pathlib import Path
from urllib.parse import unquote, urlparse
from pypdf import PdfWriter

args = sys.argv[1:]
profile = Path(unquote(urlparse(args[3].split("=", 1)[1]).path))
xcu = profile / "user" / "registrymodifications.xcu"
locale = xcu.read_text() if xcu.exists() else ""
outdir = Path(args[args.index("--outdir") + 1])
inputs = args[args.index("--outdir") + 2:]
with open(os.environ["FAKE_SOFFICE_LOG"], "a") as log:
    log.write(json.dumps({{"filter": args[5], "inputs": inputs, "locale": locale}}) + "\\n")
for name in inputs:
    if "broken" not in name:
        writer = PdfWriter()
        writer.add_blank_page(200, 100)
        writer.write(outdir / (Path(name).stem + ".pdf"))
"""


@pytest.fixture
def fake_soffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Install the fake soffice; returns the log file it appends one JSON line per call to."""
    script = tmp_path / "bin" / "soffice"
    script.parent.mkdir()
    script.write_text(FAKE_SOFFICE.format(python=sys.executable))
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    log = tmp_path / "calls.jsonl"
    monkeypatch.setenv("FAKE_SOFFICE_LOG", str(log))
    monkeypatch.setattr(pdf_module, "find_soffice", lambda: str(script))
    return log


def calls(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()]


@posix_only
def test_one_call_per_type_and_language(fake_soffice: Path, tmp_path: Path) -> None:
    docs = []
    for project in ("P1", "P2"):
        (tmp_path / project).mkdir()
        docs.append(make_pptx(tmp_path / project / f"{project}-A-pitch.pptx"))
        docs.append(make_docx(tmp_path / project / f"{project}-A-handout.docx"))
    english = make_pptx(tmp_path / "P2" / "P2-A-pitch-en.pptx")
    tags = {doc: "nl-NL" for doc in docs} | {english: "en-GB"}

    result = export_pdfs([*docs, english], language_tag=tags)

    assert set(result) == {*docs, english}
    assert all(pdf_page_count(pdf) == 1 for pdf in result.values())
    # The batches may run side by side, so the calls are compared in any order.
    made = calls(fake_soffice)

    def language(call: dict) -> str:
        return "en-GB" if "<value>en-GB</value>" in call["locale"] else "nl-NL"

    assert sorted(
        (call["filter"].split(":")[1], len(call["inputs"]), language(call)) for call in made
    ) == [
        ("impress_pdf_Export", 1, "en-GB"),
        ("impress_pdf_Export", 2, "nl-NL"),
        ("writer_pdf_Export", 2, "nl-NL"),
    ]
    options = json.loads(made[0]["filter"].split(":", 2)[2])
    assert options["UseTaggedPDF"]["value"] == options["PDFUACompliance"]["value"] == "true"


@posix_only
def test_same_file_name_in_two_folders_needs_two_calls(fake_soffice: Path, tmp_path: Path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = make_pptx(tmp_path / "a" / "pitch.pptx")
    second = make_pptx(tmp_path / "b" / "pitch.pptx")
    export_pdfs([first, second])
    assert len(calls(fake_soffice)) == 2
    assert first.with_suffix(".pdf").is_file() and second.with_suffix(".pdf").is_file()


@posix_only
def test_all_or_nothing(fake_soffice: Path, tmp_path: Path) -> None:
    good = make_pptx(tmp_path / "good.pptx")
    broken = make_docx(tmp_path / "broken.docx")
    good.with_suffix(".pdf").write_bytes(b"old")
    with pytest.raises(PdfExportError, match="did not produce") as caught:
        export_pdfs([good, broken])
    assert str(broken) in str(caught.value)
    assert str(good) not in str(caught.value)
    assert good.with_suffix(".pdf").read_bytes() == b"old"  # untouched
    assert not broken.with_suffix(".pdf").exists()


@posix_only
def test_missing_document(fake_soffice: Path, tmp_path: Path) -> None:
    with pytest.raises(PdfExportError, match="does not exist"):
        export_pdfs([tmp_path / "gone.docx"])


HANGING_SOFFICE = """\
#!/bin/sh
# Stands in for a hanging soffice: takes a document lock, starts a child (like
# oosplash starts soffice.bin) and waits forever.
touch "{lock}"
sleep 300 &
echo $$ $! > "{pids}"
wait
"""


@posix_only
def test_timeout_kills_process_group_and_removes_locks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = make_docx(tmp_path / "handout.docx")
    lock = tmp_path / ".~lock.handout.docx#"
    other_lock = tmp_path / ".~lock.someone-elses.docx#"  # must survive
    other_lock.touch()
    pids = tmp_path / "pids"
    script = tmp_path / "soffice"
    script.write_text(HANGING_SOFFICE.format(lock=lock, pids=pids))
    script.chmod(0o755)
    monkeypatch.setattr(pdf_module, "find_soffice", lambda: str(script))

    started = time.monotonic()
    with pytest.raises(PdfExportError, match="too long") as caught:
        export_pdfs([doc], timeout=1.0)
    assert time.monotonic() - started < 10
    assert str(doc) in str(caught.value)
    assert not lock.exists()
    assert other_lock.exists()
    assert not doc.with_suffix(".pdf").exists()
    shell, child = map(int, pids.read_text().split())
    assert not alive(shell)
    deadline = time.monotonic() + 5  # SIGKILL is asynchronous for the orphaned child
    while alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(child)
