"""Model performance on real outcomes, with numpy only: AUC, Gini, KS, Brier score, calibration
per score decile, precision and recall per decision band, and DeLong's confidence interval for
the AUC difference of two scores of the same loans.

Pure functions of arrays (``bad`` 0/1, ``probability``), so the outcome store, a benchmark and a
notebook compute the same figures. The AUC is ``evaluation.auc``, the one the holdout metrics of
``metadata.json`` were computed with, so live and holdout figures compare like for like.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scoregate.core.evaluation import auc

__all__ = ["auc", "brier", "calibration", "band_figures", "delong", "ks", "AucDifference"]

Z95 = 1.959963984540054
"""The standard normal's 97.5% quantile: a two-sided 95% interval."""


def _midranks(x: np.ndarray) -> np.ndarray:
    """1-based ranks, tied values sharing their average rank."""
    order = np.argsort(x, kind="mergesort")
    ordered = x[order]
    first = np.r_[True, ordered[1:] != ordered[:-1]]
    starts = np.flatnonzero(first)
    ends = np.r_[starts[1:], len(ordered)]
    ranks = np.empty(len(x))
    ranks[order] = ((starts + 1 + ends) / 2.0)[np.cumsum(first) - 1]
    return ranks


def ks(bad: np.ndarray, probability: np.ndarray) -> float:
    """Kolmogorov-Smirnov statistic: the largest gap between the score distributions of bad and
    good loans (equal scores are one threshold)."""
    order = np.argsort(-probability, kind="mergesort")
    b = bad[order].astype(np.float64)
    last = np.r_[probability[order][1:] != probability[order][:-1], True]  # last row of each tied score
    tpr = np.cumsum(b)[last] / b.sum()
    fpr = np.cumsum(1 - b)[last] / (len(b) - b.sum())
    return float(np.max(np.abs(tpr - fpr)))


def brier(bad: np.ndarray, probability: np.ndarray) -> float:
    """Mean squared gap between the predicted probability and the outcome (0: perfect)."""
    return float(np.mean((probability - bad) ** 2))


def calibration(bad: np.ndarray, probability: np.ndarray, bins: int = 10) -> list[dict]:
    """Predicted against observed default rate per score decile (``bins`` groups of near-equal
    size by score; tied scores stay in one group, so a group may be empty and is left out)."""
    edges = np.quantile(probability, np.arange(1, bins) / bins)
    group = np.searchsorted(edges, probability, side="right")
    counts = np.bincount(group, minlength=bins)
    predicted = np.bincount(group, weights=probability, minlength=bins)
    observed = np.bincount(group, weights=bad.astype(np.float64), minlength=bins)
    return [
        {"decile": i + 1, "count": int(counts[i]), "predicted": float(predicted[i] / counts[i]),
         "observed": float(observed[i] / counts[i])}
        for i in range(bins) if counts[i]
    ]


def band_figures(bad: np.ndarray, decision: np.ndarray, bands: list[str]) -> list[dict]:
    """Per decision band, least risky first: its loans and default rate, and the precision and
    recall of treating this band and every riskier one as "will default"."""
    bad = bad.astype(bool)
    total_bad = int(bad.sum())
    rows, caught, flagged = [], total_bad, len(bad)
    for band in bands:
        here = decision == band
        n, b = int(here.sum()), int(bad[here].sum())
        rows.append({"band": band, "count": n, "default_rate": b / n if n else None,
                     "precision": caught / flagged if flagged else None,
                     "recall": caught / total_bad if total_bad else None})
        caught, flagged = caught - b, flagged - n
    return rows


@dataclass(frozen=True)
class AucDifference:
    """AUC of two scores on the same loans, and DeLong's 95% interval for ``first - second``."""

    first: float
    second: float
    difference: float
    low: float
    high: float
    loans: int

    @property
    def significant(self) -> bool:
        """The interval excludes zero."""
        return self.low > 0 or self.high < 0


def delong(bad: np.ndarray, first: np.ndarray, second: np.ndarray) -> AucDifference:
    """DeLong, DeLong and Clarke-Pearson (1988), in Sun and Xu's O(n log n) form (2014): the
    covariance of two correlated AUCs from each loan's placement among the other class."""
    positive = bad.astype(bool)
    m, n = int(positive.sum()), int((~positive).sum())
    if m < 2 or n < 2:
        raise ValueError("comparing AUCs needs at least two bad and two good loans")
    v10, v01, aucs = [], [], []
    for score in (first, second):
        x, y = score[positive], score[~positive]
        tx, ty, tz = _midranks(x), _midranks(y), _midranks(np.concatenate([x, y]))
        aucs.append((tz[:m].sum() - m * (m + 1) / 2) / (m * n))
        v10.append((tz[:m] - tx) / n)  # each bad loan: share of good loans scored below it
        v01.append(1.0 - (tz[m:] - ty) / m)  # each good loan: share of bad loans scored above it
    s = np.cov(np.vstack(v10)) / m + np.cov(np.vstack(v01)) / n
    variance = max(float(s[0, 0] + s[1, 1] - 2 * s[0, 1]), 0.0)
    difference = aucs[0] - aucs[1]
    half = Z95 * variance**0.5
    return AucDifference(float(aucs[0]), float(aucs[1]), float(difference), difference - half, difference + half, m + n)
