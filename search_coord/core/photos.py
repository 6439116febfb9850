"""Uploaded photos, checked by their content and made fit to serve: bytes in, bytes out (no I/O).

What is accepted: a JPEG, PNG, GIF, WebP or HEIC/HEIF image (iPhones' default) of at most ``MAX_PHOTO_BYTES`` bytes
and ``MAX_PIXELS`` pixels. Anything else is a 400 naming ``photo``; too many bytes or pixels is a 413.

What is served (``prepare_photo``):

* a JPEG, PNG, GIF or WebP whose longest side is at most ``SERVE_MAX_SIDE`` px, of at most ``SERVE_MAX_BYTES`` bytes,
  upright (no EXIF orientation to apply) and carrying no metadata is served exactly as it came; one that carries
  metadata (``carries_metadata``: EXIF, XMP, JPEG comments, IPTC and any other JPEG APP segment, PNG text chunks,
  GIF comments) is saved again without it, keeping only what rendering needs (the ICC colour profile) (a JPEG with
  its own quantisation tables, ``quality="keep"``; a PNG losslessly; a WebP or GIF as a JPEG like below), so no
  position (EXIF GPS), caption or note is ever stored to be served;
* anything else -- every HEIC, a kind Pillow reads from these files that is not served as such (a JPEG with a
  multi-picture MPF segment, Pillow's "MPO": iPhone HDR and Samsung photos; its first picture), a bigger photo, one
  whose EXIF says it is rotated -- is re-encoded as a JPEG
  (quality ``JPEG_QUALITY``), shrunk to ``SERVE_MAX_SIDE`` px on its longest side, orientation applied. A re-encoded
  photo carries no metadata: its EXIF (GPS position, camera, time) is not copied. ``strip_metadata`` does the same
  for bytes stored before this rule (served to anyone but their uploader);
* a file that says it is HEIC/HEIF but that the decoder cannot read is still accepted -- a photo from the field is
  evidence and the server's decoder may be older than the phone -- with its original bytes kept for download and a
  JPEG placeholder saying so served in its place.

The sha256 is always that of the bytes uploaded (what the phone has), so a re-sent original is recognised.

Importing this module registers pillow-heif's HEIF opener with Pillow and sets Pillow's pixel limit
(``Image.MAX_IMAGE_PIXELS``) to ``MAX_PIXELS``: process-wide settings of the image library, no state of ours.
"""
from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

import pillow_heif
from PIL import Image, ImageDraw, ImageOps

from .errors import ValidationError

#: Largest accepted upload, in bytes (a 48 MP phone JPEG is 8-15 MB, a 200 MP one about 20 MB).
MAX_PHOTO_BYTES = 24 * 1024 * 1024
#: Largest accepted image, in pixels: 200 MP, the largest phone camera sensors (16320 x 12240). More is not a phone
#: photo, and decoding it whole would take gigabytes: it is refused before decoding (decompression bombs).
MAX_PIXELS = 200_000_000
#: Longest side of a served photo, in px: sharper than any screen the map or the clue list shows it on.
SERVE_MAX_SIDE = 2560
#: A photo in a browser's format larger than this (bytes) is re-encoded: pages must not download 10 MB per clue.
SERVE_MAX_BYTES = 2 * 1024 * 1024
JPEG_QUALITY = 85

_ORIENTATION = 0x0112
#: Formats served as they came (when small, upright and without metadata), by Pillow's name.
_SERVED = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
#: The openers tried on an upload; Pillow's JPEG opener also gives "MPO" (a JPEG with an MPF segment), always
#: re-encoded (``_SERVED`` does not list it).
_FORMATS = {**_SERVED, "HEIF": "image/heic"}
#: What an image's ``info`` may keep when saved again: what rendering needs, no metadata.
_RENDER_INFO = ("icc_profile", "transparency", "duration", "loop", "background", "disposal", "gamma", "dpi",
                "srgb", "chromaticity", "aspect", "lossless")
#: JPEG APP segments that are part of rendering (JFIF header, ICC colour profile, Adobe colour transform); any other
#: (EXIF, XMP, IPTC/Photoshop APP13, MPF, a maker's) or a COM comment is metadata.
_RENDER_SEGMENTS = (("APP0", b"JFIF\0"), ("APP0", b"JFXX\0"), ("APP2", b"ICC_PROFILE\0"), ("APP14", b"Adobe"))
_METADATA_INFO = ("exif", "xmp", "XML:com.adobe.xmp", "comment", "photoshop", "iptc", "mp", "mpinfo")
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1")

pillow_heif.register_heif_opener()
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


class PhotoTooLarge(ValidationError):
    """The photo has too many bytes or pixels (answered 413, with the usual ``errors``)."""

    code = "too_large"
    status = 413


@dataclass(frozen=True)
class PreparedPhoto:
    """A photo ready to store: ``data``/``mime`` are what is served; ``original`` is kept only when it could not be
    converted. ``width``/``height`` are those served, in px; ``sha256`` is the hex digest of the upload."""

    data: bytes
    mime: str
    width: int
    height: int
    original_mime: str
    sha256: str
    converted: bool
    original: bytes | None = None
    note: str | None = None


def sniff_image(data: bytes) -> str:
    """The MIME type of a JPEG, PNG, GIF, WebP or HEIC/HEIF image from its first bytes.

    Raises ``ValidationError`` (``photo``) when empty or not one of these, ``PhotoTooLarge`` over ``MAX_PHOTO_BYTES``.
    """
    if not data:
        raise ValidationError({"photo": "is empty"})
    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoTooLarge({"photo": f"is larger than {MAX_PHOTO_BYTES // (1024 * 1024)} MB"})
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "image/heic"
    raise ValidationError({"photo": "is not a JPEG, PNG, GIF, WebP or HEIC image"})


def _open(data: bytes) -> Image.Image:
    """The image opened (header read, pixels not yet decoded) with Pillow's bomb check made an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img = Image.open(io.BytesIO(data), formats=list(_FORMATS))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels() from None
    w, h = img.size
    if w * h > MAX_PIXELS:
        raise _too_many_pixels(w, h)
    return img


def _too_many_pixels(w: int | None = None, h: int | None = None) -> PhotoTooLarge:
    size = f" ({w} x {h})" if w else ""
    return PhotoTooLarge({"photo": f"has too many pixels{size}: at most {MAX_PIXELS // 1_000_000} megapixels"})


def prepare_photo(data: bytes) -> PreparedPhoto:
    """Check an upload and make what is served from it (see the module's docstring for the rules and limits).

    Raises ``ValidationError`` (400, ``photo``) for an empty file, one that is not an image of an accepted kind or
    cannot be decoded; ``PhotoTooLarge`` (413) over ``MAX_PHOTO_BYTES`` bytes or ``MAX_PIXELS`` pixels.
    """
    mime = sniff_image(data)
    digest = hashlib.sha256(data).hexdigest()
    try:
        img = _open(data)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            orientation = img.getexif().get(_ORIENTATION, 1)
            fmt = img.format
            if (fmt in _SERVED and max(img.size) <= SERVE_MAX_SIDE and len(data) <= SERVE_MAX_BYTES
                    and orientation in (1, None)):
                img.load()   # decoded whole: a broken file is refused here, not in the viewer's browser
                if not carries_metadata(img):
                    return PreparedPhoto(data, mime, img.width, img.height, mime, digest, False)
                if fmt in ("JPEG", "PNG"):
                    return PreparedPhoto(_saved_without_metadata(img, fmt), mime, img.width, img.height,
                                         mime, digest, True, note=METADATA_NOTE)
            served = _shrunk_upright(img, orientation)
            _drop_metadata(served)
            out = io.BytesIO()
            served.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    except ValidationError:
        raise
    except Exception as exc:  # Pillow and its plugins raise OSError, SyntaxError, ValueError... on a broken file
        if mime == "image/heic":
            return _undecodable_heif(data, digest)
        raise ValidationError({"photo": f"could not be read as an image ({type(exc).__name__})"}) from None
    return PreparedPhoto(out.getvalue(), "image/jpeg", served.width, served.height, mime, digest, True)


#: What the answer of an upload says when only the photo's metadata was removed.
METADATA_NOTE = "location, camera and text metadata (EXIF, XMP, IPTC, comments) removed"


def carries_metadata(img: Image.Image) -> bool:
    """True when an opened image holds metadata: EXIF or XMP (where a phone puts its GPS position), a JPEG COM
    comment, IPTC (APP13) or any JPEG APP segment rendering does not need (``_RENDER_SEGMENTS``), PNG tEXt, iTXt or
    zTXt chunks (read to the end of the file: they may follow the pixels), a GIF comment."""
    if img.getexif() or any(k in img.info for k in _METADATA_INFO):
        return True
    for marker, body in getattr(img, "applist", ()):
        if not any(marker == m and body.startswith(prefix) for m, prefix in _RENDER_SEGMENTS):
            return True
    return img.format == "PNG" and bool(img.text)


def _drop_metadata(img: Image.Image) -> None:
    """Forget an image's metadata (Pillow writes some of ``info`` back when saving: a JPEG's or GIF's comment)."""
    for key in list(img.info):
        if key not in _RENDER_INFO:
            del img.info[key]


def _saved_without_metadata(img: Image.Image, fmt: str) -> bytes:
    """The image saved again in its own format with no metadata, its colour profile kept: JPEG with its own
    quantisation tables and chroma subsampling (``quality="keep"``, the least loss Pillow offers); PNG and GIF
    losslessly; WebP lossless when it was, else at quality 90. Another kind (an "MPO" JPEG stored before uploads
    were converted) becomes a JPEG of its first picture."""
    out = io.BytesIO()
    icc = img.info.get("icc_profile")
    extra = {"icc_profile": icc} if icc else {}
    _drop_metadata(img)
    if fmt == "JPEG":
        img.save(out, "JPEG", quality="keep", **extra)
    elif fmt == "WEBP":
        img.save(out, "WEBP", lossless=bool(img.info.get("lossless")), quality=90, **extra)
    elif fmt in _SERVED:
        img.save(out, fmt, **extra)
    else:
        img.convert("RGB").save(out, "JPEG", quality=JPEG_QUALITY, **extra)
    return out.getvalue()


def strip_metadata(data: bytes) -> bytes:
    """Stored image bytes (JPEG, PNG, GIF, WebP) with any EXIF/XMP metadata removed, in the same format; the bytes
    themselves when they carry none (read from the header: no decoding then). For photos stored before uploads were
    cleaned, served to anyone but their uploader. Raises ``ValidationError`` when the bytes are not such an image."""
    try:
        with Image.open(io.BytesIO(data), formats=list(_FORMATS)) as img:
            if not carries_metadata(img):
                return data
            img.load()
            return _saved_without_metadata(img, img.format)
    except (OSError, SyntaxError, ValueError) as exc:
        raise ValidationError({"photo": f"stored photo could not be read ({type(exc).__name__})"}) from None


def _shrunk_upright(img: Image.Image, orientation: int | None) -> Image.Image:
    """The image as RGB, at most ``SERVE_MAX_SIDE`` on its longest side, turned as its EXIF orientation says."""
    img.thumbnail((SERVE_MAX_SIDE, SERVE_MAX_SIDE), Image.Resampling.LANCZOS)  # a JPEG is decoded at a reduced size
    if img.mode not in ("RGB", "L"):
        rgba = img.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        img = flat
    method = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
              5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
              8: Image.Transpose.ROTATE_90}.get(orientation or 1)
    return img.transpose(method) if method is not None else img


def _undecodable_heif(data: bytes, digest: str) -> PreparedPhoto:
    note = "HEIC photo the server cannot convert: original kept for download"
    img = Image.new("RGB", (640, 480), (225, 228, 232))
    draw = ImageDraw.Draw(img)
    draw.rectangle((8, 8, 631, 471), outline=(120, 128, 140), width=4)
    draw.text((320, 220), "HEIC photo: no preview", fill=(40, 44, 52), anchor="mm", font_size=32)
    draw.text((320, 270), "original kept for download", fill=(40, 44, 52), anchor="mm", font_size=24)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=JPEG_QUALITY)
    return PreparedPhoto(out.getvalue(), "image/jpeg", 640, 480, "image/heic", digest, True, original=data, note=note)


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height in px of stored image bytes, read from the header; None when unreadable."""
    try:
        with Image.open(io.BytesIO(data), formats=list(_FORMATS)) as img:
            return img.size
    except Exception:
        return None
