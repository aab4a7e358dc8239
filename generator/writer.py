"""Write documents safely and reproducibly.

Contract: :func:`write_atomic` writes to a temporary file in the same folder and renames it into
place, so a build killed at any moment leaves either the old or the new complete file.
:func:`normalize_zip` rewrites an OOXML package with fixed entry times (embedded workbooks too),
so the same input gives the same bytes. :class:`OutputLock` keeps two builds from interleaving.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import tempfile
import zipfile
from pathlib import Path
from types import TracebackType

from .errors import BuildError

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_CORE_DATES = re.compile(
    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)"
)


def document_time(date: dt.date | None) -> dt.datetime:
    """The documents' created/modified time: SOURCE_DATE_EPOCH, else the project date, else 2000."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).replace(tzinfo=None)
    if date is not None:
        return dt.datetime(date.year, date.month, date.day, 9, 0, 0)
    return dt.datetime(2000, 1, 1, 0, 0, 0)


def normalize_zip(data: bytes, when: dt.datetime) -> bytes:
    """The same package with fixed entry times and attributes, in the original entry order."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            blob = source.read(info.filename)
            if info.filename.endswith(".xlsx"):
                # python-pptx embeds chart data as a workbook stamped with the clock: fix it too.
                blob = normalize_zip(blob, when)
            elif info.filename == "docProps/core.xml":
                blob = _CORE_DATES.sub(rb"\g<1>" + stamp + rb"\g<2>", blob)
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            entry.create_system = 0
            target.writestr(entry, blob)
    return out.getvalue()


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and an atomic rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class OutputLock:
    """An exclusive lock on the output folder for the length of a build."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / ".pitchkit.lock"
        self._handle: io.BufferedRandom | None = None

    def __enter__(self) -> OutputLock:
        self.folder.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+b")
        try:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:  # Windows
            import msvcrt

            try:
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
            except OSError:
                handle.close()
                raise self._busy() from None
        except OSError:
            handle.close()
            raise self._busy() from None
        self._handle = handle
        return self

    def _busy(self) -> BuildError:
        return BuildError(
            f"another pitchkit build is writing to {self.folder}; wait until it has finished"
        )

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
