"""Images of the content: checked before anything is built, converted where Office cannot embed.

Contract: :func:`check_image` never decodes pixels beyond the header before it has checked the
pixel count (a decompression bomb is refused, not decoded); :func:`embeddable` returns bytes that
both python-pptx and python-docx embed (PNG, JPEG or GIF).
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

from PIL import Image as PILImage

MAX_PIXELS = 40_000_000  # a 40-megapixel photo; beyond that a slide gains nothing
EMBEDDABLE = {"PNG", "JPEG", "GIF"}
CONVERTIBLE = {"WEBP", "BMP", "TIFF"}


def check_image(folder: Path, relative: str) -> tuple[Path, int, int] | str:
    """Resolve ``relative`` inside ``folder`` and check it; return (path, w, h) or a message."""
    candidate = Path(relative)
    if candidate.is_absolute() or relative.startswith(("/", "\\")):
        return (
            f"'{relative}' is an absolute path; put the image in the project folder and write "
            "a path relative to it, e.g. images/photo.png"
        )
    path = (folder / candidate).resolve()
    if not path.is_relative_to(folder.resolve()):
        return f"'{relative}' points outside the project folder; copy the image into it"
    if not path.is_file():
        return f"image '{relative}' not found in {folder.name}/; check the file name and folder"
    if path.suffix.lower() == ".svg":
        return (
            f"'{relative}' is an SVG, which Word and PowerPoint files cannot hold reliably; "
            "export it as PNG"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(path) as img:
                width, height = img.size
                if width * height > MAX_PIXELS:
                    return (
                        f"'{relative}' is {width}x{height} pixels, too large (at most "
                        f"{MAX_PIXELS // 1_000_000} megapixels); scale it down"
                    )
                fmt = img.format or ""
                if fmt not in EMBEDDABLE | CONVERTIBLE:
                    return f"'{relative}' is a {fmt or 'unknown'} image; save it as PNG or JPEG"
                img.verify()
            # verify() misses truncated data at the end of a file; a full decode catches it.
            with PILImage.open(path) as img:
                img.load()
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
        return f"'{relative}' is too large to open safely; scale it down"
    except (OSError, SyntaxError, ValueError) as exc:
        return f"'{relative}' is not a readable image ({exc}); save it again as PNG or JPEG"
    return path, width, height


def embeddable(path: Path) -> io.BytesIO:
    """The image as bytes Office can embed, converting WebP/BMP/TIFF to PNG."""
    data = path.read_bytes()
    with PILImage.open(io.BytesIO(data)) as img:
        if img.format in EMBEDDABLE:
            return io.BytesIO(data)
        out = io.BytesIO()
        img.save(out, format="PNG")
    out.seek(0)
    return out
