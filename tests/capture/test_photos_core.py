"""The photo store on its own (``webapp.photos``), without a database or a page: what leaves a
phone's file behind (EXIF, GPS, comments), what is refused by content (another format, a cut
file, a decompression bomb) and how files are kept under their content hash."""

from __future__ import annotations

import hashlib
import io
import stat
import struct
import warnings
import zlib

import pytest
from PIL import Image, PngImagePlugin

from webapp import create_app
from webapp.capture import photo_files as photos

GPS, MAKE, MODEL, ORIENTATION = 0x8825, 0x010F, 0x0110, 0x0112
MB = 1024 * 1024


@pytest.fixture
def app(tmp_path):
    app = create_app({"SECRET_KEY": "t", "TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "PHOTO_DIR": str(tmp_path / "photos")})
    with app.app_context():
        yield app


def encoded(image: Image.Image, fmt: str = "JPEG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def opened(raw: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(raw))
    image.load()
    return image


def geotagged_jpeg(size=(640, 480)) -> bytes:
    exif = Image.Exif()
    exif[MAKE], exif[MODEL] = "SecretCam", "Model X-77"
    exif[GPS] = {1: "N", 2: (25.0, 2.0, 30.0), 3: "E", 4: (121.0, 33.0, 50.0)}
    raw = encoded(Image.new("RGB", size, (200, 80, 40)), exif=exif)
    carried = opened(raw).getexif()
    assert carried.get_ifd(GPS)[1] == "N" and carried[MAKE] == "SecretCam"   # the input has it
    return raw


def png_header(width: int, height: int) -> bytes:
    """A PNG that only declares its size: a few bytes that would decode to width × height."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


def refused(raw: bytes, max_bytes: int = 8 * MB) -> str:
    """The reason given, with no warning escaping on the way."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(photos.PhotoError) as error:
            photos.process(raw, max_bytes)
    assert caught == []
    return str(error.value)


def test_exif_gps_and_the_camera_are_gone(app):
    raw = geotagged_jpeg()
    done = photos.process(raw, 8 * MB)
    for out in (done.image, done.thumb):
        kept = opened(out)
        assert kept.format == "JPEG" and kept.mode == "RGB"
        assert not kept.getexif() and not kept.getexif().get_ifd(GPS)
        assert b"Exif" not in out and b"SecretCam" not in out and b"X-77" not in out
        assert "icc_profile" not in kept.info and "comment" not in kept.info
    assert (done.width, done.height) == (640, 480)


def test_comments_and_text_chunks_are_gone_too(app):
    """Pillow writes an opened JPEG's comment back unless told otherwise; a PNG's text chunk
    named ``comment`` would follow it."""
    jpeg = encoded(Image.new("RGB", (64, 48), "red"), comment=b"taken by Inspector Lin")
    assert opened(jpeg).info["comment"] == b"taken by Inspector Lin"
    text = PngImagePlugin.PngInfo()
    text.add_text("comment", "taken by Inspector Lin")
    text.add_text("Author", "Inspector Lin")
    png = encoded(Image.new("RGB", (64, 48), "red"), "PNG", pnginfo=text)
    for raw in (jpeg, png):
        done = photos.process(raw, 8 * MB)
        for out in (done.image, done.thumb):
            assert b"Inspector Lin" not in out and "comment" not in opened(out).info


def test_the_orientation_is_applied_before_the_exif_goes(app):
    picture = Image.new("RGB", (400, 200), (255, 0, 0))
    picture.paste((0, 0, 255), (200, 0, 400, 200))        # left half red, right half blue
    exif = Image.Exif()
    exif[ORIENTATION] = 6                                   # shown turned 90° clockwise
    done = photos.process(encoded(picture, exif=exif), 8 * MB)
    upright = opened(done.image)
    assert (done.width, done.height) == upright.size == (200, 400)
    red, blue = upright.getpixel((100, 50)), upright.getpixel((100, 350))
    assert red[0] > 200 and red[2] < 60 and blue[2] > 200 and blue[0] < 60
    assert opened(done.thumb).size == (160, 320)
    assert ORIENTATION not in upright.getexif()


def test_a_corrupt_exif_block_is_no_reason_to_refuse_and_warns_nobody(app):
    entries = (struct.pack("<HHII", MAKE, 2, 1000, 0xFFFF)         # data past the end
               + struct.pack("<HHII", ORIENTATION, 3, 1, 6))
    tiff = b"II*\x00" + struct.pack("<IH", 8, 2) + entries + b"\0\0\0\0"
    raw = encoded(Image.new("RGB", (40, 20)), exif=b"Exif\x00\x00" + tiff)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        done = photos.process(raw, MB)
    assert caught == [] and (done.width, done.height) == (20, 40)


def test_a_big_photo_is_shrunk_and_gets_a_thumbnail(app):
    picture = Image.new("RGB", (5000, 3000), (30, 120, 60))
    picture.paste((240, 240, 0), (1000, 1000, 4000, 2000))
    done = photos.process(encoded(picture, quality=90), 8 * MB)
    image, thumb = opened(done.image), opened(done.thumb)
    assert image.format == thumb.format == "JPEG"
    assert (done.width, done.height) == image.size and image.width == 2048
    assert abs(image.height - 1229) <= 1
    assert thumb.width == 320 and abs(thumb.height - 192) <= 1
    assert image.info.get("progressive") and thumb.info.get("progressive")
    assert len(done.thumb) < len(done.image)


def test_a_small_photo_is_not_enlarged(app):
    done = photos.process(encoded(Image.new("RGB", (300, 100), "white")), 8 * MB)
    assert (done.width, done.height) == (300, 100) and opened(done.thumb).size == (300, 100)


def test_transparency_is_flattened_on_white(app):
    picture = Image.new("RGBA", (100, 100), (0, 0, 0, 0))
    picture.paste((0, 0, 255, 255), (50, 0, 100, 100))
    done = photos.process(encoded(picture, "PNG"), 8 * MB)
    flat = opened(done.image)
    assert flat.format == "JPEG" and flat.mode == "RGB"
    assert min(flat.getpixel((10, 50))) > 240                # transparent: white, not black
    blue = flat.getpixel((90, 50))
    assert blue[2] > 200 and blue[0] < 60


def test_webp_and_a_phones_multi_picture_jpeg_are_photos(app):
    webp = encoded(Image.new("RGB", (120, 80), "green"), "WEBP")
    mpo = encoded(Image.new("RGB", (120, 80), "red"), "MPO", save_all=True,
                  append_images=[Image.new("RGB", (120, 80), "blue")])
    assert opened(mpo).format == "MPO"
    assert photos.process(webp, 8 * MB).width == 120
    first = opened(photos.process(mpo, 8 * MB).image)
    assert first.format == "JPEG" and first.getpixel((60, 40))[0] > 200     # the first picture


def test_what_is_not_a_photo_is_refused(app):
    picture = Image.effect_noise((300, 200), 80).convert("RGB")
    jpeg, png = encoded(picture), encoded(picture, "PNG")
    assert "沒有收到" in refused(b"")
    for raw in (b"just text, not a picture", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n",
                b"\xff\xd8\xff", encoded(picture, "GIF"), encoded(picture, "BMP"),
                encoded(picture, "TIFF")):
        assert refused(raw) == "這不是照片檔（請上傳 JPEG、PNG 或 WebP）。"
    for raw in (jpeg[: len(jpeg) // 2], png[: len(png) // 2], png[: len(png) - 200]):
        assert refused(raw) == "照片檔不完整或已損壞，請重新上傳。"
    broken = bytearray(png)
    broken[len(png) // 2] ^= 0xFF                          # one byte changed: the CRC says so
    assert "照片" in refused(bytes(broken))


def test_a_file_over_the_limit_is_refused_before_it_is_read(app):
    raw = encoded(Image.new("RGB", (64, 64), "red"))
    assert photos.process(raw, len(raw)).width == 64
    assert refused(raw, len(raw) - 1) == "照片太大：每張最多 1 MB。"
    assert "最多 8 MB" in refused(b"x" * (8 * MB + 1))


@pytest.mark.parametrize(("width", "height"), [
    (8000, 6000),       # more than MAX_PIXELS, less than Pillow's own limit
    (10000, 10000),     # Pillow warns (DecompressionBombWarning)
    (20000, 20000),     # Pillow refuses (DecompressionBombError)
])
def test_a_decompression_bomb_is_refused_from_its_header(app, width, height):
    # the same message whatever the size: refused before decoding (the pixels would not decode)
    assert refused(png_header(width, height)) == "照片的像素太多，無法處理。"


def test_pillows_own_bomb_check_still_holds_above_ours(app, monkeypatch):
    """Were ``MAX_PIXELS`` raised past Pillow's limit, its warning is still a refusal."""
    monkeypatch.setattr(photos, "MAX_PIXELS", 10**12)
    for width, height in ((10000, 10000), (20000, 20000)):
        assert refused(png_header(width, height)) == "照片的像素太多，無法處理。"


def test_a_real_small_bomb_and_the_pixel_limit(app, monkeypatch):
    bomb = encoded(Image.new("1", (10000, 10000)), "PNG")    # 10⁸ pixels in a few kilobytes
    assert len(bomb) < 100_000
    assert refused(bomb) == "照片的像素太多，無法處理。"
    small = encoded(Image.new("RGB", (100, 100), "red"))
    monkeypatch.setattr(photos, "MAX_PIXELS", 9_999)
    assert refused(small) == "照片的像素太多，無法處理。"
    monkeypatch.setattr(photos, "MAX_PIXELS", 10_000)
    assert photos.process(small, MB).width == 100


def test_the_digest_is_the_hash_of_what_is_kept(app):
    raw = geotagged_jpeg()
    one, again = photos.process(raw, 8 * MB), photos.process(raw, 8 * MB)
    assert one == again and one.digest == hashlib.sha256(one.image).hexdigest()
    assert photos.process(geotagged_jpeg((320, 240)), 8 * MB).digest != one.digest


def test_save_find_and_delete(app, tmp_path):
    done = photos.process(geotagged_jpeg(), 8 * MB)
    photos.save(done)
    place = tmp_path / "photos"
    assert stat.S_IMODE(place.stat().st_mode) == 0o700
    image, thumb = place / f"{done.digest}.jpg", place / f"{done.digest}.thumb.jpg"
    for path in (image, thumb):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert photos.read(done.digest) == image.read_bytes()
    assert hashlib.sha256(photos.read(done.digest)).hexdigest() == done.digest
    assert photos.read(done.digest, thumb=True) == done.thumb
    inode = image.stat().st_ino
    photos.save(done)                                      # the same picture again: kept once
    assert image.stat().st_ino == inode
    assert sorted(p.name for p in place.iterdir()) == sorted([image.name, thumb.name])

    outside = tmp_path / "x.jpg"
    outside.write_bytes(b"not ours")
    for name in ("../etc/passwd", "../x", "A" * 64, "g" * 64, done.digest[:63],
                 done.digest + "0", done.digest + "\n", done.digest.upper(), "", None):
        assert photos.read(name) is None and photos.read(name, thumb=True) is None
        photos.delete(name)
    assert outside.exists() and image.exists()
    assert photos.read("0" * 64) is None                   # well formed, not kept

    photos.delete(done.digest)
    assert not image.exists() and not thumb.exists()
    assert photos.read(done.digest) is None and photos.read(done.digest, thumb=True) is None
    photos.delete(done.digest)                             # already gone: nothing to do


def test_without_photo_dir_photos_go_to_the_instance_folder(app, tmp_path):
    app.config["PHOTO_DIR"] = None
    app.instance_path = str(tmp_path / "instance")
    photos.save(photos.process(geotagged_jpeg(), 8 * MB))
    folder = tmp_path / "instance" / "photos"
    assert len(list(folder.glob("*.jpg"))) == 2
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
