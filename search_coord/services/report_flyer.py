"""The missing-person flyer as an image (PNG, A4 at 150 dpi) for a chat group: drawn with Pillow in a CJK font,
the QR code by ``segno``. The font is the station's (``FLYER_FONT``) or the first Noto / WenQuanYi CJK font the
system has (Debian's fonts-noto-cjk, which the README's install brings)."""
from __future__ import annotations

import io
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

from ..core.errors import Unavailable
from .report_text import say

#: (path, face index) of CJK fonts looked for, in order: Noto Sans CJK SC is face 2 of Debian's collections.
FONT_CANDIDATES = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
)
W, H = 1240, 1754           # A4 at 150 dpi
MARGIN = 70
RED = (185, 28, 28)


def find_font(configured: str | None = None) -> tuple[str, int]:
    """The CJK font to draw with: ``configured`` ("path" or "path#index") when set, else the first of
    ``FONT_CANDIDATES`` present. Unavailable (503) naming what to install when there is none."""
    if configured:
        path, _, index = configured.partition("#")
        if Path(path).is_file():
            return path, int(index or 0)
        raise Unavailable(f"FLYER_FONT {path} does not exist")
    for path, index in FONT_CANDIDATES:
        if Path(path).is_file():
            return path, index
    raise Unavailable("no CJK font for the flyer image: install fonts-noto-cjk (apt-get install fonts-noto-cjk) "
                      "or set FLYER_FONT to a .ttf/.otf/.ttc file")


def _wrap(draw, text: str, font, width: int) -> list[str]:
    """Lines of ``text`` no wider than ``width`` px: breaks at spaces in Latin text, anywhere between CJK
    characters."""
    lines = []
    for para in (text or "").splitlines() or [""]:
        line = ""
        for ch in para:
            trial = line + ch
            if draw.textlength(trial, font=font) <= width:
                line = trial
                continue
            cut = line.rfind(" ")
            if ch != " " and cut > len(line) // 2 and ch.isascii():
                lines.append(line[:cut])
                line = line[cut + 1:] + ch
            else:
                lines.append(line)
                line = ch.lstrip()
        lines.append(line)
    return lines


def flyer_png(data: dict, photo: bytes | None, font_file: tuple[str, int]) -> bytes:
    """The flyer (``report_sheets.flyer``'s dict) as PNG bytes: a red band "MISSING / 寻人启事", the photo (or a
    box saying there is none), the name, age and sex, description, clothing, medical needs, when and where last
    seen, the contact number and the QR code. Both languages on one image."""
    path, index = font_file
    f = lambda size: ImageFont.truetype(path, size, index=index)  # noqa: E731
    big, mid, small = f(64), f(34), f(28)
    img = Image.new("RGB", (W, H), "white")
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, W, 170), fill=RED)
    d.text((W // 2, 88), say("zh-CN", "flyer.title") + "  " + say("en", "flyer.title"), font=f(76), fill="white",
           anchor="mm")
    subj = data["search"]["subject"]
    box = (MARGIN, 220, MARGIN + 460, 220 + 580)
    _photo(img, d, photo, box, mid)
    x = box[2] + 50
    y = 230
    d.text((x, y), subj.get("name") or "", font=f(84), fill="black")
    y += 120
    sex = subj.get("sex") and (say("zh-CN", "sex." + subj["sex"]) + " / " + say("en", "sex." + subj["sex"]))
    facts = " · ".join(str(v) for v in (subj.get("age"), sex) if v not in (None, ""))
    d.text((x, y), facts, font=mid, fill="black")
    y += 70
    right = W - MARGIN - x
    for key in ("description", "clothing", "medical"):
        if subj.get(key):
            d.text((x, y), say("zh-CN", f"flyer.{key}") + " / " + say("en", f"flyer.{key}"), font=small, fill=RED)
            y += 40
            for line in _wrap(d, subj[key], mid, right)[:4]:
                d.text((x, y), line, font=mid, fill="black")
                y += 46
            y += 14
    y = max(y, box[3]) + 40
    d.line((MARGIN, y, W - MARGIN, y), fill=RED, width=4)
    y += 30
    head = data["search"]
    seen = ", ".join(p for p in (head.get("missing_since"), head.get("lkp_address")) if p)
    d.text((MARGIN, y), say("zh-CN", "flyer.last_seen") + " / " + say("en", "flyer.last_seen"), font=small, fill=RED)
    y += 44
    for line in _wrap(d, seen, mid, W - 2 * MARGIN)[:3]:
        d.text((MARGIN, y), line, font=mid, fill="black")
        y += 48
    _contact(img, d, data, max(y + 40, H - MARGIN - 400), big, small)   # at the foot of the page
    out = io.BytesIO()
    img.save(out, "PNG", optimize=True)
    return out.getvalue()


def _photo(img, d, photo: bytes | None, box, font) -> None:
    if photo:
        try:
            pic = ImageOps.exif_transpose(Image.open(io.BytesIO(photo))).convert("RGB")
            pic = ImageOps.contain(pic, (box[2] - box[0], box[3] - box[1]))
            img.paste(pic, (box[0] + (box[2] - box[0] - pic.width) // 2, box[1]))
            return
        except (UnidentifiedImageError, OSError):
            pass
    d.rectangle(box, outline=(120, 120, 120), width=3, fill=(235, 235, 235))
    d.text(((box[0] + box[2]) // 2, (box[1] + box[3]) // 2), say("zh-CN", "flyer.no_photo") + "\n"
           + say("en", "flyer.no_photo"), font=font, fill=(90, 90, 90), anchor="mm", align="center")


def _contact(img, d, data: dict, y: int, big, small) -> None:
    qr_size = 400
    if data.get("qr_target"):
        buf = io.BytesIO()
        segno.make(data["qr_target"], error="m").save(buf, kind="png", scale=10, border=2)
        qr = Image.open(io.BytesIO(buf.getvalue())).convert("RGB").resize((qr_size, qr_size), Image.NEAREST)
        img.paste(qr, (W - MARGIN - qr_size, y))
    d.text((MARGIN, y), say("zh-CN", "flyer.call") + " / " + say("en", "flyer.call"), font=small, fill=RED)
    d.text((MARGIN, y + 50), data.get("contact") or "110", font=big, fill="black")
    if data.get("link"):
        for i, line in enumerate(_wrap(d, data["link"], small, W - 2 * MARGIN - qr_size - 30)[:3]):
            d.text((MARGIN, y + 150 + 38 * i), line, font=small, fill=(60, 60, 60))
