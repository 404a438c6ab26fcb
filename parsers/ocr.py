"""OCR for pages without a text layer: pypdfium2 renders, Tesseract reads.

Words come back with their boxes in PDF points, so OCR pages go through the same line
and table logic as text pages. Without the ``tesseract`` binary, :func:`available` is
False and scans end in :class:`~parsers.errors.NoText`
(``apt-get install tesseract-ocr``).

Speed (a scanned page in well under 4 s on one core):

* **One Tesseract call per page**, returning words with boxes and confidences (TSV);
  the page image goes through a pipe as an uncompressed greyscale PGM (no PNG encoding,
  no temporary files).
* **Resolution follows the scan, up to 200 dpi.** A page that is one raster image is
  rendered at that image's own resolution, at most :data:`MAX_DPI`. Measured on the
  generated scans (9-10 pt text, JPEG, tilted): a 200 dpi scan read at 200 dpi gives
  result recall 0.88, at 300 dpi 0.67; a 300 dpi scan read at 300 dpi 0.75, at 200 dpi
  0.88; a 150 dpi scan read at 150 dpi 0.59, enlarged to 200 dpi 0.49. The real 200 dpi
  scan (5-7 pt text) also reads more of its header at 200 than at 300 dpi. Fewer pixels
  are also faster (a 200 dpi letter page is 3.7 Mpixel, 300 dpi 8.4).
* **Single-threaded Tesseract** (``OMP_THREAD_LIMIT=1`` unless the environment says
  otherwise): on a busy or small machine OpenMP's threads contend and make a page
  several times slower; the registry parses several files side by side instead.
* ``--psm 11`` (sparse text: COA pages are label/value grids and tables, not prose) and
  no inverted-text pass (``tessedit_do_invert=0``).
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import sys
from functools import lru_cache

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image, ImageChops, ImageFilter

from parsers.errors import TimeLimitExceeded
from parsers.layout_text import Word, group_rows
from parsers.values import normalise_unit

#: Resolution when the page's own image resolution is unknown (dots per inch).
DPI = 200
#: Lowest and highest render resolutions: finer scans are read at :data:`MAX_DPI`.
MIN_DPI = 150
MAX_DPI = 200
#: Mean word confidence (0-100) below which a page needs review.
LOW_CONFIDENCE = 70.0
#: Tesseract page segmentation mode and extra settings.
TESSERACT_ARGS = ("--psm", "11", "-c", "tessedit_do_invert=0")
#: Longest one Tesseract call may take (seconds); beyond it the parse ends in ``TimeLimitExceeded``.
TIMEOUT = 120.0


@lru_cache(maxsize=1)
def available() -> bool:
    """True when the tesseract binary is installed."""
    return shutil.which("tesseract") is not None


def page_words(page: pdfium.PdfPage) -> tuple[list[Word], float | None]:
    """Words of a rendered page with their boxes (points) and the mean confidence."""
    dpi = render_dpi(page)
    image = clean_image(page.render(scale=dpi / 72.0, grayscale=True).to_pil().convert("L"), dpi)
    scale = dpi / 72.0
    words: list[Word] = []
    confidences: list[float] = []
    for text, conf, (x, y, w, h) in read_tsv(tesseract_tsv(image)):
        confidences.append(conf)
        if _LOST_EXPONENT.fullmatch(text):
            text = _read_exponent(image, text, (x, y, w, h))
        x0, top, width, height = x / scale, y / scale, w / scale, h / scale
        words.append(Word(text, x0, top, x0 + width, top + height, max(height, 1.0)))
    mean = sum(confidences) / len(confidences) if confidences else None
    return repair_words(deskew(words)), mean


#: ``10`` whose raised exponent came back as a degree sign, quote or nothing legible (``10°``, ``x10'``).
_LOST_EXPONENT = re.compile(r"(?P<pre>[\d.,]*[x×X][.:\-]?)?10[°º'’\"*]")
#: Tesseract settings for reading a raised exponent on its own (one character, digits only).
_DIGITS_ARGS = ("--psm", "10", "-c", "tessedit_char_whitelist=0123456789")


def _read_exponent(image: Image.Image, text: str, box: tuple[int, int, int, int]) -> str:
    """``10°`` with its raised exponent read again on its own: the columns at the word's
    right end that hold ink only in the upper part of the line are the exponent; they are
    enlarged and read as one digit (or two). Unchanged when no such digit is found surely."""
    head = _LOST_EXPONENT.fullmatch(text)
    span = _raised_span(image, box)
    if head is None or span is None:
        return text
    x, y, _w, h = box
    crop = image.crop((span[0] - 2, max(0, y - 4), span[1] + 3, y + int(0.65 * h)))
    crop = crop.resize((crop.width * 4, crop.height * 4), Image.Resampling.LANCZOS)
    read = read_tsv(tesseract_tsv(crop, _DIGITS_ARGS))
    if (
        len(read) != 1
        or not re.fullmatch(r"[1-9]\d?", read[0][0])
        or read[0][1] < EXPONENT_CONFIDENCE
    ):
        return text
    pre = re.sub(r"[.,:;\-]+(?=[x×X])|(?<=[x×X])[.:\-]+", "", head["pre"] or "")
    return f"{pre}10^{read[0][0]}"


#: Least Tesseract confidence for a re-read exponent (a wrong one changes a count tenfold).
EXPONENT_CONFIDENCE = 60.0


def _darkest(image: Image.Image) -> float:
    """The darkest value of a one-band (``L``) image."""
    low = image.getextrema()[0]
    return float(low[0] if isinstance(low, tuple) else low)


def _raised_span(image: Image.Image, box: tuple[int, int, int, int]) -> tuple[int, int] | None:
    """(left, right) pixel columns of a raised mark ending the word in ``box``, else None."""
    x, y, w, h = box
    right = None
    lower_run = 0
    for col in range(min(image.width - 1, x + w + 2), x, -1):
        upper = _darkest(image.crop((col, y, col + 1, y + int(0.5 * h)))) < 128
        lower = _darkest(image.crop((col, y + int(0.6 * h), col + 1, y + h))) < 128
        lower_run = lower_run + 1 if lower else 0
        if lower_run >= 2:  # the digit before the exponent (a lone speck is one column)
            return (col + 2, right) if right is not None and right - col >= 3 else None
        if upper and right is None:
            right = col
    return None


#: Shortest run (inches) of dark pixels that is a rule of a table, not a glyph stroke.
RULE_LENGTH = 0.25
#: Share of dark in such a run (a rule is solid; a bold stroke across a word is not that long).
RULE_DARK = 0.85
#: Thinnest rule (pixels) that is removed.
RULE_THICKNESS = 2
#: Window (inches) over which the paper's own shade is measured (wider than any stroke).
BACKGROUND_WINDOW = 0.1


def clean_image(image: Image.Image, dpi: float) -> Image.Image:
    """A page image with shaded bands flattened and table rules removed, for Tesseract.

    Tesseract reads a grey band as ink and a cell rule as ``|``, ``[`` or ``_`` glued to the
    value beside it (``[0,25``, ``“|``), or loses whole rows. Both are undone with plain
    Pillow operations (no per-pixel Python), rules first (measured on the generated ruled,
    banded scans: bands first, recall 0.84; rules only, 0.89; rules then bands, 0.90, and
    the plain scans keep 1.00):

    * **Rules:** a horizontal (or vertical) run of :data:`RULE_LENGTH` inches (longer than
      a heading's letter stem) that is at least :data:`RULE_DARK` dark and
      :data:`RULE_THICKNESS` pixels thick is a rule, not a letter: box-averaging the image
      along the run finds them (at two offsets, so a rule's ends go too) and they are
      painted white. Glyphs a rule crosses lose only the rule's own rows; hairlines stay.
    * **Bands:** the paper's shade is the lightest value in a window wider than a stroke
      (:data:`BACKGROUND_WINDOW`), taken on a reduced image; each pixel keeps only its
      darkness against that shade, so text on a grey band reads like text on white.
    """
    run = max(8, round(RULE_LENGTH * dpi))
    mask = _rules(image, run, horizontal=True)
    mask = ImageChops.lighter(mask, _rules(image, run, horizontal=False))
    if mask.getbbox() is not None:  # most scans have no thick rules: no dilation to pay for
        image = ImageChops.lighter(image, mask.filter(ImageFilter.MaxFilter(5)))
    return _flatten_background(image, dpi)


def _flatten_background(image: Image.Image, dpi: float) -> Image.Image:
    """Each pixel's darkness against the paper around it: a grey band becomes white paper."""
    factor = 4
    small = image.reduce(factor)
    size = max(3, round(BACKGROUND_WINDOW * dpi / factor) | 1)
    paper = small.filter(ImageFilter.MaxFilter(size)).resize(image.size, Image.Resampling.BILINEAR)
    return ImageChops.invert(ImageChops.subtract(paper, image))


def _rules(image: Image.Image, run: int, *, horizontal: bool) -> Image.Image:
    """White where ``image`` has a solid dark run of ``run`` pixels along one axis, else black."""
    width, height = image.size
    dark = round(255 * (1 - RULE_DARK))
    mask = Image.new("L", image.size, 0)
    for offset in (0, run // 2):
        if horizontal:
            part = image.crop((offset, 0, width, height))
            reduced = part.resize(
                (max(1, part.width // run), height),
                Image.Resampling.BOX,
                box=(0, 0, part.width // run * run, height),
            )
            found = reduced.point(lambda v: 255 if v <= dark else 0)
            grown = found.resize((part.width // run * run, height), Image.Resampling.NEAREST)
        else:
            part = image.crop((0, offset, width, height))
            reduced = part.resize(
                (width, max(1, part.height // run)),
                Image.Resampling.BOX,
                box=(0, 0, width, part.height // run * run),
            )
            found = reduced.point(lambda v: 255 if v <= dark else 0)
            grown = found.resize((width, part.height // run * run), Image.Resampling.NEAREST)
        layer = Image.new("L", image.size, 0)
        layer.paste(grown, (offset, 0) if horizontal else (0, offset))
        mask = ImageChops.lighter(mask, layer)
    # Only rules at least RULE_THICKNESS pixels thick: a hairline is read well as it is, and
    # a tilted one would be found in pieces whose stubs read as ``|`` or ``1``.
    thick = mask
    for shift in range(1, RULE_THICKNESS):
        thick = ImageChops.darker(
            thick,
            ImageChops.offset(mask, 0, shift) if horizontal else ImageChops.offset(mask, shift, 0),
        )
    return thick


#: A time of day (``08:48``, ``14:05``; ``8:48`` only before AM/PM): a colon that is not a misread decimal point.
_TIME = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d")
#: A number whose decimal point Tesseract read as a colon (``1:98``, ``0:0005``, ``4:8E+03``).
_COLON_NUMBER = re.compile(r"(?P<lt>[<>]?)(?P<a>\d{1,4}):(?P<b>\d+(?:[eE][+-]?\d{1,2})?)")
#: Stray punctuation after a number (``160.``, ``0.1.``, ``10_``).
_TRAILING = re.compile(r"(?P<n>[<>]?(?:\d[\d,.]*\d|\d|\d(?:\.\d+)?E[+-]\d{1,2}))[.,:;_'’]+")
#: E-notation with its ``E`` read as ``£``/``€`` or its ``+`` read as ``4`` (``2.6£+04``, ``3.8E405``).
_E_NOTATION = re.compile(
    r"(?P<lt>[<>]?)(?P<m>\d+(?:\.\d+)?)(?:[£€]|E4(?=\d{2}$))(?P<s>[+-]?)(?P<e>\d{1,2})"
)
#: A raised power of ten read flat: ``10%5``, ``10*4``, ``10°3`` (the caret or superscript misread).
_FLAT_POWER = re.compile(r"(?P<pre>.*?(?:^|[x×X]))[.:;,]?10[%*^°'’\"](?P<e>\d{1,2})")
#: ``1075`` after ``x``: a caret misread as ``7`` before a one-digit exponent (no count reaches 10^75).
_SEVEN_POWER = re.compile(r"(?P<pre>.*?(?:^|[x×X]))[.:;,]?107(?P<e>\d)")
#: A company form whose full stop was read as a colon (``Borneo Roots Co:``, ``Kratom Harbor Inc:``).
_COMPANY_COLON = re.compile(r"(?P<form>Co|Inc|Ltd|Corp|LLC|GmbH|AG|KG)[:;]")
#: A mantissa with a stray mark before its times sign (``2.1.x``).
_MANTISSA = re.compile(r"(?P<n>\d+(?:[.,]\d+)?)[.,:;](?P<x>[x×X])")
#: A bracket, bar or quote glued before a number (no closing partner).
_OPENER = re.compile(r"[\[|“\"'‘](?P<rest>[<>]?\d[\d.,]*)")
#: ``CFU/g`` with its slash read as ``i``, ``l``, ``I`` or ``1``.
_COUNT_UNIT = re.compile(r"(?P<c>CFU|cfu|Cfu|UFC|ufc|KBE|MPN)[il1I|,](?P<per>g|mL|ml)")
#: A decimal mark read as a slash after a leading zero (``0/25``): no date or fraction starts ``0/``.
_ZERO_SLASH = re.compile(r"(?P<lt>[<>]?)0/(?P<frac>\d{1,4})")
#: A decimal comma as printed (``0,25``, ``12,5``), not a thousands group (``1,200``).
_DECIMAL_COMMA = re.compile(r"[<>]?\d+,\d{1,2}|[<>]?0,\d+")
#: A unit with an underscore, full stop or a stray character glued after it (a cell rule read as text).
_UNIT_SPECK = re.compile(r"(?P<unit>[^\W\d_][^_.]*?|%)(?:_.?|\.)")
#: ``µg`` read as ``pg``, ``jig``, ``Hig``, ``yg``: a microgram unit.
_MICRO = re.compile(r"(?:[pjJHhyYwW][iIl1]?|[iIl1][jJ]?|l'|[Hh])[g9]/(?P<per>kg|g|l|L|ml|mL)")
#: A bracket or bar glued before a word (a table rule read as text): ``[Lead``, ``|Hg``.
_RULE_BEFORE_WORD = re.compile(r"[\[|“\"‘](?P<word>[A-Za-z][a-z]+|[A-Z][a-z]?)")
#: ``B1``/``G1`` of an aflatoxin with the ``1`` read as ``l``, ``I`` or ``|``.
_TOXIN_ONE = re.compile(r"(?P<letter>[BG])[lI|]")


def repair_words(words: list[Word]) -> list[Word]:
    """Common Tesseract misreadings of numbers and units put right, word by word.

    Only what cannot mean anything else is changed: a colon inside a number that is not a
    time of day, punctuation trailing a number, a flattened power of ten whose exponent
    would otherwise be absurd (``x 1075`` -> ``x 10^5``; ``x 1012`` stays), a
    microgram unit whose ``µ`` became letters, and a decimal mark read as a slash
    (``0/25`` -> ``0,25`` on a page that prints decimal commas, ``0.25`` on one that
    prints points). No digit is added or dropped.
    """
    out: list[Word] = []
    comma = sum(1 for w in words if _DECIMAL_COMMA.fullmatch(w.text)) > sum(
        1 for w in words if re.fullmatch(r"[<>]?\d+\.\d+", w.text)
    )
    for k, w in enumerate(words):
        if (m := _ZERO_SLASH.fullmatch(w.text)) is not None:  # the page's own decimal mark
            out.append(
                Word(
                    f"{m['lt']}0{',' if comma else '.'}{m['frac']}",
                    w.x0,
                    w.top,
                    w.x1,
                    w.bottom,
                    w.size,
                )
            )
            continue
        if _COLON_NUMBER.fullmatch(w.text) and _before_meridiem(words, k):
            out.append(w)  # ``8:48 AM``
            continue
        text = repair_token(w.text, w.text.startswith("10") and _after_times(words, k))
        out.append(w if text == w.text else Word(text, w.x0, w.top, w.x1, w.bottom, w.size))
    return out


def repair_token(text: str, after_times: bool = False) -> str:
    """One OCR word repaired (see :func:`repair_words`); ``after_times``: it follows an ``x``."""
    if (m := _COMPANY_COLON.fullmatch(text)) is not None:
        return m["form"] + (
            "." if m["form"] in ("Co", "Inc", "Ltd", "Corp") else ""
        )  # ``Co:`` opens no value
    if (m := re.fullmatch(r"[1l|]D(?P<colon>[:#]?)", text)) is not None:
        return "ID" + m["colon"]  # ``Lab 1D:``
    if (m := re.fullmatch(r"(?P<label>(?:[^\W\d_][^:]*|#):)[.,'’‘`]+", text)) is not None:
        return m["label"]  # ``#:.``: a speck after a label's colon
    if re.fullmatch(r"[x×X][.:;,]", text):
        return text[0]  # ``x:`` before a power of ten
    if (m := _MANTISSA.fullmatch(text)) is not None:
        return m["n"] + m["x"]  # ``2.1.x`` before ``10^5``
    if (m := _RULE_BEFORE_WORD.fullmatch(text)) is not None:
        return m["word"]
    if (m := _TOXIN_ONE.fullmatch(text)) is not None:
        return m["letter"] + "1"
    if (m := _OPENER.fullmatch(text)) is not None:
        text = m["rest"]  # ``[1.98``: a table rule or speck read as a bracket
    if (m := _COUNT_UNIT.fullmatch(text)) is not None:
        return f"{m['c']}/{m['per']}"  # ``CFUig``: the slash read as a letter
    if (m := _COLON_NUMBER.fullmatch(text)) is not None and not _TIME.fullmatch(text):
        return f"{m['lt']}{m['a']}.{m['b']}"
    if (m := _TRAILING.fullmatch(text)) is not None:
        text = m["n"]
    if (m := _E_NOTATION.fullmatch(text)) is not None and int(m["e"]) <= 12:
        return f"{m['lt']}{m['m']}E{m['s'] or '+'}{m['e']}"
    if (m := _FLAT_POWER.fullmatch(text)) is not None and (after_times or m["pre"]):
        return f"{m['pre']}10^{m['e']}"
    if (m := _SEVEN_POWER.fullmatch(text)) is not None and (after_times or m["pre"]):
        return f"{m['pre']}10^{m['e']}"
    if (m := _UNIT_SPECK.fullmatch(text)) is not None and normalise_unit(m["unit"]) is not None:
        return m["unit"]  # ``ppm_``, ``%_0``, ``%.``: a table rule or speck after a unit
    if (m := _MICRO.fullmatch(text)) is not None or text == "g/g":  # grams per gram is no unit
        return f"µg/{m['per'] if m is not None else 'g'}"
    return text


def _before_meridiem(words: list[Word], k: int) -> bool:
    """True when ``AM``/``PM`` follows ``words[k]`` on its row."""
    w = words[k]
    return any(
        o.text.strip(".").upper() in ("AM", "PM", "A.M", "P.M")
        and 0 <= o.x0 - w.x1 <= 2 * w.size
        and abs(o.mid_y - w.mid_y) < 0.6 * w.size
        for o in words
    )


def _after_times(words: list[Word], k: int) -> bool:
    """True when the word before ``words[k]`` on its row is a multiplication sign."""
    w = words[k]
    for other in words:
        if (
            (
                other.text.rstrip(".:;,") in ("x", "X", "×", "*")
                or _MANTISSA.fullmatch(other.text)
                or re.fullmatch(r"\d+(?:[.,]\d+)?[x×X]", other.text)
            )
            and 0 <= w.x0 - other.x1 <= 2.5 * w.size
            and abs(other.mid_y - w.mid_y) < 0.6 * w.size
        ):
            return True
    return False


def deskew(words: list[Word]) -> list[Word]:
    """Words of a tilted scan moved onto level rows.

    The tilt is the median slope of word centres along the long rows (three or more
    words spanning 150 pt or more); each word is moved up or down by that slope times
    its distance from the page's middle, so a row's label and its values, a few points
    apart across the page, fall on one line. Level pages (under 0.05 degrees) are kept.
    """
    slopes: list[float] = []
    for row in group_rows(words):
        xs = [(w.x0 + w.x1) / 2 for w in row]
        if len(row) < 3 or xs[-1] - xs[0] < 150:
            continue
        ys = [w.mid_y for w in row]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        den = sum((x - mx) ** 2 for x in xs)
        slopes.append(sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den)
    if len(slopes) < 3:
        return words
    slope = sorted(slopes)[len(slopes) // 2]
    if abs(slope) < 0.0009 or abs(slope) > 0.05:
        return words
    middle = sum((w.x0 + w.x1) / 2 for w in words) / len(words)
    out: list[Word] = []
    for w in words:
        shift = slope * ((w.x0 + w.x1) / 2 - middle)
        out.append(Word(w.text, w.x0, w.top - shift, w.x1, w.bottom - shift, w.size))
    return out


def render_dpi(page: pdfium.PdfPage) -> float:
    """The resolution to render ``page`` at: its scan's own, within :data:`MIN_DPI`-:data:`MAX_DPI`.

    A scan below :data:`MIN_DPI` is enlarged by a whole factor (fractional resampling of
    a JPEG scan smears the glyphs and costs recall); pages without a raster image (text
    drawn as outlines) use :data:`DPI`.
    """
    native = image_dpi(page)
    if native is None:
        return DPI
    if native < MIN_DPI:
        return float(min(MAX_DPI, round(native) * math.ceil(MIN_DPI / max(native, 1.0))))
    return float(min(round(native), MAX_DPI))


def image_dpi(page: pdfium.PdfPage) -> float | None:
    """Resolution of the largest raster image covering most of the page, else None."""
    width, height = page.get_size()
    best: tuple[float, float] | None = None  # (area share, dpi)
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        try:
            left, bottom, right, top = obj.get_bounds()
            px_w, _px_h = obj.get_px_size()
        except (pdfium.PdfiumError, AttributeError):
            continue
        w_pt, h_pt = right - left, top - bottom
        if w_pt <= 0 or h_pt <= 0 or px_w <= 0:
            continue
        share = (w_pt * h_pt) / max(width * height, 1.0)
        if share > 0.5 and (best is None or share > best[0]):
            best = (share, px_w / (w_pt / 72.0))
    return best[1] if best is not None else None


@lru_cache(maxsize=1)
def _with_parent() -> tuple[str, ...]:
    """The command prefix that makes Tesseract die with the process that started it:
    util-linux's ``setpriv --pdeathsig`` (the parent-death signal survives ``exec``), so a
    parse child killed outright never leaves its Tesseract running."""
    if sys.platform.startswith("linux") and shutil.which("setpriv"):
        return ("setpriv", "--pdeathsig", "KILL", "--")
    return ()


def tesseract_tsv(image: Image.Image, args: tuple[str, ...] = TESSERACT_ARGS) -> str:
    """Tesseract's TSV output for a greyscale image (one call, through pipes)."""
    header = f"P5 {image.width} {image.height} 255\n".encode()
    env = dict(os.environ)
    env.setdefault("OMP_THREAD_LIMIT", "1")
    try:
        proc = subprocess.run(
            [*_with_parent(), "tesseract", "stdin", "stdout", *args, "tsv"],
            input=header + image.tobytes(),
            capture_output=True,
            env=env,
            timeout=TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise TimeLimitExceeded(f"OCR of one page took longer than {TIMEOUT:g} s") from None
    if proc.returncode != 0:
        message = " ".join(proc.stderr.decode("utf-8", "replace").split())[-300:]
        raise RuntimeError(f"tesseract failed (exit {proc.returncode}): {message}")
    return proc.stdout.decode("utf-8", "replace")


def read_tsv(tsv: str) -> list[tuple[str, float, tuple[int, int, int, int]]]:
    """(text, confidence, (left, top, width, height)) of every word of Tesseract's TSV."""
    out: list[tuple[str, float, tuple[int, int, int, int]]] = []
    lines = tsv.splitlines()
    if not lines:
        return out
    names = lines[0].split("\t")
    try:
        idx = {k: names.index(k) for k in ("left", "top", "width", "height", "conf", "text")}
    except ValueError:
        return out
    for line in lines[1:]:
        cols = line.split("\t")
        if len(cols) <= idx["text"]:
            continue
        text = cols[idx["text"]].strip()
        try:
            conf = float(cols[idx["conf"]])
            box = tuple(int(cols[idx[k]]) for k in ("left", "top", "width", "height"))
        except ValueError:
            continue
        if text and conf >= 0:
            out.append((text, conf, box))  # type: ignore[arg-type]
    return out
