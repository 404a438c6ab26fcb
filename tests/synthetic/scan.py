"""Scans: a text certificate rendered to an image, noised, tilted, and put back as image-only PDF.

pypdfium2 renders each page at :data:`DPI`; PIL converts to grey, rotates by a fraction
of a degree, adds speckle from the seeded generator (never PIL's unseeded noise, so a
seed gives the same bytes) and a slight blur; reportlab embeds each page as one JPEG
with no text layer, as a copier would.
"""

from __future__ import annotations

import io
import random

import pypdfium2 as pdfium
from PIL import Image, ImageChops, ImageFilter
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

#: Scan resolution (dots per inch).
DPI = 200


def rasterize(pdf: bytes, rng: random.Random) -> bytes:
    """An image-only PDF of the pages of ``pdf``."""
    doc = pdfium.PdfDocument(pdf)
    out = io.BytesIO()
    canvas: Canvas | None = None
    try:
        for index in range(len(doc)):
            page = doc[index]
            width, height = page.get_size()
            image = page.render(scale=DPI / 72, grayscale=True).to_pil().convert("L")
            page.close()
            if canvas is None:
                canvas = Canvas(out, pagesize=(width, height), invariant=True)
            canvas.setPageSize((width, height))
            canvas.drawImage(ImageReader(_age(image, rng)), 0, 0, width, height)
            canvas.showPage()
    finally:
        doc.close()
    assert canvas is not None
    canvas.save()
    return out.getvalue()


def _age(image: Image.Image, rng: random.Random) -> Image.Image:
    """Tilt, speckle and soften a clean page render; returns a JPEG-backed image."""
    angle = rng.uniform(-0.5, 0.5)
    image = image.rotate(angle, resample=Image.Resampling.BILINEAR, expand=False, fillcolor=255)
    noise = Image.frombytes("L", image.size, rng.randbytes(image.size[0] * image.size[1]))
    speckle = noise.point(lambda v: 0 if v < 1 else 255)  # ~0.4 % dark dots
    image = ImageChops.darker(image, speckle)
    image = image.filter(ImageFilter.GaussianBlur(0.3))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=75)
    buffer.seek(0)
    return Image.open(buffer)
