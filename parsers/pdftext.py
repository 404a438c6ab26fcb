"""Read positioned words from a PDF's text layer through pdfium (fast).

Each character's box comes from ``FPDFText_GetCharBox``; characters are joined into
words on spaces and on gaps, rotated characters (chart axis labels) are dropped while
sheared ones (fake italics) are kept, letter-spaced words (``M O I S T U R E``) are
joined again, and
raised small digits after ``10`` (flattened superscripts such as ``10⁴``) are marked
with ``^`` so ``1,2.10⁴`` reads ``1,2.10^4`` rather than ``1,2.104``.
"""

from __future__ import annotations

import ctypes
import math
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from parsers.layout_text import Word

#: Gap (in font sizes) between two characters that starts a new word.
WORD_GAP = 0.2
#: A text matrix scaling the font by more than this (or less than its inverse) sets the size.
MATRIX_SCALE = 2.5

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")


@dataclass(slots=True)
class _Char:
    ch: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    bold: bool = False


class PageWords(list[Word]):
    """A page's words; ``size`` is the (width, height) of the frame they are placed in when
    that is not the page's own (a page read turned, see :func:`page_words`)."""

    size: tuple[float, float] | None = None


#: Share of a page's glyphs that must run in one direction for the page to be read that way.
TURNED_SHARE = 0.6
TURNED_MIN = 20


def page_words(page: pdfium.PdfPage) -> PageWords:
    """All words of one page's text layer that run across the page as it reads.

    Most pages read left to right in the PDF's own coordinates. A landscape table can be
    drawn turned on a portrait page (a ``/Rotate`` makes it upright on screen, or the page
    is simply printed sideways): when most glyphs (:data:`TURNED_SHARE`) run up, down or
    upside down, the page is read in that direction, its glyphs placed in the turned frame,
    and the few that run otherwise (an upright stamp) are dropped like chart labels are.
    """
    textpage = page.get_textpage()
    try:
        left, bottom, right, top = page.get_mediabox()
        chars, quarter = _chars(textpage, right - left, top - bottom, left, bottom)
    finally:
        textpage.close()
    words = PageWords(_words(chars))
    if quarter in (1, 3):
        words.size = (top - bottom, right - left)
    return words


def _chars(
    textpage: pdfium.PdfTextPage, width: float, height: float, ox0: float = 0.0, oy0: float = 0.0
) -> tuple[list[_Char], int]:
    """The page's characters in reading frame, and that frame's quarter turn (0: as printed,
    1: text running up, 2: upside down, 3: running down)."""
    raw = textpage.raw
    rect = pdfium_c.FS_RECTF()
    ref = ctypes.byref(rect)
    ox, oy = ctypes.c_double(), ctypes.c_double()
    origin = (ctypes.byref(ox), ctypes.byref(oy))
    matrix = pdfium_c.FS_MATRIX()
    mref = ctypes.byref(matrix)
    # (index, char, left, bottom, right, top, origin x, origin y or None, size, quarter); None: a generated space
    glyphs: list[
        tuple[int, str, float, float, float, float, float, float | None, float, int] | None
    ] = []
    counts = [0, 0, 0, 0]
    for i in range(pdfium_c.FPDFText_CountChars(raw)):
        code = pdfium_c.FPDFText_GetUnicode(raw, i)
        if code in (0, 0xFFFE, 0xFFFF):
            continue
        if pdfium_c.FPDFText_IsGenerated(raw, i) == 1:
            if chr(code) == " ":
                glyphs.append(None)
            continue
        if not pdfium_c.FPDFText_GetLooseCharBox(raw, i, ref):
            continue
        has_matrix = bool(pdfium_c.FPDFText_GetMatrix(raw, i, mref))
        quarter = _quarter(
            _baseline_angle(matrix) if has_matrix else pdfium_c.FPDFText_GetCharAngle(raw, i)
        )
        if quarter is None:
            continue
        size = _size(raw, i, matrix, has_matrix) or abs(rect.top - rect.bottom)
        at = pdfium_c.FPDFText_GetCharOrigin(raw, i, *origin)
        glyphs.append(
            (
                i,
                chr(code),
                rect.left - ox0,
                rect.bottom - oy0,
                rect.right - ox0,
                rect.top - oy0,
                ox.value - ox0,
                (oy.value - oy0) if at else None,
                size,
                quarter,
            )
        )
        if not chr(code).isspace():
            counts[quarter] += 1
    total = sum(counts)
    turn = max(range(4), key=counts.__getitem__)
    if turn and (counts[turn] < TURNED_MIN or counts[turn] < TURNED_SHARE * total):
        turn = 0
    out: list[_Char] = []
    fonts = _FontWeights()
    kept = False
    for glyph in glyphs:
        if glyph is None:
            if kept and out:
                out.append(
                    _Char(" ", out[-1].x1, out[-1].top, out[-1].x1, out[-1].bottom, out[-1].size)
                )
            continue
        i, ch, left, low, right, high, gx, gy, size, quarter = glyph
        kept = quarter == turn
        if not kept:
            continue
        x0, x1, base = _placed(turn, left, low, right, high, gx, gy, size, width, height)
        prev = out[-1] if out else None
        # the font is looked up where a word may start (after a space or a gap, at a new size or line)
        same_word = (
            prev is not None
            and not prev.ch.isspace()
            and prev.size == size
            and 0 <= x0 - prev.x1 < 0.3 * size
            and abs(prev.bottom - (base + 0.2 * size)) < 0.3 * size
        )
        bold = prev.bold if same_word and prev is not None else fonts.bold(raw, i)
        out.append(_Char(ch, x0, base - 0.75 * size, x1, base + 0.2 * size, size, bold))
    return out, turn


def _placed(
    turn: int,
    left: float,
    low: float,
    right: float,
    high: float,
    gx: float,
    gy: float | None,
    size: float,
    width: float,
    height: float,
) -> tuple[float, float, float]:
    """(x0, x1, baseline) of a glyph in the frame turned ``turn`` quarters (top-left origin);
    ``width``/``height`` are the page's own, the box and origin in its bottom-left coordinates."""
    if turn == 0:
        base = height - (gy if gy is not None else low + 0.2 * size)
        return left, right, base
    if turn == 1:  # running up: the page's bottom edge is the frame's left
        return low, high, gx if gy is not None else right - 0.2 * size
    if turn == 3:  # running down
        return height - high, height - low, width - (gx if gy is not None else left + 0.2 * size)
    return width - right, width - left, (gy if gy is not None else high - 0.2 * size)  # upside down


def _quarter(angle: float) -> int | None:
    """0-3 quarter turns of a baseline angle (radians), None when it runs at a slant."""
    turns = angle / (math.pi / 2)
    nearest = round(turns)
    if abs(turns - nearest) * (math.pi / 2) > 0.05:
        return None
    return nearest % 4


class _FontWeights:
    """Whether a character's font is bold, looked up once per text object (a run of text in one font).

    Bold is a weight of 600 or more, or a font name saying so (the standard fonts, such as
    ``Helvetica-Bold``, carry no weight). Labels told apart from values only by weight need it.
    """

    def __init__(self) -> None:
        self.last: int | None = None
        self.value = False
        self.by_font: dict[int, bool] = {}

    def bold(self, raw: pdfium_c.FPDF_TEXTPAGE, i: int) -> bool:
        obj = pdfium_c.FPDFText_GetTextObject(raw, i)
        key = ctypes.cast(obj, ctypes.c_void_p).value
        if key == self.last:
            return self.value
        self.last = key
        font = pdfium_c.FPDFTextObj_GetFont(obj) if key else None
        font_key = ctypes.cast(font, ctypes.c_void_p).value if font else None
        if font_key is None:
            self.value = False
        elif font_key not in self.by_font:
            self.by_font[font_key] = _is_bold(font)
            self.value = self.by_font[font_key]
        else:
            self.value = self.by_font[font_key]
        return self.value


def _is_bold(font: pdfium_c.FPDF_FONT) -> bool:
    weight = pdfium_c.FPDFFont_GetWeight(font)
    if weight >= 600:
        return True
    size = pdfium_c.FPDFFont_GetBaseFontName(font, None, 0)
    if size <= 0:
        return False
    buf = ctypes.create_string_buffer(size)
    pdfium_c.FPDFFont_GetBaseFontName(font, buf, size)
    name = buf.value.decode("latin-1", "replace").split("+")[-1].lower()
    return any(word in name for word in ("bold", "black", "heavy", "semibold", "demi"))


def _size(
    raw: pdfium_c.FPDF_TEXTPAGE, i: int, matrix: pdfium_c.FS_MATRIX, has_matrix: bool
) -> float:
    """The font size; scaled by the text matrix when that matrix carries the size.

    Some producers set ``1 Tf`` and put the size into the text matrix (``9 0 0 9 Tm``):
    the nominal size is then 1 and words, cells and lines would fall apart. The nominal
    size is kept when the matrix scales it by less than :data:`MATRIX_SCALE`.
    """
    size = float(pdfium_c.FPDFText_GetFontSize(raw, i))
    if has_matrix:
        scale = math.hypot(matrix.c, matrix.d)
        if scale > MATRIX_SCALE or 0 < scale < 1 / MATRIX_SCALE:
            size *= scale
    return size


def _baseline_angle(matrix: pdfium_c.FS_MATRIX) -> float:
    """The angle of a character's baseline (radians, 0 to 2π) from its text matrix.

    pdfium's own ``FPDFText_GetCharAngle`` also counts a shear as a rotation: a
    fake-italic row (``1 0 0.25 1`` matrix, the glyphs slanted, the baseline level)
    would be dropped with the chart labels. Only the baseline's direction (``a``, ``b``)
    says whether the text runs across the page.
    """
    return math.atan2(matrix.b, matrix.a) % (2 * math.pi)


def _words(chars: list[_Char]) -> list[Word]:
    return join_spaced(_split_words(chars))


def join_spaced(words: list[Word]) -> list[Word]:
    """Letter-spaced words joined again: ``M O I S T U R E  9 . 8 1 2`` -> ``MOISTURE 9.812``.

    A run of :data:`SPACED_RUN` or more one-glyph words in a row, each a small gap
    (under :data:`SPACED_GAP` font sizes) after the last, is text drawn with a character
    spacing. Inside such a run the letter gap is the smallest gap; a gap clearly wider
    than it (the spacing plus a space) ends a word. A pair of one-glyph words (``P b``,
    ``1 0``) is joined only on a line that has such a run, when its gap is that line's
    letter gap. One-glyph words far apart (a column of single digits) are no run.
    """
    runs = _runs(words)
    letters = [
        (run[0].mid_y, run[0].size, _letter_gap(run)) for run in runs if len(run) >= SPACED_RUN
    ]
    out: list[Word] = []
    for run in runs:
        if len(run) >= SPACED_RUN:
            out.extend(_join_run(run))
        elif len(run) == 2 and any(
            abs(run[0].mid_y - y) < 0.5 * size and abs(run[1].x0 - run[0].x1 - gap) < 0.12 * size
            for y, size, gap in letters
        ):
            out.append(_merge(run))
        else:
            out.extend(run)
    return out


#: Largest gap (font sizes) between two glyphs of a letter-spaced phrase (a word gap is
#: twice the spacing plus a space), and the shortest run.
SPACED_GAP = 2.0
SPACED_RUN = 3


def _runs(words: list[Word]) -> list[list[Word]]:
    """``words`` cut into runs of close one-glyph words (every other word is a run of its own)."""
    runs: list[list[Word]] = []
    for w in words:
        prev = runs[-1][-1] if runs else None
        if prev is not None and len(w.text) == 1 == len(prev.text) and _spaced_pair(prev, w):
            runs[-1].append(w)
        else:
            runs.append([w])
    return runs


def _spaced_pair(a: Word, b: Word) -> bool:
    size = max(a.size, b.size, 1.0)
    same_line = min(a.bottom, b.bottom) - max(a.top, b.top) > 0.5 * min(
        a.bottom - a.top, b.bottom - b.top
    )
    return same_line and 0 <= b.x0 - a.x1 <= SPACED_GAP * size and abs(a.size - b.size) < 0.2 * size


def _letter_gap(run: list[Word]) -> float:
    gaps = sorted(b.x0 - a.x1 for a, b in zip(run, run[1:], strict=False))
    return gaps[len(gaps) // 4]  # most gaps are letter gaps


def _join_run(run: list[Word]) -> list[Word]:
    """The words of one letter-spaced run.

    A gap of about the letter gap continues a word; one of twice the letter gap plus a
    space (``T O T A L   C O L I F O R M S``) separates two words of one phrase and is
    narrowed to a plain space, so the phrase stays one cell; any other gap is a column gap
    and is kept.
    """
    letter = _letter_gap(run)
    size = max(w.size for w in run)
    parts: list[list[Word]] = [[run[0]]]
    phrase_gap: list[bool] = []
    for a, b in zip(run, run[1:], strict=False):
        gap = b.x0 - a.x1
        if gap <= 1.5 * letter + 0.12 * size:
            parts[-1].append(b)
            continue
        phrase_gap.append(abs(gap - (2 * letter + 0.28 * size)) <= 0.15 * size + 0.25 * letter)
        parts.append([b])
    out = [_merge(part) for part in parts]
    for k, narrow in enumerate(phrase_gap):
        if narrow:
            w = out[k]
            out[k] = Word(w.text, w.x0, w.top, out[k + 1].x0 - 0.3 * size, w.bottom, w.size)
    return out


def _merge(part: list[Word]) -> Word:
    return Word(
        "".join(w.text for w in part),
        part[0].x0,
        min(w.top for w in part),
        part[-1].x1,
        max(w.bottom for w in part),
        max(w.size for w in part),
    )


def _split_words(chars: list[_Char]) -> list[Word]:
    words: list[Word] = []
    cur: list[_Char] = []
    for c in chars:
        if c.ch.isspace() or c.ch in "\r\n":
            _flush(cur, words)
            cur = []
            continue
        if cur and _breaks(cur[-1], c):
            _flush(cur, words)
            cur = []
        cur.append(c)
    _flush(cur, words)
    return words


def _breaks(prev: _Char, c: _Char) -> bool:
    """True when ``c`` does not continue the word ending with ``prev``."""
    size = max(prev.size, c.size, 1.0)
    if c.top > prev.bottom or c.bottom < prev.top:  # another line
        return True
    gap = c.x0 - prev.x1
    return gap > WORD_GAP * size or gap < -0.5 * size


def _flush(cur: list[_Char], words: list[Word]) -> None:
    if not cur:
        return
    text = _superscripts(cur)
    size = max(c.size for c in cur)
    top = min(c.top for c in cur)
    bottom = max(c.bottom for c in cur)
    bold = 2 * sum(c.bold for c in cur) > len(cur)
    words.append(Word(text, cur[0].x0, top, max(c.x1 for c in cur), bottom, size, bold))


def _superscripts(cur: list[_Char]) -> str:
    """Text of a word; digits raised after ``10`` become ``^digits``."""
    text = "".join(c.ch for c in cur).translate(_SUPERSCRIPTS)
    for i in range(2, len(cur)):
        if cur[i - 2].ch == "1" and cur[i - 1].ch == "0" and _raised(cur[i - 1], cur[i]):
            head = "".join(c.ch for c in cur[:i])
            return head + "^" + "".join(c.ch for c in cur[i:]).translate(_SUPERSCRIPTS)
    return text


def _raised(base: _Char, c: _Char) -> bool:
    if c.ch in "⁰¹²³⁴⁵⁶⁷⁸⁹":
        return True
    if not c.ch.isdigit():
        return False
    height = base.bottom - base.top
    return c.bottom < base.bottom - 0.25 * height or c.size < 0.8 * base.size
