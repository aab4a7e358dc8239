"""The fit's cache: a handout's fit result by a hash of everything its bytes depend on.

A result is cached (:class:`FitCache`: a JSON file and the PDFs in the output folder, and a memo
in the process) under a hash of the Handout tree, the theme's files, the document time and the
code that decides the fit (:func:`_code_hash`), so an unchanged handout is not rendered again.
The PDF of the winning variant is exactly the PDF ``--pdf`` would make of the same bytes, so the
build reuses it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.handout.builder import DENSITIES
from generator.pipeline.writer import Folder, Staged

if TYPE_CHECKING:
    from generator.handout.fit import FitJob

#: Bump when the fit's rules change in a way the code hash below would not notice.
FIT_VERSION = 2
CACHE_FOLDER = ".pitchkit-cache"
CACHE_FILE = ".handout-fit.json"
#: Cache entries kept in the output folder (most recently used first).
CACHE_ENTRIES = 200

_MEMO: dict[str, tuple[dict[str, Any], bytes | None]] = {}
_MEMO_SIZE = 64


class FitCache:
    """Fit results by key: ``<folder>/.handout-fit.json`` plus one ``.<key>.pdf`` per entry, and
    a memo. The names are hidden (a leading dot): the output folder lists only documents.

    Reading tolerates a missing or damaged file (it is only a cache); :meth:`save` writes
    atomically and is meant to run under the build's output lock.
    """

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.entries: dict[str, dict[str, Any]] = {}
        self.used: list[str] = []
        self.new_pdfs: dict[str, bytes] = {}
        if folder is not None:
            try:
                loaded = json.loads((folder / CACHE_FILE).read_text(encoding="utf-8"))
                if isinstance(loaded, dict) and isinstance(loaded.get("entries"), dict):
                    self.entries = loaded["entries"]
            except (OSError, ValueError):
                self.entries = {}

    def get(self, key: str) -> tuple[dict[str, Any], bytes | None] | None:
        """The entry and its PDF (if kept), from the memo or the folder."""
        if key in _MEMO:
            self.used.append(key)
            entry, pdf = _MEMO[key]
            self.entries[key] = entry
            if pdf is not None:
                self.new_pdfs.setdefault(key, pdf)
            return entry, pdf
        stored = self.entries.get(key)
        if not isinstance(stored, dict) or not _valid_entry(stored):
            return None
        entry = stored
        self.used.append(key)
        pdf = None
        if self.folder is not None:
            try:
                pdf = (self.folder / f".{key}.pdf").read_bytes()
            except OSError:
                pdf = None
        if pdf is not None and hashlib.sha256(pdf).hexdigest() != entry.get("pdf"):
            pdf = None
        return entry, pdf

    def put(self, key: str, entry: dict[str, Any], pdf: bytes | None) -> None:
        if pdf is not None:
            entry = {**entry, "pdf": hashlib.sha256(pdf).hexdigest()}
            self.new_pdfs[key] = pdf
        self.entries[key] = entry
        self.used.append(key)
        _MEMO[key] = (entry, pdf)
        while len(_MEMO) > _MEMO_SIZE:
            _MEMO.pop(next(iter(_MEMO)))

    def stage(self, output: Folder) -> list[Staged]:
        """Stage the entries used now first, then older ones (at most CACHE_ENTRIES), and their
        new PDFs in ``output``, for the build to commit with its documents."""
        if self.folder is None or not self.used:
            return []
        kept = self._kept()
        staged = []
        try:
            for key, pdf in self.new_pdfs.items():
                target = self.folder / f".{key}.pdf"
                if key in kept and not output.exists(target):
                    staged.append(output.stage(target, pdf))
            payload = {"version": FIT_VERSION, "entries": kept}
            data = json.dumps(payload, indent=1, sort_keys=True, ensure_ascii=False).encode()
            staged.append(output.stage(self.folder / CACHE_FILE, data))
        except BaseException:
            output.discard(staged)
            raise
        return staged

    def prune(self, output: Folder) -> None:
        """Delete the PDFs of entries no longer kept (after a commit)."""
        if self.folder is None or not self.used:
            return
        kept = self._kept()
        for name in output.names(self.folder):
            if name.startswith(".") and name.endswith(".pdf") and name[1:-4] not in kept:
                output.remove(self.folder / name)

    def save(self, output: Folder) -> None:
        """Stage, commit and prune at once (outside a build)."""
        output.commit(self.stage(output))
        self.prune(output)

    def _kept(self) -> dict[str, dict[str, Any]]:
        order = list(dict.fromkeys([*reversed(self.used), *self.entries]))[:CACHE_ENTRIES]
        return {k: self.entries[k] for k in order if k in self.entries}


def _valid_entry(entry: dict[str, Any]) -> bool:
    density = entry.get("density")
    left_out = entry.get("left_out")
    return (
        isinstance(density, int)
        and 0 <= density < len(DENSITIES)
        and isinstance(left_out, list)
        and all(isinstance(k, str) for k in left_out)
    )


def _code_hash() -> str:
    """The source of the modules that decide a handout's fit: a change makes old results stale.

    Found by module name, not by file position; a module whose source cannot be read raises
    instead of hashing a constant, so a stale cache can never outlive the code it came from.
    """
    digest = hashlib.sha256()
    for name in (
        "generator.handout.builder",
        "generator.handout.fit",
        "generator.handout.fit_cache",
        "generator.handout.layout",
        "generator.handout.measure",
        "generator.compose.inline",
    ):
        source = importlib.util.find_spec(name)
        if source is None or source.origin is None:
            raise RuntimeError(f"the fit cache key needs the source of {name}, which was not found")
        digest.update(name.encode())
        digest.update(Path(source.origin).read_bytes())
    return digest.hexdigest()


def _file_hash(path: Path | None) -> str:
    if path is None:
        return ""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"


def cache_key(job: FitJob) -> str:
    """A hash of everything the fitted bytes depend on."""
    theme = job.theme
    material = {
        "fit": FIT_VERSION,
        "code": _code_hash(),
        "handout": job.handout.model_dump(mode="json"),
        "template": _file_hash(theme.handout_template),
        "logo": _file_hash(theme.logo),
        "spec": theme.spec.model_dump(mode="json"),
        "densities": [asdict(d) for d in DENSITIES],
        "created": job.created.isoformat(),
    }
    blob = json.dumps(material, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(blob).hexdigest()[:32]
