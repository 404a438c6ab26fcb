"""A synthetic COA corpus with exact truth, for the parser's tests and benchmarks.

    >>> from tests.synthetic import generate_corpus
    >>> folder = generate_corpus(Path("/tmp/synth"), per_family=3, seed=0)

writes ``<family>-<n>.pdf`` files and a ``truth.canonical.json`` in the format of
``tests/corpus/real/truth.canonical.json`` (one record per PDF; values in the
contract's canonical units; ``<LOQ`` rows carry the LOQ as ``value_alt`` like the real
truth). Families (:data:`FAMILIES`): ruled grid, whitespace columns, transposed panels,
narrative lines, multi-page sections with the unit in the heading, European protocol
(Czech or German, decimal comma), scanned (image-only), multi-unit alkaloid columns,
QC/NOT TESTED panels that must not be reported, and side-by-side panels whose rows
interleave (labels left of centred column titles, units on a second header line).
Six more (:mod:`tests.synthetic.wild`: speclimit, leaders, landscape, paged, intl, boxed)
were written to measure generalisation without reading the parser, and five more before
the parser was changed for them: :mod:`tests.synthetic.unseen` (limitcol, horizontal,
stacked: results tables) and :mod:`tests.synthetic.glyphs` (spaced, gridscan, garbled: the
text layer itself: letter spacing, sheared rows, fused names; a ruled, banded scan; a
nonsense text layer). Four more (:mod:`tests.synthetic.fresh`: badges, wrapname, twoup,
rotated) were recorded on first sight before any parser change for them.

Determinism: each document draws from ``random.Random(f"{seed}:{family}:{n}")`` and
reportlab writes with ``invariant=True``, so a seed gives the same truth and the same
bytes on the same machine (fonts: DejaVu Sans when installed, else reportlab's Vera;
see :mod:`tests.synthetic.draw`). ``python -m tests.synthetic OUT_DIR`` writes a corpus.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from tests.synthetic.families import FAMILIES, Family
from tests.synthetic.model import Sample

__all__ = ["FAMILIES", "Family", "Sample", "generate_corpus", "samples"]


def samples(
    per_family: int = 3, seed: int = 0, families: tuple[str, ...] | None = None
) -> list[tuple[str, Family, Sample, bytes]]:
    """Every (file name, family, sample, PDF bytes) of a corpus, without writing anything;
    ``families`` (names) keeps only those families."""
    unknown = set(families or ()) - {f.name for f in FAMILIES}
    if unknown:
        raise ValueError(f"unknown families: {', '.join(sorted(unknown))}")
    out = []
    for family in FAMILIES:
        if families and family.name not in families:
            continue
        for n in range(per_family):
            rng = random.Random(f"{seed}:{family.name}:{n}")
            sample = family.build(rng)
            out.append(
                (f"{family.name}-{n + 1:02d}.pdf", family, sample, family.render(sample, rng))
            )
    return out


def generate_corpus(
    out_dir: Path, per_family: int = 3, seed: int = 0, families: tuple[str, ...] | None = None
) -> Path:
    """Write the PDFs and ``truth.canonical.json`` into ``out_dir`` (only ``families`` when
    given); returns ``out_dir``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    records = []
    for name, _family, sample, data in samples(per_family, seed, families):
        (out_dir / name).write_bytes(data)
        records.append(sample.truth(name))
    (out_dir / "truth.canonical.json").write_text(
        json.dumps(records, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return out_dir
