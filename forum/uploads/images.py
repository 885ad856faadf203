"""Images as the forum keeps them: decoded and re-encoded with Pillow, the only module that imports it.

An upload is never stored or served as it came: what a member sends may carry GPS coordinates in its
EXIF, a second file hidden after the image (a ZIP, an HTML page: a polyglot), or a header that
promises a picture of 60,000 × 60,000 pixels (a decompression bomb). Here it is checked, its header
read before any pixel is decoded, then decoded once, turned upright (the EXIF orientation), scaled
so that its long side is at most MAX_SIDE, and written anew without any metadata; a thumbnail is
made from the same pixels.
"""
from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask_babel import gettext as _

from forum.core.errors import ValidationFailed

if TYPE_CHECKING:
    import PIL.Image

MAX_PIXELS = 40_000_000
MAX_SIDE = 2048
THUMB_SIDE = 320


def _pillow():
    """Pillow, imported by the first upload: a worker that never receives one does not hold it.
    Its own guard is set on top of the check in reencode (Pillow refuses twice
    MAX_IMAGE_PIXELS outright)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    return Image, ImageOps, UnidentifiedImageError


# Formats read (GIF: its first frame) and the format each is written as. JPEG stays JPEG (photos),
# WebP stays WebP; PNG and GIF (screenshots, drawings, transparency) become PNG.
_READ = ("PNG", "JPEG", "WEBP", "GIF")
_WRITE = {"PNG": "PNG", "JPEG": "JPEG", "WEBP": "WEBP", "GIF": "PNG"}
CONTENT_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
EXTENSIONS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}

# What another kind of file shows near its start or anywhere in it: markup a browser would run, a
# PDF, a ZIP's end record (always in its last 64 KiB). An image made by a camera or a screenshot
# tool holds none of these; a polyglot does.
_FOREIGN = re.compile(rb"<\s*(?:html|script|svg|iframe|object|embed|body|head|meta|\?php|!doctype)|%PDF-",
                      re.IGNORECASE)
_ZIP_END = b"PK\x05\x06"
_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG", b"GIF87a": "GIF", b"GIF89a": "GIF"}


@dataclass(frozen=True)
class Encoded:
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int
    thumbnail: bytes


def _refuse(message: str, code: str = "not_an_image") -> ValidationFailed:
    error = ValidationFailed({"file": [message]})
    error.code = code
    return error


def sniff(data: bytes) -> str | None:
    """The image format that the bytes' signature names, or None."""
    for signature, name in _SIGNATURES.items():
        if data.startswith(signature):
            return name
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def _is_polyglot(data: bytes, kind: str) -> bool:
    if _FOREIGN.search(data) or _ZIP_END in data[-65_600:]:
        return True
    if kind == "PNG":
        end = data.rfind(b"IEND")
        # The IEND chunk ends with its 4-byte CRC: nothing may follow it.
        return end < 0 or len(data) > end + 8
    return False


def reencode(data: bytes, *, max_pixels: int = MAX_PIXELS, max_side: int = MAX_SIDE) -> Encoded:
    """Check, decode and re-encode an image (see the module's docstring).

    Raises ValidationFailed (field `file`) with a message a member understands: not an image (or an
    image with another file hidden in it), too many pixels, or an image that cannot be decoded."""
    Image, ImageOps, UnidentifiedImageError = _pillow()
    kind = sniff(data)
    if kind is None:
        raise _refuse(_("This file is not an image. Upload a PNG, JPEG, WebP or GIF picture."))
    if _is_polyglot(data, kind):
        raise _refuse(_("This image contains another kind of file as well, so it was refused. "
                        "Take a new screenshot or save the picture again."), "polyglot")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[kind] if kind in _READ else _READ)
            width, height = image.size  # read from the header: nothing decoded yet
            if width * height > max_pixels:
                raise _refuse(_("This image has too many pixels (at most %(count)s million).",
                                count=max_pixels // 1_000_000), "too_many_pixels")
            if image.format != kind:
                raise _refuse(_("This file is not an image. Upload a PNG, JPEG, WebP or GIF picture."))
            image.seek(0)  # a GIF's (or an animated WebP's) first frame
            image.load()
            upright = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(_("This image has too many pixels (at most %(count)s million).",
                        count=max_pixels // 1_000_000), "too_many_pixels") from None
    except ValidationFailed:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise _refuse(_("This image could not be read: the file is damaged or not really an image.")) from None
    out_format = _WRITE[kind]
    picture = _normalise_mode(upright, out_format)
    picture.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    thumb = picture.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    return Encoded(data=_save(picture, out_format), content_type=CONTENT_TYPES[out_format],
                   extension=EXTENSIONS[out_format], width=picture.width, height=picture.height,
                   thumbnail=_save(thumb, out_format))


def _normalise_mode(image: PIL.Image.Image, out_format: str) -> PIL.Image.Image:
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    if out_format == "JPEG":
        mode = "L" if image.mode in ("L", "1") else "RGB"
    else:
        mode = "RGBA" if has_alpha else ("L" if image.mode in ("L", "1") else "RGB")
    # convert() always makes a new image; its `info` (EXIF, XMP, ICC, comments, PNG text) is
    # dropped below, so that nothing of the original but its pixels reaches the new file.
    clean = image.convert(mode)
    clean.info = {}
    return clean


def _save(image: PIL.Image.Image, out_format: str) -> bytes:
    buffer = io.BytesIO()
    image.info = {}
    if out_format == "JPEG":
        image.save(buffer, "JPEG", quality=85, optimize=True)
    elif out_format == "WEBP":
        image.save(buffer, "WEBP", quality=85)
    else:
        image.save(buffer, "PNG")
    return buffer.getvalue()
