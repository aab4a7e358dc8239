"""Image checks: whole PNG and GIF files pass by their end marker; JPEGs and anything else are
decoded to be sure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageFile

from generator.content import images


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
    for fmt, name in (("PNG", "a.png"), ("GIF", "a.gif")):
        _photo(tmp_path / name, fmt)
        assert images.check_image(tmp_path, name) == ((tmp_path / name).resolve(), 64, 48)
    assert decoded == []
    # A JPEG is always decoded (its end marker proves nothing), a camera's trailer after it too.
    _photo(tmp_path / "a.jpg", "JPEG")
    assert images.check_image(tmp_path, "a.jpg") == ((tmp_path / "a.jpg").resolve(), 64, 48)
    data = _photo(tmp_path / "b.jpg", "JPEG")
    (tmp_path / "b.jpg").write_bytes(data + b"TRAILER" * 20)
    assert images.check_image(tmp_path, "b.jpg") == ((tmp_path / "b.jpg").resolve(), 64, 48)
    assert decoded and set(decoded) == {"JPEG"}


@pytest.mark.parametrize("mode", ["RGB", "L", "CMYK"])
def test_a_jpeg_cut_off_with_its_end_marker_appended_is_damaged(tmp_path: Path, mode: str) -> None:
    """The data of a photo cut off anywhere, then JPEG's end marker: libjpeg only warns and fills
    the rest with grey; the check decodes and refuses it. The whole photo passes."""
    photo = Image.effect_mandelbrot((320, 240), (-2.0, -1.2, 0.8, 1.2), 60).convert(mode)
    photo.save(tmp_path / "whole.jpg", "JPEG", quality=90)
    data = (tmp_path / "whole.jpg").read_bytes()
    assert images.check_image(tmp_path, "whole.jpg") == (
        (tmp_path / "whole.jpg").resolve(),
        320,
        240,
    )
    for share in (0.3, 0.6, 0.85):
        (tmp_path / "cut.jpg").write_bytes(data[: int(len(data) * share)] + b"\xff\xd9")
        message = images.check_image(tmp_path, "cut.jpg")
        assert isinstance(message, str) and "damaged or incomplete" in message, share


def test_a_file_cut_off_is_damaged(tmp_path: Path) -> None:
    data = _photo(tmp_path / "a.png", "PNG")
    (tmp_path / "cut.png").write_bytes(data[:-20])
    message = images.check_image(tmp_path, "cut.png")
    assert isinstance(message, str) and "damaged or incomplete" in message
