"""Write documents safely and reproducibly.

Contract: :func:`write_atomic` writes to a temporary file in the same folder (its name starts
with a dot and ends in ``.tmp``, so nobody takes it for a document) and renames it into place, so
a build killed at any moment leaves either the old or the new complete file; a failure is a
:class:`BuildError` saying what to do. :func:`remove_stale_temporaries` removes what a killed build
left behind. :func:`package_bytes` saves an OOXML package with fixed entry times (embedded
workbooks too), so the same input gives the same bytes (:func:`normalize_zip` rewrites one so);
:func:`document_time` is the one time stamped into documents (SOURCE_DATE_EPOCH, else the
project date, never the clock).
:class:`OutputLock` keeps two builds from interleaving: the second one is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from .errors import BuildError

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
MAX_EPOCH = 253402300799  # 9999-12-31 23:59:59, the last second a document date can hold
# What write_atomic (.tmp) and the PDF export (.part) leave behind when killed: a dot, the
# document's name, mkstemp's 8 random characters, the suffix.
_TEMPORARY = re.compile(r"\..+\.[A-Za-z0-9_]{8}\.(?:tmp|part)")
_CORE_DATES = re.compile(
    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)"
)


def document_time(date: dt.date | None) -> dt.datetime:
    """The documents' created/modified time: SOURCE_DATE_EPOCH, else the project date, else 2000."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        # reproducible-builds.org: a malformed value is an error, not silently the clock.
        if not epoch.isdigit() or int(epoch) > MAX_EPOCH:
            raise BuildError(
                f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01 "
                f"(got {epoch!r}); correct it, or unset it to use the project's date"
            )
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).replace(tzinfo=None)
    if date is not None:
        return dt.datetime(date.year, date.month, date.day, 9, 0, 0)
    return dt.datetime(2000, 1, 1, 0, 0, 0)


def normalize_zip(data: bytes, when: dt.datetime) -> bytes:
    """The same package with fixed entry times and attributes, in the original entry order."""
    source = zipfile.ZipFile(io.BytesIO(data))
    target = _FixedZip(when)
    for info in source.infolist():
        target.add(info.filename, source.read(info.filename))
    return target.close()


def package_bytes(package: Any, when: dt.datetime) -> bytes:
    """A python-pptx or python-docx package (``prs.part.package``, ``doc.part.package``) saved
    as :func:`normalize_zip` would leave it, in one pass (the zip is compressed once).

    It drives each library's own package writer (content types, relationships, parts, in their
    order) with a zip of fixed entry times in place of the library's.
    """
    target = _FixedZip(when)
    if type(package).__module__.startswith("pptx."):
        from pptx.opc.serialized import PackageWriter as PptxWriter

        writer = PptxWriter(io.BytesIO(), package._rels, tuple(package.iter_parts()))
        writer._write_content_types_stream(target)  # type: ignore[arg-type]
        writer._write_pkg_rels(target)  # type: ignore[arg-type]
        writer._write_parts(target)  # type: ignore[arg-type]
    else:
        from docx.opc.pkgwriter import PackageWriter as DocxWriter

        parts = package.parts
        for part in parts:
            part.before_marshal()  # what python-docx's own save does first
        DocxWriter._write_content_types_stream(target, parts)
        DocxWriter._write_pkg_rels(target, package.rels)
        DocxWriter._write_parts(target, parts)  # type: ignore[arg-type]
    return target.close()


class _FixedZip:
    """A zip written in memory with fixed entry times; also the 'physical writer' the libraries'
    package writers call (``write(pack_uri, blob)``)."""

    def __init__(self, when: dt.datetime) -> None:
        self.when = when
        self.stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
        self.out = io.BytesIO()
        self.zip = zipfile.ZipFile(self.out, "w", compression=zipfile.ZIP_DEFLATED)

    def write(self, pack_uri: Any, blob: bytes) -> None:
        self.add(pack_uri.membername, blob)

    def add(self, name: str, blob: bytes) -> None:
        if name.endswith(".xlsx"):
            # python-pptx embeds chart data as a workbook stamped with the clock: fix it too.
            blob = normalize_zip(blob, self.when)
        elif name == "docProps/core.xml":
            blob = _CORE_DATES.sub(rb"\g<1>" + self.stamp + rb"\g<2>", blob)
        entry = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
        entry.compress_type = zipfile.ZIP_DEFLATED
        entry.external_attr = 0o644 << 16
        entry.create_system = 0
        self.zip.writestr(entry, blob)

    def close(self) -> bytes:
        self.zip.close()
        return self.out.getvalue()


# What LibreOffice stamps into a PDF from the clock: the Info dictionary's dates, the XMP dates,
# the trailer's /ID and its own /DocChecksum. Each is rewritten with a value of the same length,
# so no object moves and the cross-reference table stays valid.
_PDF_DATE = re.compile(rb"D:(\d{14})(Z'?|[+-]\d{2}'\d{2}'?)")
_XMP_DATE = re.compile(
    rb"(<xmp:(?:CreateDate|ModifyDate|MetadataDate)>)"
    rb"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?)(Z|[+-]\d{2}:\d{2})"
)
_PDF_ID = re.compile(rb"/ID\s*\[\s*<([0-9A-Fa-f]{32})>\s*<([0-9A-Fa-f]{32})>\s*\]")
_PDF_CHECKSUM = re.compile(rb"/DocChecksum\s*/([0-9A-Fa-f]{32})")
_XMP_UUID = re.compile(rb"uuid:[0-9a-fA-F-]{36}")


def normalize_pdf(data: bytes, when: dt.datetime) -> bytes:
    """The same PDF with the clock's traces replaced: dates by ``when``, ids by a content hash.

    Two LibreOffice exports of the same document then have the same bytes. Every replacement
    keeps its length, so the offsets in the cross-reference table stay right.
    """

    def pdf_date(match: re.Match[bytes]) -> bytes:
        zone = match.group(2)
        fixed = zone if zone.startswith(b"Z") else b"+00'00" + zone[6:]
        return b"D:" + when.strftime("%Y%m%d%H%M%S").encode() + fixed

    def xmp_date(match: re.Match[bytes]) -> bytes:
        fraction = re.sub(rb"\d", b"0", match.group(2)[19:])  # ".123" stays 4 bytes long
        zone = b"Z" if match.group(3) == b"Z" else b"+00:00"
        return match.group(1) + when.strftime("%Y-%m-%dT%H:%M:%S").encode() + fraction + zone

    def ids(digest: bytes) -> Callable[[re.Match[bytes]], bytes]:
        def replace(match: re.Match[bytes]) -> bytes:
            whole = match.group(0)
            for old in match.groups():
                whole = whole.replace(old, digest[: len(old)])
            return whole

        return replace

    data = _PDF_DATE.sub(pdf_date, data)
    data = _XMP_DATE.sub(xmp_date, data)
    # The ids become a hash of everything else, so they stay different per document.
    blank = ids(b"0" * 32)
    rest = _PDF_CHECKSUM.sub(blank, _PDF_ID.sub(blank, _XMP_UUID.sub(b"uuid:", data)))
    digest = hashlib.md5(rest, usedforsecurity=False).hexdigest().upper().encode()
    data = _XMP_UUID.sub(lambda _m: b"uuid:" + _as_uuid(digest), data)
    data = _PDF_ID.sub(ids(digest), data)
    return _PDF_CHECKSUM.sub(ids(digest), data)


def normalize_pdf_file(path: Path, when: dt.datetime) -> None:
    """Apply :func:`normalize_pdf` to the PDF at ``path`` (atomically; unchanged files stay)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BuildError(f"cannot read {path} ({exc.strerror or exc})") from None
    fixed = normalize_pdf(data, when)
    if fixed != data:
        write_atomic(path, fixed)


def package_time(data: bytes) -> dt.datetime:
    """The created time stamped into an Office package's docProps/core.xml (by normalize_zip)."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        try:
            core = package.read("docProps/core.xml")
        except KeyError:
            return document_time(None)
    found = re.search(rb"<dcterms:created[^>]*>(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})", core)
    if found is None:
        return document_time(None)
    return dt.datetime.strptime(found.group(1).decode(), "%Y-%m-%dT%H:%M:%S")


def _as_uuid(digest: bytes) -> bytes:
    hexa = digest.lower()
    return b"-".join((hexa[:8], hexa[8:12], hexa[12:16], hexa[16:20], hexa[20:32]))


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and an atomic rename.

    The data is on disk (fsync) before the rename, and the rename is on disk before returning,
    so even a power cut leaves the old or the new file. Raises BuildError on any OS failure.
    """
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            # mkstemp makes the file private (0600); a document gets the permissions a plain
            # save would give it, so colleagues on a shared folder can still open it.
            os.chmod(handle.fileno(), _document_mode(path))
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        tmp = None
        _fsync_folder(path.parent)
    except OSError as exc:
        raise BuildError(
            f"cannot write {path} ({exc.strerror or exc}); if the document is open in "
            "PowerPoint or Word, close it; check that the folder is writable and the disk is "
            "not full; then build again (the earlier document is unchanged)"
        ) from None
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def _document_mode(path: Path) -> int:
    """The earlier file's permissions, else what ``open()`` would give a new file (umask)."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; Windows cannot open folders, nor needs to)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems (network shares) refuse fsync on a folder; the rename stands
    finally:
        os.close(fd)


def check_targets(out: Path, paths: list[Path]) -> None:
    """Refuse a set of document paths that would overwrite each other or leave ``out``.

    Two paths that differ only in upper and lower case are the same file on Windows and macOS.
    """
    root = out.resolve()
    seen: dict[str, Path] = {}
    for path in paths:
        if not path.resolve().is_relative_to(root):
            raise BuildError(f"refusing to write outside the output folder {root}: {path}")
        key = str(path.resolve()).casefold()
        if key in seen:
            raise BuildError(
                f"two documents would be written to the same file: {seen[key]} and {path}; "
                "rename a project folder or an audience key so that their names differ"
            )
        seen[key] = path


def remove_stale_temporaries(out: Path) -> list[Path]:
    """Remove temporary files a killed build left in ``out`` and its project folders.

    Call it only while holding the :class:`OutputLock`: then no other build is writing them.
    Only names of the form ``.<document>.<8 characters>.tmp`` (or ``.part``) are touched.
    """
    removed = []
    folders = [out, *(p for p in out.iterdir() if p.is_dir() and not p.is_symlink())]
    for folder in folders:
        for candidate in folder.iterdir():
            if _TEMPORARY.fullmatch(candidate.name) and candidate.is_file():
                candidate.unlink(missing_ok=True)
                removed.append(candidate)
    return removed


class OutputLock:
    """An exclusive lock on the output folder for the length of a build."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / ".pitchkit.lock"
        self._handle: io.BufferedRandom | None = None

    def __enter__(self) -> OutputLock:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle = open(self.path, "a+b")  # held open (and locked) for the whole build
        except OSError as exc:
            raise BuildError(
                f"cannot use {self.folder} as the output folder ({exc.strerror or exc}); "
                "choose a folder you can write to with -o"
            ) from None
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
            f"another pitchkit build is writing to {self.folder} right now; wait until it has "
            "finished, then build again (nothing was written by this one)"
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
