"""PDFs made reproducible: LibreOffice's clock taken out of a PDF (:func:`normalize_pdf`)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable

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


def _as_uuid(digest: bytes) -> bytes:
    hexa = digest.lower()
    return b"-".join((hexa[:8], hexa[8:12], hexa[12:16], hexa[16:20], hexa[20:32]))
