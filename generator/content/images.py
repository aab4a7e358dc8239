"""Images of the content: checked before anything is built, converted where Office cannot embed.

Contract: :func:`check_image` returns ``(path, width, height)`` or a message for the user; it
never raises for a bad file. It refuses paths outside the folder (``../``, absolute paths, also
Windows ones such as ``C:\\x.png``), files that are not images (SVG, PDF, HEIC and text are named
as such), files that are truncated or corrupt (it decodes them fully; a JPEG whose last row of
blocks is the grey libjpeg puts where data is missing is cut off), and images of more than
:data:`MAX_PIXELS` pixels, which it sees in the header before decoding anything (a decompression
bomb is refused, not decoded). :func:`embeddable` returns bytes that both python-pptx and
python-docx embed (PNG, JPEG or GIF), converting WebP, BMP and TIFF to PNG.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Iterator
from pathlib import Path, PureWindowsPath

from PIL import Image as PILImage

MAX_PIXELS = 40_000_000  # a 40-megapixel photo; beyond that a slide gains nothing
MAX_BYTES = 50_000_000  # every deck embeds the file: beyond this the decks become unwieldy
EMBEDDABLE = {"PNG", "JPEG", "GIF"}
CONVERTIBLE = {"WEBP", "BMP", "TIFF"}
SAVE_AS = "open it in an image editor and save it again as PNG or JPEG"

# Formats people try that Pillow cannot read: recognised by their first bytes, to say what they are.
_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"%PDF", 0, "a PDF document; export the page you want as PNG"),
    (b"ftypheic", 4, "a HEIC photo (iPhone); save it as JPEG"),
    (b"ftypheix", 4, "a HEIC photo (iPhone); save it as JPEG"),
    (b"ftypmif1", 4, "a HEIF photo; save it as JPEG"),
    (b"ftypavif", 4, "an AVIF image; save it as PNG or JPEG"),
)


def check_image(folder: Path, relative: str, convert: bool = True) -> tuple[Path, int, int] | str:
    """Resolve ``relative`` inside ``folder`` and check it; return (path, w, h) or a message.

    With ``convert=False`` only formats Office embeds as they are (PNG, JPEG, GIF) are accepted.
    """
    windows = PureWindowsPath(relative)
    if Path(relative).is_absolute() or windows.drive or relative.startswith(("/", "\\")):
        return (
            f"'{relative}' is an absolute path; put the image in the project folder and write "
            "a path relative to it, e.g. images/photo.png"
        )
    # Windows users write images\photo.png: the same file on every system.
    path = (folder / relative.replace("\\", "/")).resolve()
    if not path.is_relative_to(folder.resolve()):
        return f"'{relative}' points outside the project folder; copy the image into it"
    if not path.is_file():
        return f"image '{relative}' not found in {folder.name}/; check the file name and folder"
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(512)
    except OSError as exc:
        return f"cannot read '{relative}' ({exc.strerror}); check that the file is not locked"
    if path.suffix.lower() in (".svg", ".svgz") or _looks_like_svg(head):
        return (
            f"'{relative}' is an SVG drawing, which Word and PowerPoint files cannot hold "
            "reliably; export it as PNG"
        )
    for signature, offset, what in _SIGNATURES:
        if head[offset : offset + len(signature)] == signature:
            return f"'{relative}' is {what}"
    if size > MAX_BYTES:
        return (
            f"'{relative}' is {size // 1_000_000} MB, too large to put in every document "
            f"(at most {MAX_BYTES // 1_000_000} MB); save it smaller"
        )
    return _check_pixels(path, relative, convert)


def _check_pixels(path: Path, relative: str, convert: bool) -> tuple[Path, int, int] | str:
    try:
        with _header_only(), PILImage.open(path) as img:
            width, height = img.size
            fmt = img.format or ""
    except (OSError, SyntaxError, ValueError):
        return (
            f"'{relative}' is not an image pitchkit can read; use PNG, JPEG or GIF "
            "(WebP, BMP and TIFF are converted)"
        )
    if width * height > MAX_PIXELS:
        return (
            f"'{relative}' is {width}x{height} pixels, too large (at most "
            f"{MAX_PIXELS // 1_000_000} megapixels); scale it down"
        )
    allowed = EMBEDDABLE | CONVERTIBLE if convert else EMBEDDABLE
    if fmt not in allowed:
        return f"'{relative}' is a {fmt or 'unknown'} image; save it as PNG or JPEG"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(path) as img:
                img.verify()
            # verify() misses data cut off at the end (a file not fully copied). PNG and GIF end
            # in a fixed marker, much cheaper to find than decoding every pixel; without it (cut
            # off, or a trailer after the marker) a full decode decides. A JPEG is always
            # decoded: its end marker proves nothing (it can follow data cut off anywhere).
            if fmt == "JPEG":
                if _jpeg_cut_off(path):
                    raise OSError("cut off: the last rows are libjpeg's fill")
            elif not _ends_whole(path, fmt):
                with PILImage.open(path) as img:
                    img.load()
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
        return f"'{relative}' is too large to open safely; scale it down"
    except (OSError, SyntaxError, ValueError, EOFError):
        return f"'{relative}' is damaged or incomplete (perhaps not fully copied); {SAVE_AS}"
    return path, width, height


#: The last bytes of a whole file, per format: PNG's IEND chunk, GIF's trailer.
_END_MARKERS = {"PNG": b"IEND\xaeB`\x82", "GIF": b";"}
#: What libjpeg decodes where a JPEG's data runs out (a premature end marker is only a warning to
#: it, which Pillow does not pass on): blocks with every coefficient zero, mid-grey in every
#: channel (127 in Adobe's inverted CMYK).
_JPEG_FILL = (127, 128)


def _jpeg_cut_off(path: Path) -> bool:
    """Decode the JPEG (at 1/8 scale: every byte of its data is still read) and tell whether its
    last row of blocks is libjpeg's fill for missing data; raises OSError for a broken stream."""
    with PILImage.open(path) as img:
        img.draft(img.mode, (max(1, img.width // 8), max(1, img.height // 8)))
        img.load()
        last = img.crop((0, img.height - 1, img.width, img.height))
        extrema = last.getextrema()
    bands = extrema if isinstance(extrema[0], tuple) else (extrema,)
    return all(low == high and low in _JPEG_FILL for low, high in bands)


def _ends_whole(path: Path, fmt: str) -> bool:
    """Whether the file ends in its format's end marker (trailing zero padding allowed)."""
    marker = _END_MARKERS.get(fmt)
    if marker is None:
        return False
    with path.open("rb") as handle:
        handle.seek(max(0, path.stat().st_size - 64))
        tail = handle.read().rstrip(b"\x00")
    return tail.endswith(marker)


@contextlib.contextmanager
def _header_only() -> Iterator[None]:
    """Let Pillow open (read the header of) any image, so the size can be checked and named.

    Pillow refuses images above twice its own limit already when opening; the size in the header
    is what the message needs. Nothing is decoded inside this block.
    """
    saved = PILImage.MAX_IMAGE_PIXELS
    PILImage.MAX_IMAGE_PIXELS = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
            yield
    finally:
        PILImage.MAX_IMAGE_PIXELS = saved


def _looks_like_svg(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith(b"<svg") or (text.startswith(b"<?xml") and b"<svg" in text)


def embeddable(path: Path) -> io.BytesIO:
    """The image as bytes Office can embed, converting WebP/BMP/TIFF to PNG."""
    data = path.read_bytes()
    with PILImage.open(io.BytesIO(data)) as img:
        if img.format in EMBEDDABLE:
            return io.BytesIO(data)
        converted: PILImage.Image = img
        if img.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
            # CMYK or 16-bit TIFFs: PNG cannot hold them as they are.
            has_alpha = "A" in img.getbands()
            converted = img.convert("RGBA" if has_alpha else "RGB")
        out = io.BytesIO()
        converted.save(out, format="PNG")
    out.seek(0)
    return out
