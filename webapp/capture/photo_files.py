"""Evidence photos as files: checked by content, re-encoded, kept by content hash.

A phone's photo carries EXIF: the camera, the time and often the GPS position of whoever took
it; a JPEG comment or a PNG text chunk may name them too.  Re-encoding the pixels as a fresh
JPEG, with nothing carried over, keeps none of it (the orientation is applied to the pixels
first, so the picture still stands the right way up).  Only JPEG (an MPO is a phone's JPEG with
a second picture), PNG and WebP are parsed at all, and never one with more pixels than
``MAX_PIXELS``: a small file can declare an enormous image (a decompression bomb).  Files are
named by the SHA-256 of what is stored, so the same picture is kept once and a name says
nothing about who sent it.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import threading
import warnings
from dataclasses import dataclass

from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from webapp.platform import storage
from webapp.platform.backup import file_stores
from webapp.platform.web.health import readiness

#: the only decoders a hostile file reaches (an MPO opens through the JPEG one); any other
#: format, a PDF or text is "not identified"
FORMATS = ("JPEG", "PNG", "WEBP")
MAX_PIXELS = 40_000_000      # a 40-megapixel phone photo; more is a bomb, not a picture
LONG_EDGE, THUMB_EDGE = 2048, 320
QUALITY = 85
DIGEST = re.compile(r"[0-9a-f]{64}")
#: what Pillow raises for a file that is cut short or lies about itself
UNREADABLE = (OSError, ValueError, SyntaxError, EOFError, struct.error)


class PhotoError(ValueError):
    """Not a photo this app keeps; the message says why, in the user's language."""


@dataclass(frozen=True)
class Processed:
    digest: str
    image: bytes
    thumb: bytes
    width: int
    height: int


def _encode(picture: Image.Image, edge: int) -> bytes:
    """A fresh JPEG of the pixels only: no EXIF, ICC profile, comment or XMP, whatever
    ``info`` the original brought (Pillow would write its comment back)."""
    copy = picture.copy()
    copy.thumbnail((edge, edge), Image.Resampling.LANCZOS)
    copy.info = {}
    buffer = io.BytesIO()
    copy.save(buffer, "JPEG", quality=QUALITY, optimize=True, progressive=True)
    return buffer.getvalue()


def _flat(picture: Image.Image) -> Image.Image:
    """RGB on white: a PNG's transparency has no meaning in a JPEG."""
    if picture.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
            picture.mode in ("P", "L", "RGB") and "transparency" in picture.info):
        rgba = picture.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    return picture.convert("RGB")


def _too_many_pixels() -> PhotoError:
    return PhotoError(_("照片的像素太多，無法處理。"))


#: ``warnings.catch_warnings`` swaps the process's filter list: two uploads decoding at once in
#: threaded workers would restore each other's, so photos are decoded one at a time
_DECODING = threading.Lock()


def _decoded(raw: bytes) -> Image.Image:
    """The pixels, upright; a bomb is refused from its header, before anything is decoded.
    Other warnings (a corrupt EXIF block, which is thrown away anyway) are not the user's."""
    with _DECODING, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            picture = Image.open(io.BytesIO(raw), formats=FORMATS)
            width, height = picture.size
            if width * height > MAX_PIXELS:
                raise _too_many_pixels()
            picture.draft("RGB", (LONG_EDGE, LONG_EDGE))   # a JPEG decodes at 1/2, 1/4 or 1/8
            picture.load()
            return ImageOps.exif_transpose(picture)
        except PhotoError:
            raise
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise _too_many_pixels() from None
        except UnidentifiedImageError:
            raise PhotoError(_("這不是照片檔（請上傳 JPEG、PNG 或 WebP）。")) from None
        except UNREADABLE:      # it said it was one, then broke off or lied
            raise PhotoError(_("照片檔不完整或已損壞，請重新上傳。")) from None


def process(raw: bytes, max_bytes: int) -> Processed:
    """The photo as it is kept and its thumbnail; ``PhotoError`` for anything else."""
    if not raw:
        raise PhotoError(_("沒有收到照片檔案。"))
    if len(raw) > max_bytes:
        raise PhotoError(_("照片太大：每張最多 %(mb)s MB。", mb=max_bytes // (1024 * 1024) or 1))
    picture = _flat(_decoded(raw))
    image, thumb = _encode(picture, LONG_EDGE), _encode(picture, THUMB_EDGE)
    width, height = Image.open(io.BytesIO(image)).size
    return Processed(hashlib.sha256(image).hexdigest(), image, thumb, width, height)


@file_stores
def photo_store() -> tuple[str, storage.Storage]:
    """Evidence and case photos, for ``flask backup``."""
    return "photos", storage.current()


@readiness
def storage_ready() -> tuple[str, str | None]:
    """The store takes a file (a folder) or answers for its bucket (S3), for ``/readyz``."""
    try:
        storage.current().check()
        return "storage", None
    except Exception as error:     # any backend's failure is "not ready", never a 500
        return "storage", f"unavailable ({type(error).__name__})"


def save(processed: Processed) -> None:
    store = storage.current()
    store.put(f"{processed.digest}.jpg", processed.image)
    store.put(f"{processed.digest}.thumb.jpg", processed.thumb)


def _valid(digest: object) -> bool:
    return isinstance(digest, str) and DIGEST.fullmatch(digest) is not None


def read(digest: str, thumb: bool = False) -> bytes | None:
    """A kept photo's bytes; None for anything but a SHA-256 in lower-case hex (never a path)."""
    if not _valid(digest):
        return None
    return storage.current().get(f"{digest}{'.thumb' if thumb else ''}.jpg")


def delete(digest: str) -> None:
    """Both files; whether another record still shows the same picture is the caller's call."""
    if _valid(digest):
        for suffix in (".jpg", ".thumb.jpg"):
            storage.current().delete(f"{digest}{suffix}")
