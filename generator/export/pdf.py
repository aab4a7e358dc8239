"""Export .pptx decks and .docx handouts to tagged PDF with LibreOffice.

The PDF export is optional in pitchkit: everything else works without
LibreOffice. This module only talks to LibreOffice through its command line
(``soffice --headless --convert-to``), so no UNO bindings are needed.

Contracts in short:

- :func:`export_pdfs` writes ``<doc>.pdf`` beside every document, either for
  all documents or for none (the PDFs are checked before any is moved into
  place, and each move is an atomic :func:`os.replace`).
- Every PDF is tagged (``/MarkInfo /Marked true`` and a ``/StructTreeRoot``),
  carries the PDF/UA identification, shows the document title in the viewer's
  title bar, and has a catalog ``/Lang``: Writer takes it from the default
  language of the .docx, Impress from the LibreOffice locale, which is set per
  run from ``language_tag``.
- Every failure a user can run into raises :class:`PdfExportError` with a
  message written for a non-programmer; wrong arguments (an unsupported file
  type, a malformed language tag, two documents that would write the same PDF)
  raise :class:`ValueError`.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NoReturn

from pypdf import PdfReader

from generator.errors import PdfExportError
from generator.pipeline.processes import guarded, work_folder

__all__ = ["PdfExportError", "convert_to_pdf", "export_pdfs", "find_soffice", "pdf_page_count"]

#: PDF export filter per document type. soffice takes one filter per call and
#: Impress and Writer each have their own (one module's filter on the other's
#: documents happens to work in LibreOffice 7.4, but that is not documented),
#: so a batch is split by type: one soffice call per type and language.
_FILTERS: dict[str, str] = {
    ".pptx": "impress_pdf_Export",
    ".docx": "writer_pdf_Export",
}

#: Filter options in the JSON syntax LibreOffice understands since 7.4
#: (``pdf:<filter>:<json>``); the older ``;``-separated syntax cannot set
#: typed options.
_FILTER_OPTIONS: dict[str, dict[str, str]] = {
    # Tagged PDF: structure tree and /MarkInfo, needed for screen readers.
    "UseTaggedPDF": {"type": "boolean", "value": "true"},
    # Adds the PDF/UA identification (pdfuaid in the XMP metadata) and makes
    # LibreOffice apply the PDF/UA rules it knows about.
    "PDFUACompliance": {"type": "boolean", "value": "true"},
    # Viewers show the document title instead of the file name (WCAG PDF18).
    "DisplayPDFDocTitle": {"type": "boolean", "value": "true"},
}

#: Extra options for the soffice command line:
#: --norestore: never show or act on crash recovery from an earlier run;
#: --nolockcheck: do not refuse to start because of a remote profile lock.
_SOFFICE_FLAGS = ("--headless", "--norestore", "--nolockcheck")

#: Loose BCP-47 shape check. The tag is written into an XML file, so this also
#: keeps markup out of it.
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")

#: Tolerance when comparing a PDF's modification time with the start of the
#: run: some file systems store times with a resolution of up to 2 seconds.
_MTIME_SLACK = 2.0

_INSTALL_HINT = (
    "Install LibreOffice and run the command again. On Debian or Ubuntu: "
    "'sudo apt-get install libreoffice-impress libreoffice-writer'. On Windows "
    "or macOS: download it from https://www.libreoffice.org/download/. "
    "Or build without --pdf; the .pptx and .docx files do not need LibreOffice."
)


def find_soffice() -> str | None:
    """Return the path of the LibreOffice executable, or ``None`` if not found.

    Looks on ``PATH`` first (``soffice``, then ``libreoffice``), then in the
    usual install locations on Linux, macOS and Windows, which are often not
    on ``PATH``.
    """
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    candidates = [
        "/usr/lib/libreoffice/program/soffice",
        "/usr/lib64/libreoffice/program/soffice",
        # The packages from libreoffice.org install to /opt/libreofficeX.Y.
        *sorted(glob.glob("/opt/libreoffice*/program/soffice"), reverse=True),
        "/Applications/LibreOffice.app/Contents/MacOS/soffice",
        str(Path.home() / "Applications/LibreOffice.app/Contents/MacOS/soffice"),
    ]
    for env in ("ProgramFiles", "ProgramFiles(x86)"):
        base = os.environ.get(env)
        if base:
            candidates.append(str(Path(base) / "LibreOffice" / "program" / "soffice.exe"))
    for candidate in candidates:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def pdf_page_count(pdf: Path | bytes) -> int:
    """Return the number of pages of ``pdf`` (a file, or a PDF's bytes).

    Raises :class:`PdfExportError` if the file is missing or is not a
    readable PDF.
    """
    try:
        return len(PdfReader(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf).pages)
    except Exception as exc:  # pypdf raises many types on damaged files
        shown = "made by LibreOffice" if isinstance(pdf, bytes) else str(pdf)
        raise PdfExportError(
            f"The PDF file {shown} is missing or damaged ({exc}). "
            "Delete it and export the PDFs again."
        ) from exc


def refuse_external_references(doc: Path) -> None:
    """Raise PdfExportError when ``doc`` refers to anything outside itself other than a web or
    mail link: LibreOffice would fetch a linked picture from the network or embed a local file."""
    from generator.theme.packages import external_references

    try:
        found = external_references(doc.read_bytes())
    except Exception as exc:  # not a package at all: LibreOffice is not given it either
        raise PdfExportError(
            f"Cannot make a PDF of {doc}: it is not a readable document ({exc})"
        ) from None
    if found:
        raise PdfExportError(
            f"Cannot make a PDF of {doc}: it refers to files or addresses outside itself "
            f"({', '.join(found[:3])}); LibreOffice is never given such a file. Rebuild it."
        )


def export_pdfs(
    documents: Sequence[Path],
    *,
    timeout: float = 300,
    language_tag: Mapping[Path, str] | None = None,
) -> dict[Path, Path]:
    """Convert each .pptx/.docx to a PDF beside it, in few LibreOffice processes; return doc -> pdf.

    ``documents`` are .pptx or .docx files; ``x/name.pptx`` becomes
    ``x/name.pdf``, replacing an existing file. The result maps each document
    (as given) to its PDF. An empty ``documents`` returns ``{}`` without
    looking for LibreOffice.

    ``language_tag`` maps a document to a BCP-47 tag such as ``"nl-NL"``. It
    sets the LibreOffice locale for that document's conversion, which is where
    Impress takes the PDF ``/Lang`` from (a bare ``"nl"`` comes out as
    ``nl-NL``). Writer takes ``/Lang`` from the default language in the .docx
    styles instead. Without a tag LibreOffice uses the system locale.

    One soffice process converts all documents with the same type and
    language, each with its own fresh profile folder, so a deck and a handout
    in one language take two processes. ``timeout`` (seconds) limits the whole
    call; on expiry the process group is killed, LibreOffice's lock files for
    these documents are removed and :class:`PdfExportError` is raised.

    All or nothing: the new PDFs are written to a temporary folder and checked
    (present, newer than the start of the run, readable, at least one page)
    before any is moved into place. If a check fails, no PDF is replaced and
    :class:`PdfExportError` names the documents.
    """
    if not documents:
        return {}
    tags = {Path(doc).resolve(): tag for doc, tag in (language_tag or {}).items()}
    batches = _plan_batches([Path(doc) for doc in documents], tags)
    docs = sorted({doc for batch in batches for doc in batch.documents})
    for doc in docs:  # refused whether LibreOffice is installed or not
        if doc.is_file():
            refuse_external_references(doc)
    soffice = find_soffice()
    if soffice is None:
        raise PdfExportError(
            f"LibreOffice is needed to make PDF files, but it was not found. {_INSTALL_HINT}"
        )
    for doc in docs:
        if not doc.is_file():
            raise PdfExportError(
                f"Cannot make a PDF of {doc}: the file does not exist. Build the documents first."
            )

    deadline = time.monotonic() + timeout
    started = time.time()
    produced: dict[Path, Path] = {}  # resolved document -> PDF in a temporary folder
    messages: list[str] = []  # LibreOffice's own error lines, to help find the cause
    # ignore_cleanup_errors: after a timeout, a killed soffice.bin may still be
    # exiting while the folder is removed; that must not hide the real error.
    with work_folder("pitchkit-pdf-") as work:
        outdirs = [work / f"out{number}" for number in range(len(batches))]

        def run(number: int) -> str:
            profile = work / f"profile{number}"
            return _run_batch(soffice, batches[number], profile, outdirs[number], deadline)

        # Each batch has its own profile and folder, and one soffice converts on one core:
        # on a machine with more cores the batches (decks, handouts, languages) run side by side.
        workers = max(1, min(len(batches), os.cpu_count() or 1))
        if workers == 1:
            outputs = [run(number) for number in range(len(batches))]
        else:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                outputs = list(pool.map(run, range(len(batches))))
        for batch, outdir, output in zip(batches, outdirs, outputs, strict=True):
            messages += [
                line.strip() for line in output.splitlines() if line.lstrip().startswith("Error")
            ]
            for doc in batch.documents:
                produced[doc] = outdir / f"{doc.stem}.pdf"
        failed = [doc for doc, pdf in produced.items() if not _is_fresh_pdf(pdf, started)]
        if failed:
            raise PdfExportError(
                "LibreOffice did not produce a usable PDF for: "
                + ", ".join(str(doc) for doc in failed)
                + ". Check that these files open in LibreOffice, close them in any "
                "program that has them open, and try again."
                + (" LibreOffice reported: " + " ".join(messages) if messages else "")
            )
        for doc, pdf in produced.items():
            _move_into_place(pdf, doc.with_suffix(".pdf"))
    return {Path(doc): Path(doc).with_suffix(".pdf") for doc in documents}


def convert_to_pdf(
    documents: Mapping[Path, bytes],
    *,
    timeout: float = 300,
    language_tag: Mapping[Path, str] | None = None,
) -> dict[Path, bytes]:
    """The PDF of each document given as bytes (by the path it will have), as :func:`export_pdfs`
    makes it; converted in a private temporary folder, so nothing is written beside the paths.

    The documents keep their file names in that folder (LibreOffice may show a name), one
    folder per target folder. All or nothing, like :func:`export_pdfs`.
    """
    if not documents:
        return {}
    tags = {Path(doc): tag for doc, tag in (language_tag or {}).items()}
    with work_folder("pitchkit-pdf-") as work:
        copies: dict[Path, Path] = {}
        folders: dict[Path, Path] = {}
        for path, data in documents.items():
            folder = folders.setdefault(path.parent, work / f"d{len(folders)}")
            folder.mkdir(exist_ok=True)
            copy = folder / path.name
            copy.write_bytes(data)
            copies[path] = copy
        made = export_pdfs(
            list(copies.values()),
            timeout=timeout,
            language_tag={copies[p]: t for p, t in tags.items() if p in copies},
        )
        return {path: made[copy].read_bytes() for path, copy in copies.items()}


class _Batch:
    """Documents converted by one soffice call: same filter, same locale, unique file stems."""

    def __init__(self, export_filter: str, language: str | None) -> None:
        self.export_filter = export_filter
        self.language = language
        self.key = (export_filter, language)
        self.documents: list[Path] = []
        self.stems: set[str] = set()


def _plan_batches(documents: list[Path], tags: Mapping[Path, str]) -> list[_Batch]:
    """Group resolved documents into as few soffice calls as possible."""
    batches: list[_Batch] = []
    targets: dict[Path, Path] = {}
    for doc in dict.fromkeys(doc.resolve() for doc in documents):  # dedupe, keep order
        export_filter = _FILTERS.get(doc.suffix.lower())
        if export_filter is None:
            raise ValueError(f"cannot export {doc} to PDF: only .pptx and .docx are supported")
        target = doc.with_suffix(".pdf")
        if target in targets:
            raise ValueError(f"{doc} and {targets[target]} would both be exported to {target}")
        targets[target] = doc
        language = tags.get(doc)
        if language is not None and not _LANGUAGE_TAG.fullmatch(language):
            raise ValueError(f"not a BCP-47 language tag: {language!r}")
        # soffice names its output after the input's stem in one --outdir, so
        # x/a.pptx and y/a.pptx must go to separate calls. Compared without
        # case because Windows and macOS file systems ignore case.
        stem = doc.stem.casefold()
        for batch in batches:
            if batch.key == (export_filter, language) and stem not in batch.stems:
                break
        else:
            batch = _Batch(export_filter, language)
            batches.append(batch)
        batch.documents.append(doc)
        batch.stems.add(stem)
    return batches


def _run_batch(soffice: str, batch: _Batch, profile: Path, outdir: Path, deadline: float) -> str:
    """Run one soffice conversion and return its output.

    Kills it when ``deadline`` (a :func:`time.monotonic` value) passes.
    """
    # A fresh profile per call: a profile shared with a running LibreOffice
    # (or another conversion) makes soffice hand the job over or drop it.
    profile.mkdir(parents=True)
    outdir.mkdir(parents=True)
    if batch.language is not None:
        _write_locale(profile, batch.language)
    spec = f"pdf:{batch.export_filter}:{json.dumps(_FILTER_OPTIONS, separators=(',', ':'))}"
    command = [
        soffice,
        *_SOFFICE_FLAGS,
        f"-env:UserInstallation={profile.as_uri()}",
        "--convert-to",
        spec,
        "--outdir",
        str(outdir),
        *(str(doc) for doc in batch.documents),
    ]
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        _raise_timeout(batch)
    # A new session puts soffice (a shell script that starts oosplash, which
    # starts soffice.bin) in its own process group, led by its guardian, so one
    # killpg stops all of it, and the guardian does that when pitchkit ends, even
    # killed. It also keeps Ctrl+C in the terminal from reaching it; we then
    # kill it ourselves below.
    process = subprocess.Popen(
        guarded(command),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=remaining)
    except subprocess.TimeoutExpired:
        _kill_tree(process)
        _remove_lock_files(batch.documents, outdir)
        _raise_timeout(batch)
    except BaseException:  # e.g. KeyboardInterrupt: leave no LibreOffice behind
        _kill_tree(process)
        _remove_lock_files(batch.documents, outdir)
        raise
    # The exit code is 0 even when conversions fail, so it is not checked;
    # the caller checks each expected PDF instead.
    return output.decode(errors="replace")


def _write_locale(profile: Path, language: str) -> None:
    """Seed the profile with a locale setting (Tools > Options > Languages > Locale setting).

    Impress writes the locale as the PDF's /Lang. Setting it in the profile
    works the same on every platform, unlike LANG/LC_ALL, which Windows and
    macOS LibreOffice ignore and which need the locale installed on Linux.
    """
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        '<item oor:path="/org.openoffice.Setup/L10N">'
        f'<prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>{language}</value></prop>'
        "</item>\n"
        "</oor:items>\n",
        encoding="utf-8",
    )


def _kill_tree(process: subprocess.Popen[bytes]) -> None:
    """Kill soffice and everything it started, then reap it."""
    if sys.platform == "win32":
        # No process groups on Windows; soffice.exe starts soffice.bin as a child.
        subprocess.run(
            ["taskkill", "/F", "/T", "/PID", str(process.pid)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
    else:
        # Safe to use the pid as group id: the leader is not reaped yet, so the
        # id cannot have been reused.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    process.kill()  # no-op if already dead; covers a failed taskkill
    process.wait()


def _remove_lock_files(documents: Sequence[Path], outdir: Path) -> None:
    """Remove the ``.~lock.<name>#`` files a killed LibreOffice leaves behind.

    Only the locks of our own documents and PDFs: a lock for another file in
    the same folder may belong to someone who has that file open.
    """
    for doc in documents:
        for lock in (
            doc.parent / f".~lock.{doc.name}#",
            doc.parent / f".~lock.{doc.stem}.pdf#",
            outdir / f".~lock.{doc.stem}.pdf#",
        ):
            lock.unlink(missing_ok=True)


def _raise_timeout(batch: _Batch) -> NoReturn:
    names = ", ".join(str(doc) for doc in batch.documents)
    raise PdfExportError(
        f"LibreOffice took too long to make PDFs of {names} and was stopped. "
        "Try again; if it keeps happening, close LibreOffice if it is open, "
        "allow more time, or export fewer documents at once."
    )


def _is_fresh_pdf(pdf: Path, started: float) -> bool:
    """Whether ``pdf`` was written by this run and is a readable PDF with pages."""
    try:
        if pdf.stat().st_mtime < started - _MTIME_SLACK:
            return False
        return pdf_page_count(pdf) >= 1
    except (OSError, PdfExportError):
        return False


def _move_into_place(source: Path, target: Path) -> None:
    """Move ``source`` to ``target`` atomically, so readers never see a half-written PDF."""
    try:
        try:
            os.replace(source, target)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            # The temporary folder is on another file system: copy next to the
            # target first, then rename, which is atomic within one folder.
            fd, partial = tempfile.mkstemp(
                prefix=f".{target.name}.", suffix=".part", dir=target.parent
            )
            os.close(fd)
            try:
                shutil.copyfile(source, partial)
                os.replace(partial, target)
            except BaseException:
                Path(partial).unlink(missing_ok=True)
                raise
    except OSError as exc:
        raise PdfExportError(
            f"Could not save {target} ({exc.strerror or exc}). If the PDF is open in a "
            "viewer, close it; check that the folder is writable and the disk not full; "
            "then try again."
        ) from exc
