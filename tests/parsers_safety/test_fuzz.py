"""Fuzz: mutated PDFs through ``parsers.parse`` give a Document or a ParseError, nothing else.

Seeds are the small real COAs of ``tests/corpus/real`` and reportlab PDFs built here. Hypothesis applies a few byte-level
mutations (flips, overwrites, truncation, deletion, duplication, insertion of PDF
tokens) and the parser runs in-process with ``max_pages=3`` and no OCR, so a run stays
within a few seconds. A crash of native code would end the test run itself: that is the
finding to report (``parse_isolated`` contains it in production).

Set ``FUZZ_EXAMPLES`` for a longer local run; CI uses a fixed, derandomized sample.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsers import Document, ParseError, parse
from tests.corpus import REAL
from tests.parsers_safety.conftest import build_pdf

#: Real seeds: text PDFs of at most three pages (bigger ones would stop at max_pages).
REAL_SEEDS = (
    "kratom-vscht-mzl-green.pdf",
    "kratom-vscht-mzl-red.pdf",
    "hemp-badger-2025-30mg-iso-gummy.pdf",
    "hemp-juniper-2019-tincture.pdf",
    "cannabis-okctl-confidentcannabis-2020-flower.pdf",
)
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
TOKENS = (
    b"obj",
    b"endobj",
    b"stream",
    b"endstream",
    b"/Length 999999999",
    b"<<",
    b">>",
    b"[",
    b"xref",
    b"trailer",
    b"/Filter /FlateDecode",
    b"/Type /Page",
    b"%%EOF",
    b"(",
    b"\\",
    b"\x00",
)


def _generated_seeds(folder: Path) -> list[bytes]:
    return [
        build_pdf(folder / "one.pdf").read_bytes(),
        build_pdf(folder / "two.pdf", pages=2, rows=8).read_bytes(),
    ]


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    return _generated_seeds(tmp_path_factory.mktemp("seeds"))


@pytest.fixture(scope="module")
def real_seeds() -> list[bytes]:
    return [(REAL / name).read_bytes() for name in REAL_SEEDS]


#: A few (kind, position, length, payload) edits; positions wrap around the file's length.
MUTATIONS = st.lists(
    st.tuples(
        st.sampled_from(
            ["flip", "overwrite", "truncate", "delete", "duplicate", "insert", "token"]
        ),
        st.integers(0, 1 << 22),
        st.integers(1, 4096),
        st.binary(min_size=1, max_size=64),
    ),
    min_size=1,
    max_size=4,
)


def mutate(data: bytes, edits: list[tuple[str, int, int, bytes]]) -> bytes:
    """Apply ``edits`` in order (positions wrap around the current length)."""
    buf = bytearray(data)
    for kind, pos, length, payload in edits:
        pos = pos % max(len(buf), 1)
        if kind == "flip" and buf:
            buf[pos] ^= 1 << (length % 8)
        elif kind == "flip":
            continue
        elif kind == "overwrite":
            buf[pos : pos + len(payload)] = payload
        elif kind == "truncate":
            del buf[pos:]
        elif kind == "delete":
            del buf[pos : pos + length]
        elif kind == "duplicate":
            buf[pos:pos] = buf[pos : pos + length]
        elif kind == "insert":
            buf[pos:pos] = payload
        else:
            buf[pos:pos] = TOKENS[length % len(TOKENS)]
    return bytes(buf)


def check(data: bytes) -> None:
    """The property: a ParseError, or a Document whose dict is strict JSON."""
    try:
        doc = parse(data, max_pages=3, ocr=False)
    except ParseError:
        return
    assert isinstance(doc, Document)
    json.dumps(doc.to_dict(), allow_nan=False)


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@FUZZ
@given(data=st.data())
def test_mutated_generated_pdfs(seeds: list[bytes], data: st.DataObject) -> None:
    seed = data.draw(st.sampled_from(seeds))
    check(mutate(seed, data.draw(MUTATIONS)))


@FUZZ
@given(data=st.data())
def test_mutated_real_pdfs(real_seeds: list[bytes], data: st.DataObject) -> None:
    seed = data.draw(st.sampled_from(real_seeds))
    check(mutate(seed, data.draw(MUTATIONS)))


@pytest.mark.parametrize(
    "edits",
    [
        [("truncate", 0, 1, b"")],
        [("overwrite", 0, 1, b"%PDF-1.7\n" + b"\xff" * 50)],
        [("token", 200, TOKENS.index(b"/Length 999999999"), b"")],
    ],
)
def test_known_shapes(seeds: list[bytes], edits: list[tuple[str, int, int, bytes]]) -> None:
    check(mutate(seeds[0], edits))
