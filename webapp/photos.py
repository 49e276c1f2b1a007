"""Evidence photos as files: checked by content, re-encoded, kept by content hash.

A phone's photo carries EXIF: the camera, the time and often the GPS position of whoever took
it.  Re-encoding the pixels as a fresh JPEG keeps none of it (the orientation is applied to the
pixels first, so the picture still stands the right way up).  Only JPEG, PNG and WebP are read,
and never one with more pixels than ``MAX_PIXELS``: a small file can declare an enormous image
(a decompression bomb).  Files are named by the SHA-256 of what is stored, so the same picture
is kept once and a name says nothing about who sent it.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

FORMATS = ("JPEG", "PNG", "WEBP")
MAX_PIXELS = 40_000_000      # a 40-megapixel phone photo; more is a bomb, not a picture
LONG_EDGE, THUMB_EDGE = 2048, 320
QUALITY = 85


class PhotoError(ValueError):
    """Not a photo this app keeps; the message says why, in the user's language."""


@dataclass(frozen=True)
class Processed:
    digest: str
    image: bytes
    thumb: bytes
    width: int
    height: int


def _encode(picture: Image.Image) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=QUALITY, optimize=True, progressive=True)
    return buffer.getvalue()


def _shrunk(picture: Image.Image, edge: int) -> Image.Image:
    copy = picture.copy()
    copy.thumbnail((edge, edge), Image.Resampling.LANCZOS)
    return copy


def _flat(picture: Image.Image) -> Image.Image:
    """RGB on white: a PNG's transparency has no meaning in a JPEG."""
    if picture.mode in ("RGBA", "LA", "PA") or (picture.mode == "P" and
                                                "transparency" in picture.info):
        rgba = picture.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    return picture.convert("RGB")


def process(raw: bytes, max_bytes: int) -> Processed:
    if not raw:
        raise PhotoError(_("沒有收到照片檔案。"))
    if len(raw) > max_bytes:
        raise PhotoError(_("照片太大：每張最多 %(mb)s MB。", mb=max_bytes // (1024 * 1024) or 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            picture = Image.open(io.BytesIO(raw))
            if picture.format not in FORMATS:
                raise PhotoError(_("這不是照片檔（請上傳 JPEG、PNG 或 WebP）。"))
            width, height = picture.size
            if width * height > MAX_PIXELS:
                raise PhotoError(_("照片的像素太多，無法處理。"))
            picture.load()
            picture = ImageOps.exif_transpose(picture)
        except PhotoError:
            raise
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise PhotoError(_("照片的像素太多，無法處理。")) from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
            raise PhotoError(_("這不是照片檔，或檔案不完整（請上傳 JPEG、PNG 或 WebP）。")) from None
    picture = _flat(picture)
    image = _encode(_shrunk(picture, LONG_EDGE))
    thumb = _encode(_shrunk(picture, THUMB_EDGE))
    shown = Image.open(io.BytesIO(image)).size
    return Processed(hashlib.sha256(image).hexdigest(), image, thumb, *shown)


def folder() -> Path:
    """``PHOTO_DIR``, or ``photos`` in the instance folder; only the app's user may read it."""
    path = Path(current_app.config.get("PHOTO_DIR") or Path(current_app.instance_path) / "photos")
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _write(path: Path, data: bytes) -> None:
    if path.exists():
        return      # the same content, already kept
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def save(processed: Processed) -> None:
    place = folder()
    _write(place / f"{processed.digest}.jpg", processed.image)
    _write(place / f"{processed.digest}.thumb.jpg", processed.thumb)


def _valid(digest: str) -> bool:
    return len(digest) == 64 and all(c in "0123456789abcdef" for c in digest)


def path_of(digest: str, thumb: bool = False) -> Path | None:
    """Where a kept photo is; None for anything but a SHA-256 in lower-case hex (never a path)."""
    if not _valid(digest):
        return None
    path = folder() / f"{digest}{'.thumb' if thumb else ''}.jpg"
    return path if path.exists() else None


def delete(digest: str) -> None:
    if _valid(digest):
        for suffix in (".jpg", ".thumb.jpg"):
            (folder() / f"{digest}{suffix}").unlink(missing_ok=True)
