"""The in-process baselines: XGBoost called directly, no gRPC, booster nthread=1.

Every loop here is bounded by a call count and a time limit, whichever comes first.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from _timing import percentiles, timed_calls
from _workload import demo_rows

from scoregate.app.paths import DEMO_MODEL, DEMO_MODELS_DIR
from scoregate.core.registry import load_version
from scoregate.core.scoring import LoadedModel, Scorer

MODEL_DIR = DEMO_MODELS_DIR / DEMO_MODEL / "1"


def load_demo() -> LoadedModel:
    """The demo model loaded the way the core loads it (booster nthread=1)."""
    return load_version(MODEL_DIR, xgb_threads=1)


def in_process(quick: bool) -> dict[str, dict]:
    """The scoring baselines: inplace_predict on 1 row and on 1000-row batches; reason codes.

    Measured in interleaved rounds (every measurement once per round, samples pooled), so that
    a noisy burst on the shared machine lands on all of them rather than on one.
    """
    model = load_demo()
    booster = model.runtime.booster
    rows = demo_rows(20_000)
    one, block = rows[:1].copy(), rows[:1000]
    exact_rows = rows[:50] if quick else rows[:200]
    scorer = Scorer(model)
    exact = Scorer(replace(model, metadata=model.metadata.model_copy(update={"contributions": "exact"})))

    def predict(m: np.ndarray) -> np.ndarray:
        return booster.inplace_predict(m, missing=np.nan, validate_features=False)

    plan = {  # name: (call, calls per round, seconds per round)
        "single": (lambda: predict(one), 2000, 1.5),
        "batch_1000": (lambda: predict(block), 80, 1.0),
        "plain_1000": (lambda: scorer.score(block, 0), 40, 1.0),
        "approx_1000": (lambda: scorer.score(block, 3), 15, 1.0),
        "exact_plain": (lambda: scorer.score(exact_rows, 0), 20, 0.5),
        "exact": (lambda: exact.score(exact_rows, 3), 1, 5.0),
    }
    samples: dict[str, list[int]] = {name: [] for name in plan}
    for _ in range(2 if quick else 5):
        for name, (call, count, limit) in plan.items():
            samples[name] += timed_calls(call, count, limit, warmup=1)
    us = {name: float(np.median(ns)) / 1e3 for name, ns in samples.items()}  # median call, microseconds

    plain, approx = us["plain_1000"] / 1000, us["approx_1000"] / 1000
    exact_plain, exact_us = us["exact_plain"] / len(exact_rows), us["exact"] / len(exact_rows)
    return {
        "single": {**percentiles(np.asarray(samples["single"]) / 1e3), "us_per_call": us["single"]},
        "batch_1000": {"calls": len(samples["batch_1000"]), "rows_per_s": 1000 / (us["batch_1000"] / 1e6)},
        "reasons": {
            "batch_rows": 1000, "plain_us_per_row": plain, "approx_us_per_row": approx,
            "approx_extra_us_per_row": approx - plain, "approx_ratio": approx / plain,
            "exact_rows": len(exact_rows), "exact_us_per_row": exact_us, "exact_plain_us_per_row": exact_plain,
            "exact_extra_us_per_row": exact_us - exact_plain, "exact_ratio": exact_us / exact_plain,
        },
    }


def one_row_predict_us(calls: int = 2000, limit_s: float = 1.5) -> float:
    """This machine's median ``inplace_predict`` of one demo row (nthread=1), in microseconds: printed
    beside every benchmark so that runs on different machines can be compared."""
    booster = load_demo().runtime.booster
    one = demo_rows(1)
    samples = timed_calls(lambda: booster.inplace_predict(one, missing=np.nan, validate_features=False),
                          calls, limit_s, warmup=50)
    return float(np.median(samples)) / 1e3
