"""normalize_pdf on the fields LibreOffice writes: the clock is taken out, every length kept."""

from __future__ import annotations

import datetime as dt
import re

from generator.export.normalize import normalize_pdf

LIBREOFFICE_TAIL = (
    b"<xmp:CreateDate>2026-11-29T03:06:35+01:00</xmp:CreateDate>\n"
    b"/CreationDate(D:20261129030635+01'00')>>\n"
    b"trailer\n<</Size 52/Root 50 0 R\n/Info 51 0 R\n"
    b"/ID [ <D7E89DC55982C8C85C4BB3C5BC16A0DE>\n<D7E89DC55982C8C85C4BB3C5BC16A0DE> ]\n"
    b"/DocChecksum /D758FA5F1DA0823739852E2A633FD7F7\n>>\nstartxref\n36999\n%%EOF\n"
)


def test_normalize_pdf_keeps_every_length_and_removes_the_clock() -> None:
    when = dt.datetime(2027, 3, 11, 9, 0, 0)
    first = normalize_pdf(b"%PDF-1.6\nbody one\n" + LIBREOFFICE_TAIL, when)
    later = LIBREOFFICE_TAIL.replace(b"030635", b"171204").replace(b"D7E89DC5", b"0123ABCD")
    second = normalize_pdf(b"%PDF-1.6\nbody one\n" + later, when)
    assert first == second
    assert len(first) == len(b"%PDF-1.6\nbody one\n" + LIBREOFFICE_TAIL)
    assert b"<xmp:CreateDate>2027-03-11T09:00:00+00:00</xmp:CreateDate>" in first
    assert b"/CreationDate(D:20270311090000+00'00')" in first
    other = normalize_pdf(b"%PDF-1.6\nbody two\n" + LIBREOFFICE_TAIL, when)
    ids = re.compile(rb"/ID \[ <([0-9A-F]{32})>")
    found_first, found_other = ids.search(first), ids.search(other)
    assert found_first and found_other and found_first.group(1) != found_other.group(1)
