"""Image checks: whole files pass by their end marker, anything else is decoded to be sure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageFile

from generator import images


def _photo(path: Path, fmt: str) -> bytes:
    Image.new("RGB", (64, 48), (200, 120, 40)).save(path, fmt)
    return path.read_bytes()


def test_a_whole_file_is_not_decoded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    decoded: list[str] = []
    real = ImageFile.ImageFile.load

    def counting(self: ImageFile.ImageFile) -> Any:
        decoded.append(self.format or "")
        return real(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counting)
    for fmt, name in (("PNG", "a.png"), ("JPEG", "a.jpg"), ("GIF", "a.gif")):
        _photo(tmp_path / name, fmt)
        assert images.check_image(tmp_path, name) == ((tmp_path / name).resolve(), 64, 48)
    assert decoded == []
    # A camera's trailer after JPEG's end marker: decoded, and accepted.
    data = _photo(tmp_path / "b.jpg", "JPEG")
    (tmp_path / "b.jpg").write_bytes(data + b"TRAILER" * 20)
    assert images.check_image(tmp_path, "b.jpg") == ((tmp_path / "b.jpg").resolve(), 64, 48)
    assert decoded == ["JPEG"]


def test_a_file_cut_off_is_damaged(tmp_path: Path) -> None:
    data = _photo(tmp_path / "a.png", "PNG")
    (tmp_path / "cut.png").write_bytes(data[:-20])
    message = images.check_image(tmp_path, "cut.png")
    assert isinstance(message, str) and "damaged or incomplete" in message
