"""Incremental builds: a manifest of what the last build read and wrote.

Contract: :func:`input_fingerprint` hashes every file a build may read (the content folder, the
template folders, the theme and image files the last build named, pitchkit's own code) plus the
build's options. When it equals the manifest's and every document the manifest lists is still
there unchanged (size and modification time), :meth:`Manifest.unchanged_report` says so, and the
build can stop before loading anything. :func:`deck_key` lets a partial rebuild keep decks whose
tree, theme and code are the same. The manifest lives in ``<out>/.pitchkit-cache/``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from generator.pipeline.writer import Folder, Staged

import generator

FOLDER = ".pitchkit-cache"
FILE = ".manifest.json"
VERSION = 1
_SKIP_DIRS = {"__pycache__", ".git", "output", FOLDER}


@cache
def code_fingerprint() -> str:
    """A hash of pitchkit's own modules, in every subpackage: new code rebuilds everything."""
    digest = hashlib.sha256()
    package = Path(generator.__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _files_under(folder: Path) -> Iterable[Path]:
    if not folder.is_dir():
        return
    for current, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS)
        for name in sorted(files):
            yield Path(current) / name


def _file_digest(path: Path) -> str:
    try:
        stat = path.stat()
    except OSError:
        return "missing"
    # Size and mtime change with every save; hashing the bytes would cost as much as reading
    # every image again, for no practical gain in certainty.
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def input_fingerprint(
    folders: Sequence[Path], extra_files: Iterable[str], options: dict[str, Any]
) -> str:
    """Hash of every file under ``folders``, the ``extra_files``, the options and the code."""
    digest = hashlib.sha256()
    digest.update(code_fingerprint().encode())
    digest.update(json.dumps(options, sort_keys=True, default=str).encode())
    digest.update(os.environ.get("SOURCE_DATE_EPOCH", "").encode())
    for folder in folders:
        for path in _files_under(folder):
            digest.update(f"{path}\0{_file_digest(path)}\n".encode())
    for name in sorted(set(extra_files)):
        digest.update(f"{name}\0{_file_digest(Path(name))}\n".encode())
    return digest.hexdigest()


def deck_key(tree_json: str, theme_files: Iterable[Path], when: dt.datetime) -> str:
    """What a deck's bytes depend on: its tree, its theme's files (and pictures), the code, and
    the document time stamped into it (SOURCE_DATE_EPOCH or the project's date)."""
    digest = hashlib.sha256(code_fingerprint().encode())
    digest.update(tree_json.encode())
    digest.update(when.isoformat().encode())
    for path in sorted(set(theme_files)):
        digest.update(f"{path}\0{_file_digest(path)}\n".encode())
    return digest.hexdigest()


@dataclass
class Entry:
    """One document the last build wrote."""

    project: str
    audience: str
    kind: str
    path: str
    size: int
    mtime_ns: int
    key: str | None = None
    pages: int | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class Manifest:
    """The last successful build into one output folder."""

    out: Path
    fingerprint: str | None = None
    inputs: list[str] = field(default_factory=list)
    entries: dict[str, Entry] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    pdfs: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, out: Path) -> Manifest:
        """The manifest in ``out``, or an empty one (never an error: it is only a cache)."""
        try:
            data = json.loads((out / FOLDER / FILE).read_text(encoding="utf-8"))
            if data.get("version") != VERSION:
                return cls(out)
            return cls(
                out,
                data["fingerprint"],
                list(data["inputs"]),
                {k: Entry(**v) for k, v in data["entries"].items()},
                list(data.get("warnings", [])),
                list(data.get("pdfs", [])),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return cls(out)

    @property
    def path(self) -> Path:
        """Where the manifest lives: ``<out>/.pitchkit-cache/.manifest.json``."""
        return self.out / FOLDER / FILE

    def intact(self, path: Path) -> Entry | None:
        """The entry for ``path`` if the file is still exactly as the last build wrote it."""
        entry = self.entries.get(str(path))
        if entry is None:
            return None
        try:
            stat = path.stat()
        except OSError:
            return None
        if (stat.st_size, stat.st_mtime_ns) != (entry.size, entry.mtime_ns):
            return None
        return entry

    def all_intact(self) -> bool:
        """Whether every document and PDF of the last build is still there, untouched."""
        return (
            bool(self.entries)
            and all(self.intact(Path(p)) for p in self.entries)
            and all(Path(p).is_file() for p in self.pdfs)
        )

    def record(
        self,
        documents: Sequence[Any],
        keys: dict[Path, str],
        inputs: Iterable[str],
        fingerprint: str,
        warnings: Sequence[str],
        pdfs: Sequence[Path],
        status: Mapping[Path, os.stat_result],
    ) -> None:
        """Remember this build: ``status`` is each document's file status as written (a staged
        file keeps its size and modification time when it is renamed into place)."""
        self.entries = {}
        for d in documents:
            stat = status[d.path]
            self.entries[str(d.path)] = Entry(
                d.project,
                d.audience,
                d.kind,
                str(d.path),
                stat.st_size,
                stat.st_mtime_ns,
                keys.get(d.path),
                d.pages,
                list(d.warnings),
            )
        self.inputs = sorted(set(inputs))
        self.fingerprint = fingerprint
        self.warnings = list(warnings)
        self.pdfs = [str(p) for p in pdfs]

    def stage(self, output: Folder) -> Staged:
        """Stage the manifest in ``output`` (the build commits it last, with its documents)."""
        data = {
            "version": VERSION,
            "fingerprint": self.fingerprint,
            "inputs": self.inputs,
            "entries": {k: vars(v) for k, v in self.entries.items()},
            "warnings": self.warnings,
            "pdfs": self.pdfs,
        }
        return output.stage(self.path, json.dumps(data, indent=1, sort_keys=True).encode())
