"""A LibreOffice that keeps running, so ``pitchkit watch --pdf`` shows an edit in seconds.

Contract: :class:`OfficeServer` converts .pptx/.docx to tagged PDF (the same filter options as
:mod:`generator.export.pdf`) in one LibreOffice per language, started on first use and kept running
until :meth:`OfficeServer.close`. It talks to LibreOffice through ``uno_worker.py``, run by a Python
that has LibreOffice's ``uno`` module (:func:`find_uno_python`; on Debian the system Python with
python3-uno). :func:`OfficeServer.available` says whether that is possible; where it is not, callers
use :func:`generator.export.pdf.export_pdfs`, which starts LibreOffice per call. Conversions take
bytes and give bytes (:meth:`OfficeServer.convert`), made in a private folder: the caller writes
them where they belong. Failures raise :class:`generator.export.pdf.PdfExportError`.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Mapping
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from generator.errors import PdfExportError
from generator.export.pdf import (
    _FILTER_OPTIONS,
    _FILTERS,
    _write_locale,
    find_soffice,
    pdf_page_count,
    refuse_external_references,
)
from generator.pipeline.processes import work_folder


def _worker_path() -> Path:
    """The UNO worker script, found by its module name (another Python runs it as a file)."""
    spec = find_spec("generator.export.uno_worker")
    if spec is None or spec.origin is None:
        raise RuntimeError("pitchkit's LibreOffice worker (generator.export.uno_worker) is missing")
    return Path(spec.origin)


WORKER = _worker_path()
START_TIMEOUT = 120.0
CONVERT_TIMEOUT = 120.0


@cache
def find_uno_python() -> str | None:
    """A Python that can ``import uno``: this one, the system's, or LibreOffice's own."""
    candidates = [sys.executable, "/usr/bin/python3"]
    soffice = find_soffice()
    if soffice:
        program = Path(soffice).resolve().parent
        candidates += [str(program / "python"), str(program / "python.exe")]
        candidates.append(str(program.parent / "Resources" / "python"))  # macOS bundle
    for candidate in dict.fromkeys(candidates):
        if not Path(candidate).is_file():
            continue
        try:
            ok = (
                subprocess.run(
                    [candidate, "-c", "import uno"],
                    capture_output=True,
                    timeout=30,
                    check=False,
                    env=_clean_env(),
                ).returncode
                == 0
            )
        except (OSError, subprocess.SubprocessError):
            ok = False
        if ok:
            return candidate
    return None


def _clean_env() -> dict[str, str]:
    """The environment without our Python's paths, so another Python finds its own modules."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}


class _Worker:
    """One uno_worker.py process and the LibreOffice it runs, for one language."""

    def __init__(self, python: str, soffice: str, language: str | None) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix=f"pitchkit-office-{os.getpid()}-"))
        profile = self.folder / "profile"
        profile.mkdir()
        if language:
            _write_locale(profile, language)
        self.process = subprocess.Popen(
            [
                python,
                str(WORKER),
                soffice,
                profile.as_uri(),
                f"pitchkit-{uuid.uuid4().hex}",
                str(os.getpid()),  # the worker and its LibreOffice end when this process does
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=_clean_env(),
            start_new_session=True,
        )
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        ready = self._reply(START_TIMEOUT)
        if not ready.get("ready"):
            self.close()
            raise PdfExportError(
                f"LibreOffice could not be started to make PDFs ({ready.get('error', 'no answer')})"
            )
        self.office_pid = int(ready.get("pid", 0))

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def _reply(self, timeout: float) -> dict[str, Any]:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            return {"error": f"no answer within {timeout:.0f} s"}
        if line is None:
            return {"error": "the LibreOffice helper stopped"}
        try:
            return dict(json.loads(line))
        except ValueError:
            return {"error": line.strip()}

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def convert(self, source: Path, target: Path) -> None:
        """Convert ``source`` to the PDF ``target``; raise PdfExportError on failure."""
        assert self.process.stdin is not None
        request = {
            "input": str(source),
            "output": str(target),
            "filter": _FILTERS[source.suffix.lower()],
            "options": {k: v["value"] == "true" for k, v in _FILTER_OPTIONS.items()},
        }
        try:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
        except OSError:
            raise PdfExportError(
                "the LibreOffice helper stopped; it is restarted on the next change"
            ) from None
        reply = self._reply(CONVERT_TIMEOUT)
        if not reply.get("ok"):
            if "error" in reply and "ok" not in reply:
                self.close()  # no answer or a dead helper: start a fresh one next time
            raise PdfExportError(
                f"LibreOffice could not make a PDF of {source.name}: {reply.get('error')}"
            )

    def close(self) -> None:
        if self.process.stdin is not None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


class OfficeServer:
    """Convert documents to PDF in LibreOffice instances that stay running (module contract)."""

    def __init__(self) -> None:
        self._workers: dict[str | None, _Worker] = {}

    @staticmethod
    def available() -> bool:
        """Whether LibreOffice and a Python with its ``uno`` module are installed."""
        return find_soffice() is not None and find_uno_python() is not None

    def worker_pids(self) -> list[int]:
        """The process ids of the running LibreOffice instances (for tests and messages)."""
        return [w.office_pid for w in self._workers.values() if w.alive]

    def _worker(self, language: str | None) -> _Worker:
        worker = self._workers.get(language)
        if worker is None or not worker.alive:
            python, soffice = find_uno_python(), find_soffice()
            if python is None or soffice is None:
                raise PdfExportError("LibreOffice with its Python bridge (python3-uno) is needed")
            worker = _Worker(python, soffice, language)
            self._workers[language] = worker
        return worker

    def convert(
        self, documents: Mapping[Path, bytes], language_tag: Mapping[Path, str] | None = None
    ) -> dict[Path, bytes]:
        """The PDF of each document given as bytes (by the path it will have); converted in a
        private folder, so nothing is written beside the paths. All or nothing."""
        tags = dict(language_tag or {})
        made: dict[Path, bytes] = {}
        with work_folder("pitchkit-office-") as work:
            for number, (path, data) in enumerate(documents.items()):
                if path.suffix.lower() not in _FILTERS:
                    raise ValueError(f"cannot export {path} to PDF: only .pptx and .docx")
                folder = work / str(number)
                folder.mkdir()
                source, target = folder / path.name, folder / f"{path.stem}.pdf"
                source.write_bytes(data)
                refuse_external_references(source)
                self._worker(tags.get(path)).convert(source, target)
                if not target.is_file() or pdf_page_count(target) < 1:
                    raise PdfExportError(f"LibreOffice made no usable PDF of {path.name}")
                made[path] = target.read_bytes()
        return made

    def close(self) -> None:
        """Stop every LibreOffice this server started."""
        for worker in self._workers.values():
            worker.close()
        self._workers.clear()

    def __enter__(self) -> OfficeServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
