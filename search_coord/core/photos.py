"""Checking uploaded photos by their content, not their name."""
from __future__ import annotations

from .errors import ValidationError

#: Largest accepted photo, in bytes.
MAX_PHOTO_BYTES = 8 * 1024 * 1024

_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def sniff_image(data: bytes) -> str:
    """The MIME type of a JPEG, PNG, GIF or WebP image from its first bytes; ``ValidationError`` otherwise."""
    if not data:
        raise ValidationError({"photo": "is empty"})
    if len(data) > MAX_PHOTO_BYTES:
        raise ValidationError({"photo": f"is larger than {MAX_PHOTO_BYTES // (1024 * 1024)} MB"})
    for magic, mime in _SIGNATURES:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    raise ValidationError({"photo": "is not a JPEG, PNG, GIF or WebP image"})
