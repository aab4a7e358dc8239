"""OOXML packages written reproducibly: the same input gives the same bytes.

:func:`package_bytes` saves an OOXML package with fixed entry times (embedded workbooks too), so
the same input gives the same bytes (:func:`normalize_zip` rewrites one so); :func:`document_time`
is the one time stamped into documents (SOURCE_DATE_EPOCH, else the project date, never the
clock), and :func:`package_time` reads it back from a package.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from typing import Any

from generator.errors import BuildError

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
MAX_EPOCH = 253402300799  # 9999-12-31 23:59:59, the last second a document date can hold
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
