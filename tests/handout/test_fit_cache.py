"""The fit cache's key: it covers the source of every module that decides a handout's fit.

The cache itself (hits, a damaged file) is tested through the fit in test_fit.py.
"""

from __future__ import annotations

import pkgutil

import pytest

import generator.handout
from generator.handout import fit_cache

# Every module of generator.handout decides the fit (the builder, the page plan, the search,
# the measurement, the cache), and the inline Markdown the builder writes.
FIT_MODULES = [
    *(f"generator.handout.{m.name}" for m in pkgutil.iter_modules(generator.handout.__path__)),
    "generator.compose.inline",
]


@pytest.mark.parametrize("module", FIT_MODULES)
def test_fit_cache_key_fails_loudly_when_a_module_is_not_found(
    monkeypatch: pytest.MonkeyPatch, module: str
) -> None:
    """The cache key is never a constant: a missing module is an error, not a hashed name; and
    a module left out of the key (a new one holding fit logic) fails here."""
    real = fit_cache.importlib.util.find_spec
    monkeypatch.setattr(
        fit_cache.importlib.util,
        "find_spec",
        lambda name: None if name == module else real(name),
    )
    with pytest.raises(RuntimeError, match=module.replace(".", r"\.")):
        fit_cache._code_hash()
