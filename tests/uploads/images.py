"""Test images made with Pillow: camera photos with EXIF (GPS, orientation), screenshots, bombs."""
from __future__ import annotations

import io

from PIL import Image

GPS_LATITUDE = 31.2304  # Shanghai: what must never reach the forum's copy


def jpeg_with_gps(size=(60, 40), orientation: int | None = None, colour=(200, 30, 30)) -> bytes:
    image = Image.new("RGB", size, colour)
    # The left half dark, so that a rotation is visible in the pixels.
    for x in range(size[0] // 2):
        for y in range(size[1]):
            image.putpixel((x, y), (0, 0, 0))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    gps = {1: "N", 2: (31.0, 13.0, 49.44), 3: "E", 4: (121.0, 28.0, 9.0)}
    exif[0x8825] = gps  # GPSInfo
    if orientation:
        exif[0x0112] = orientation
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes(), quality=90)
    return buffer.getvalue()


def png(size=(40, 30), colour=(20, 120, 220, 255), mode="RGBA") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, colour[: len(mode)] if mode != "L" else 128).save(buffer, "PNG")
    return buffer.getvalue()


def gif(frames: int = 3, size=(30, 20)) -> bytes:
    pictures = [Image.new("P", size, i * 40) for i in range(frames)]
    buffer = io.BytesIO()
    pictures[0].save(buffer, "GIF", save_all=True, append_images=pictures[1:], duration=100, loop=0)
    return buffer.getvalue()


def pdf() -> bytes:
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
            b"trailer<</Root 1 0 R>>\n%%EOF\n")


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
