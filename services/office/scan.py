"""The QR code on a delegate's invitation, read from a photo the check-in desk takes (zxing-cpp).

The photo is sent as a plain form's file, so scanning works on any phone without a script; the
page's script only makes the photo smaller before it leaves on a slow connection."""

from __future__ import annotations

import io
from dataclasses import dataclass

import zxingcpp
from PIL import Image, UnidentifiedImageError

MAX_PHOTO_BYTES = 12 * 1024 * 1024  # a phone's full-size photo, with room to spare
LONGEST_SIDE = 2000  # pixels: a QR code that fills a tenth of the photo is still read


@dataclass(frozen=True)
class Scan:
    code: str | None = None
    problem: str | None = None  # in words, for the field: why no code was read


def read_code(photo: bytes, *, unreadable: str, several: str, not_image: str) -> Scan:
    """The one QR code in `photo`; a problem (in the caller's words) when there is none, or more
    than one different, or the file is not a picture."""
    try:
        opened = Image.open(io.BytesIO(photo))
        opened.draft("L", (LONGEST_SIDE, LONGEST_SIDE))  # a JPEG decoded smaller: faster
        image = opened.convert("L")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        return Scan(problem=not_image)
    image.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
    found = zxingcpp.read_barcodes(image)
    qr_code = zxingcpp.BarcodeFormat.QRCode
    texts = sorted(
        {b.text.strip().upper() for b in found if b.format == qr_code and b.text.strip()}
    )
    if not texts:
        return Scan(problem=unreadable)
    if len(texts) > 1:
        return Scan(problem=several.format(codes=", ".join(texts)))
    return Scan(code=texts[0])
