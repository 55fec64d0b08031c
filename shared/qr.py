"""A delegate's code as a QR code (segno): a PNG attached to a message, an SVG in a printed page.

Medium error correction: a creased or smudged paper invitation still reads."""

from __future__ import annotations

import io

import segno


def _code(text: str) -> segno.QRCode:
    return segno.make(text, error="m", micro=False)


def png(text: str) -> bytes:
    """Large enough to be read from a phone's screen or a print (8 pixels a module)."""
    out = io.BytesIO()
    _code(text).save(out, kind="png", scale=8, border=4)
    return out.getvalue()


def svg(text: str, title: str) -> str:
    """Inline SVG for an HTML page: no style attribute (a strict CSP), sized by the page's CSS."""
    return str(
        _code(text).svg_inline(scale=4, title=title, svgclass="qr", lineclass=None, omitsize=True)
    )
