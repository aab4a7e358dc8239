"""Compiled templates kept in the user's cache folder, keyed by the code that compiles them."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
from functools import cache
from pathlib import Path

import jinja2
import jinja2.bccache

#: The modules whose source decides the compiled code: the sandbox's code generator and filters,
#: the environment's settings and filters in the renderer.
COMPILING_MODULES = ("generator.compose.sandbox", "generator.compose.templating")


def bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept in the user's cache folder: compiling costs ~0.25 s a process.

    Jinja2 checks each entry against the template's source and the Python version; a folder that
    cannot be made (a read-only home) means no cache.
    """
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(root) / "pitchkit" / "templates"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return _QuietBytecodeCache(str(folder))


class _QuietBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Only a cache: an entry that cannot be read or written means compiling again, no error.

    Compiled code depends on the sandbox and the renderer (the bounded ``~``, which filters get
    a context), so an entry is keyed by their source too (:data:`COMPILING_MODULES`): code
    compiled by another pitchkit is not used.
    """

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return super().get_cache_key(f"{_code_version()}:{name}", filename)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError, TypeError):
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


@cache
def _code_version() -> str:
    """A hash of :data:`COMPILING_MODULES`' source, found by module name; a module whose source
    cannot be read raises, so compiled code never outlives the code that compiled it."""
    digest = hashlib.sha1()
    for name in COMPILING_MODULES:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise RuntimeError(f"the template cache key needs the source of {name}, not found")
        digest.update(Path(spec.origin).read_bytes())
    return digest.hexdigest()[:16]
