"""Measure handout variants: convert them to PDF with LibreOffice and count their pages."""

from __future__ import annotations

import io
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

#: A second LibreOffice process pays off from this many variants on (a start costs ~1 s).
MIN_PER_PROCESS = 6
MAX_PROCESSES = 4


@dataclass(frozen=True)
class Measured:
    """A variant's bytes, its page count and PDF, and how much of its text ran over."""

    data: bytes
    pages: int
    pdf: bytes
    overflow: float  # the share of the text on the second page or later


def measure_variants(variants: list[bytes], folder: Path, timeout: float) -> list[Measured]:
    """Convert all variants in one LibreOffice process; their page counts and PDFs, in order."""
    from pypdf import PdfReader

    from generator.export.pdf import export_pdfs

    folder.mkdir(parents=True)
    paths = []
    for n, data in enumerate(variants):
        path = folder / f"v{n:03d}.docx"
        path.write_bytes(data)
        paths.append(path)
    # No language tags: Writer takes /Lang from each .docx, so one process serves every language.
    # A LibreOffice process converts on one core: with more variants than a process start is
    # worth, split them over one process per core (each has its own profile, so they can run
    # side by side).
    workers = max(1, min(os.cpu_count() or 1, len(paths) // MIN_PER_PROCESS, MAX_PROCESSES))
    groups = [paths[k::workers] for k in range(workers)]
    produced: dict[Path, Path] = {}
    if workers == 1:
        produced = export_pdfs(paths, timeout=timeout)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for part in pool.map(lambda group: export_pdfs(group, timeout=timeout), groups):
                produced.update(part)
    out = []
    for path, data in zip(paths, variants, strict=True):
        pdf = produced[path].read_bytes()
        pages = PdfReader(io.BytesIO(pdf)).pages
        overflow = 0.0
        if len(pages) > 1:
            chars = [len("".join((page.extract_text() or "").split())) for page in pages]
            overflow = sum(chars[1:]) / max(sum(chars), 1)
        out.append(Measured(data, len(pages), pdf, overflow))
    return out
