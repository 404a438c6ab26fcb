"""The layout families: how each one draws its sample and which panels it carries."""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import dataclass

from tests.synthetic import draw, fresh, glyphs, headers, unseen, wild
from tests.synthetic.model import Panel, Sample, base_sample, panel_cells, pick, standard_panels
from tests.synthetic.scan import rasterize
from tests.synthetic.values import ALKALOIDS, MYCOTOXINS, Cell, number, significant


@dataclass(frozen=True)
class Family:
    """A layout family: builds a sample from a seeded generator and renders it to PDF bytes."""

    name: str
    build: Callable[[random.Random], Sample]
    render: Callable[[Sample, random.Random], bytes]
    text_layer: bool = True
    legible: bool = True  # False: the text layer is there but does not say what the page shows
    in_reading_order: bool = (
        True  # False: a label may be split by other cells' text (wrapped names)
    )


def _render_with(
    function: Callable[[Sample, io.BytesIO], None],
) -> Callable[[Sample, random.Random], bytes]:
    def render(sample: Sample, rng: random.Random) -> bytes:
        out = io.BytesIO()
        function(sample, out)
        return out.getvalue()

    return render


def _standard(family: str, **options: bool) -> Callable[[random.Random], Sample]:
    def build(rng: random.Random) -> Sample:
        sample = base_sample(rng, family)
        standard_panels(sample, rng, **options)
        return sample

    return build


def _transposed(rng: random.Random) -> Sample:
    sample = base_sample(rng, "transposed")
    standard_panels(sample, rng)
    for panel in sample.panels:  # column headers are narrow: print the shortest label
        for cell in panel.cells:
            cell.label = min(cell.analyte.en, key=len)
    return sample


def _european(rng: random.Random) -> Sample:
    sample = base_sample(rng, "european", rng.choice(("cz", "de")))
    standard_panels(sample, rng)
    return sample


def _scanned(rng: random.Random) -> Sample:
    sample = base_sample(rng, "scanned")
    standard_panels(sample, rng)
    return sample


def _render_scan(sample: Sample, rng: random.Random) -> bytes:
    out = io.BytesIO()
    rng.choice((draw.ruled, draw.whitespace))(sample, out)
    return rasterize(out.getvalue(), rng)


def _multiunit(rng: random.Random) -> Sample:
    """Alkaloids printed in %, mg/g and mg/serving; total alkaloids only per serving."""
    sample = base_sample(rng, "multiunit")
    grams = rng.choice((1.0, 2.0, 2.5))
    sample.serving = f"{grams:g} g"
    analytes = tuple(a for a in pick(rng, ALKALOIDS, 3) if a.code != "total_alkaloids")
    cells = panel_cells(analytes, "en", sample.style, rng, unit="%")
    for cell in cells:
        if cell.truth["qualifier"] == "=":
            percent = float(cell.text)
            cell.extra_columns = (
                number(percent * 10, 2, sample.style),
                number(percent * 10 * grams, 2, sample.style),
            )
        else:
            cell.extra_columns = (cell.text, cell.text)
    cells.append(_per_serving_total(sample, rng, grams))
    sample.panels.append(Panel("alkaloid", "Alkaloids", cells, "%"))
    others = base_sample(rng, "multiunit")
    standard_panels(others, rng)
    sample.panels += [p for p in others.panels if p.category != "alkaloid"]
    return sample


def _per_serving_total(sample: Sample, rng: random.Random, grams: float) -> Cell:
    total = next(a for a in ALKALOIDS if a.code == "total_alkaloids")
    mg = significant(rng.uniform(total.low, total.high) * 10 * grams, 3)
    text = number(mg, 1, sample.style)
    truth = {"value": float(text), "unit": "mg/serving", "qualifier": "=", "lab_status": None}
    return Cell(total, "Total Alkaloids (per serving)", text, "mg/serving", "", "", truth)


def _qc(rng: random.Random) -> Sample:
    """Standard panels, mycotoxins NOT TESTED, and a QC table that must not be reported."""
    sample = base_sample(rng, "qc")
    standard_panels(sample, rng)
    sample.panels = [p for p in sample.panels if p.category != "mycotoxin"]
    untested = panel_cells(pick(rng, MYCOTOXINS, 3), "en", sample.style, rng)
    sample.panels.append(Panel("mycotoxin", "Mycotoxins", untested, not_tested=True))
    sample.qc_rows = [
        ("Lead - Spike Recovery", f"{rng.uniform(85, 115):.1f}", "%"),
        ("Method Blank - Lead", "<0.01", "ppm"),
        ("Mitragynine CRM Recovery", f"{rng.uniform(90, 110):.1f}", "%"),
        ("Arsenic Duplicate RPD", f"{rng.uniform(0, 10):.1f}", "%"),
        ("Aflatoxin B1 LCS Recovery", f"{rng.uniform(80, 110):.0f}", "%"),
    ]
    return sample


FAMILIES: tuple[Family, ...] = (
    Family("ruled", _standard("ruled"), _render_with(draw.ruled)),
    Family("whitespace", _standard("whitespace"), _render_with(draw.whitespace)),
    Family("transposed", _transposed, _render_with(draw.transposed)),
    Family("narrative", _standard("narrative"), _render_with(draw.narrative)),
    Family("multipage", _standard("multipage", shared_units=True), _render_with(draw.multipage)),
    Family("european", _european, _render_with(draw.european)),
    Family("scanned", _scanned, _render_scan, text_layer=False),
    Family("multiunit", _multiunit, _render_with(draw.multiunit)),
    Family("qc", _qc, _render_with(draw.qc)),
    Family("sidebyside", _standard("sidebyside"), _render_with(draw.sidebyside)),
    # written to measure generalisation (see tests.synthetic.wild), not tuned against the parser
    Family("speclimit", wild.family_sample("speclimit"), wild.speclimit),
    Family("leaders", wild.family_sample("leaders", per_row_units=True), wild.leaders),
    Family("landscape", wild.family_sample("landscape", per_row_units=True), wild.landscape_panels),
    Family("paged", wild.family_sample("paged", extra=True), wild.paged),
    Family("intl", wild.family_sample("intl", wild.intl_language, per_row_units=True), wild.intl),
    Family("boxed", wild.family_sample("boxed", per_row_units=True), wild.boxed),
    # written before the parser was changed for them (issue 8, results tables; see tests.synthetic.unseen)
    Family("limitcol", unseen.limitcol_sample, unseen.limitcol),
    Family("horizontal", unseen.horizontal_sample, unseen.horizontal),
    Family("stacked", unseen.stacked_sample, unseen.stacked),
    # the text layer itself (tests.synthetic.glyphs), also written before the parser was changed for them
    Family("spaced", glyphs.spaced_sample, glyphs.spaced),
    Family("gridscan", glyphs.gridscan_sample, glyphs.gridscan, text_layer=False),
    Family("garbled", wild.family_sample("garbled"), glyphs.garbled, legible=False),
    # headers the metadata reader was not tuned on (see tests.synthetic.headers)
    Family("kvgrid", headers.header_sample("kvgrid"), headers.kvgrid),
    Family("formbox", headers.header_sample("formbox"), headers.formbox),
    Family("parties", headers.header_sample("parties"), headers.parties),
    Family(
        "bilingual",
        headers.header_sample("bilingual", headers.bilingual_language),
        headers.bilingual,
    ),
    Family("sidebar", headers.header_sample("sidebar"), headers.sidebar),
    # second first-sight round (tests.synthetic.fresh), recorded before the parser was changed for them
    Family("badges", fresh.fresh_sample("badges"), fresh.badges),
    Family(
        "wrapname",
        fresh.fresh_sample("wrapname", per_row_units=True, long_names=True),
        fresh.wrapname,
        in_reading_order=False,
    ),
    Family("twoup", fresh.fresh_sample("twoup"), fresh.twoup),
    Family("rotated", fresh.fresh_sample("rotated", per_row_units=True), fresh.rotated),
    # recorded after the parser was changed for the four above, to measure it afresh
    Family("cards", fresh.fresh_sample("cards", per_row_units=True, long_names=True), fresh.cards),
)
