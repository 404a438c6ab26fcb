"""Micro-benchmark of the threshold engine: CPU µs per ``evaluate()`` call, per shipped
profile, beside the frozen oracle the tests hold it to, in the same run.

    .venv/bin/python bench/evaluate_engine.py               # the oracle and the engine
    .venv/bin/python bench/evaluate_engine.py --engine      # only the engine (registry.thresholds)
    .venv/bin/python bench/evaluate_engine.py --reference   # only the oracle (reference_impl)
    .venv/bin/python bench/evaluate_engine.py --batches 2000 --repeat 5

Batches are generated (seeded) from a clean leaf-powder panel of 13 results, the way
real certificates vary: values spread around typical levels, ``ND`` / ``<LOQ`` /
``not_detected`` calls, some results in other units (ppm, ppb, mg/kg), a part of
batches with a retest certificate (10-20 results per batch), some with a missing test
or a value over a limit, and label facts (serving size, form) on a part of them.
Columns: ``clean`` is the clean panel without product facts (the common pass path),
``mix`` the generated batches, ``1st`` the first run over them (each batch new to the
engine, as when a batch is judged once); ``clean`` and ``mix`` are the best of
``--repeat`` runs. Figures are CPU time (``time.process_time``: the machine may be
shared), the oracle and the engine taking turns within each run. The oracle is
``tests/thresholds/reference_impl``, a frozen copy of the engine's plain evaluation
(every rule worded, passes too); the last column is the oracle's time over the
engine's on ``mix``. The registry needs evaluate() at about 20-25 µs or less per batch.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from registry.thresholds import (  # noqa: E402
    LabResult,
    ProductInfo,
    Profile,
    load_shipped_profiles,
)

# analyte -> (typical value in its canonical unit, spread factor, qualifier odds)
PANEL: dict[str, float | None] = {
    "mitragynine": 1.4,
    "7_hydroxymitragynine": 0.018,
    "speciogynine": 0.2,
    "total_alkaloids": 1.8,
    "lead": 0.3,
    "arsenic": 0.4,
    "cadmium": 0.1,
    "mercury": 0.005,
    "total_aerobic_count": 20000,
    "yeast_and_mold": 300,
    "enterobacteriaceae": 10,
    "total_coliforms": 10,
    "salmonella": None,
    "e_coli": None,
}
METAL_UNITS = ["ug/g", "ug/g", "ug/g", "ppm", "mg/kg", "ppb"]
UNIT_FACTOR = {"ug/g": 1.0, "ppm": 1.0, "mg/kg": 1.0, "ppb": 1000.0}
CANONICAL = {
    "mitragynine": "%",
    "7_hydroxymitragynine": "%",
    "speciogynine": "%",
    "total_alkaloids": "%",
    "total_aerobic_count": "CFU/g",
    "yeast_and_mold": "CFU/g",
    "enterobacteriaceae": "CFU/g",
    "total_coliforms": "CFU/g",
}
METALS = ("lead", "arsenic", "cadmium", "mercury")


def clean_panel(cert: int = 1, tested: date = date(2024, 3, 1)) -> list[LabResult]:
    out = []
    for code, value in PANEL.items():
        if value is None:
            out.append(LabResult(code, "microbial", None, None, "not_detected", None, cert, tested))
        elif code == "mercury":
            out.append(LabResult(code, "heavy_metal", None, "ug/g", "nd", 0.005, cert, tested))
        elif code in ("enterobacteriaceae", "total_coliforms"):
            out.append(LabResult(code, "microbial", value, "CFU/g", "<", None, cert, tested))
        else:
            unit = "ug/g" if code in METALS else CANONICAL[code]
            out.append(LabResult(code, None, value, unit, "=", None, cert, tested))
    return out


def one_result(
    rng: random.Random, code: str, base: float | None, cert: int, tested: date
) -> LabResult | None:
    if base is None:  # presence tests
        q = rng.choices(["not_detected", "nd", "detected"], [90, 9, 1])[0]
        return LabResult(code, "microbial", None, None, q, None, cert, tested)
    if code in METALS:
        unit = rng.choice(METAL_UNITS)
        value = round(base * rng.lognormvariate(0, 0.7) * UNIT_FACTOR[unit], 4)
        loq = round(0.01 * UNIT_FACTOR[unit], 4)
        q = rng.choices(["=", "nd", "<"], [80, 12, 8])[0]
        if q == "nd":
            return LabResult(code, "heavy_metal", None, unit, "nd", loq, cert, tested)
        if q == "<":
            return LabResult(code, "heavy_metal", None, unit, "<", loq, cert, tested)
        return LabResult(code, "heavy_metal", value, unit, "=", loq, cert, tested)
    unit = CANONICAL[code]
    spread = 0.25 if unit == "%" else 0.8  # alkaloid levels vary less than counts
    value = round(base * rng.lognormvariate(0, spread), 3 if unit == "%" else 0)
    if unit == "CFU/g":
        q = rng.choices(["=", "<", ">"], [70, 28, 2])[0]
        if q == "<":
            value = rng.choice([10.0, 100.0])
        return LabResult(code, "microbial", value, unit, q, None, cert, tested)
    return LabResult(code, "alkaloid", value, unit, "=", None, cert, tested)


def generated_batch(rng: random.Random, index: int) -> tuple[list[LabResult], ProductInfo | None]:
    tested = date(2024, 1, 1) + timedelta(days=index % 300)
    cert = 2 * index + 1
    results = []
    for code, base in PANEL.items():
        if code == "total_alkaloids" and rng.random() < 0.4:
            continue  # no printed total: the ratio rules sum the alkaloids
        if rng.random() < 0.03:
            continue  # a missing test
        found = one_result(rng, code, base, cert, tested)
        if found is not None:
            results.append(found)
    if rng.random() < 0.3:  # a retest of a few analytes on a second certificate
        later = tested + timedelta(days=rng.randint(0, 20))
        for code in rng.sample(list(PANEL), rng.randint(2, 7)):
            found = one_result(rng, code, PANEL[code], cert + 1, later)
            if found is not None:
                results.append(found)
    product = None
    if rng.random() < 0.4:
        product = ProductInfo(
            serving_g=rng.choice([1.0, 2.0, 2.5, 5.0]),
            servings_per_day=rng.choice([None, 2.0, 3.0, 4.0]),
            form=rng.choice(["leaf", "extract", None]),
        )
    return results, product


def cpu_per_call(
    fn: Callable[..., Any],
    profile: Profile,
    cases: list[tuple[list[LabResult], ProductInfo | None]],
) -> float:
    """CPU µs per call over all cases, once."""
    start = time.process_time()
    for results, product in cases:
        fn(profile, results, product)
    return (time.process_time() - start) / len(cases) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--reference",
        action="store_true",
        help="time only tests/thresholds/reference_impl (the frozen oracle)",
    )
    parser.add_argument("--engine", action="store_true", help="time only registry.thresholds")
    parser.add_argument("--batches", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    from registry.thresholds import evaluate as engine
    from tests.thresholds.reference_impl import evaluate as reference

    impls: dict[str, Callable[..., Any]] = {}
    if not args.engine:
        impls["oracle"] = reference
    if not args.reference:
        impls["engine"] = engine
    rng = random.Random(args.seed)
    mix = [generated_batch(rng, i) for i in range(args.batches)]
    clean: list[tuple[list[LabResult], ProductInfo | None]] = [(clean_panel(), None)] * args.batches
    sizes = [len(r) for r, _ in mix]
    print(
        f"CPU µs per evaluate() call, best of {args.repeat}; oracle: tests/thresholds/reference_impl"
        f" (frozen plain evaluation), engine: registry.thresholds; {args.batches} batches of "
        f"{min(sizes)}-{max(sizes)} results (mean {sum(sizes) / len(sizes):.1f})"
    )
    head = "".join(f" {name + ' ' + col:>13}" for name in impls for col in ("clean", "mix", "1st"))
    print(f"{'profile':<24}{head}" + ("   oracle/engine (mix)" if len(impls) == 2 else ""))
    means: dict[str, list[float]] = {name: [] for name in impls}
    for profile in load_shipped_profiles():
        best = {(name, col): float("inf") for name in impls for col in ("clean", "mix")}
        for fn in impls.values():
            fn(profile, clean[0][0], None)  # warm any per-profile cache
        first = {name: cpu_per_call(fn, profile, mix) for name, fn in impls.items()}
        for _ in range(args.repeat):
            for name, fn in impls.items():
                for col, cases in (("clean", clean), ("mix", mix)):
                    best[name, col] = min(best[name, col], cpu_per_call(fn, profile, cases))
        row = [x for name in impls for x in (best[name, "clean"], best[name, "mix"], first[name])]
        for name in impls:
            means[name].append(best[name, "mix"])
        line = f"{profile.code:<24}" + "".join(f" {x:13.2f}" for x in row)
        if len(impls) == 2:
            line += f"   {row[1] / row[4]:6.2f}x"
        print(line)
    print(
        f"{'mean of profiles (mix)':<24}"
        + "".join(f" {'':>13} {sum(v) / len(v):13.2f} {'':>13}" for v in means.values())
        + (f"   {sum(means['oracle']) / sum(means['engine']):6.2f}x" if len(impls) == 2 else "")
    )


if __name__ == "__main__":
    main()
