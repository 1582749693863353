"""Holdout metrics and training distributions for a model's metadata, with numpy only.

Kept apart from ``train`` so a drift monitor or an evaluation script can reuse the exact binning
and the exact AUC the shipped metadata was computed with.
"""

from __future__ import annotations

import numpy as np

from scoregate.core.contract import FeatureDistribution, FeatureKind, FeatureSpec, HoldoutMetrics

#: Numeric features get at most DISTRIBUTION_BINS bins (DISTRIBUTION_BINS - 1 inner edges).
DISTRIBUTION_BINS = 11


def auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Rank-based ROC AUC (Mann-Whitney U); tied scores share their average rank."""
    order = np.argsort(scores, kind="mergesort")
    ordered = scores[order]
    first = np.r_[True, ordered[1:] != ordered[:-1]]
    starts = np.flatnonzero(first)
    ends = np.r_[starts[1:], len(ordered)]
    ranks = np.empty(len(scores))
    ranks[order] = ((starts + 1 + ends) / 2.0)[np.cumsum(first) - 1]  # mean of ranks start+1..end
    positive = labels == 1
    n_pos = int(positive.sum())
    n_neg = len(labels) - n_pos
    if n_pos == 0 or n_neg == 0:
        raise ValueError("AUC needs both classes in the holdout")
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def holdout_metrics(labels: np.ndarray, scores: np.ndarray, threshold: float) -> HoldoutMetrics:
    """AUC, plus precision/recall/F1 of predicting default when ``score >= threshold``."""
    predicted = scores >= threshold
    positive = labels == 1
    tp = int((predicted & positive).sum())
    precision = tp / int(predicted.sum()) if predicted.any() else 0.0
    recall = tp / int(positive.sum()) if positive.any() else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return HoldoutMetrics(
        rows=len(labels), auc=round(auc(labels, scores), 6), precision=round(precision, 6),
        recall=round(recall, 6), f1=round(f1, 6), threshold=threshold,
    )


def feature_distribution(spec: FeatureSpec, column: np.ndarray) -> FeatureDistribution:
    """Training distribution of one column: bins of the non-missing values plus the missing share.

    Numeric edges start at quantiles but are moved to the midpoint between the neighbouring
    observed values (12 significant digits), so no training value sits on an edge and a drift
    monitor gets the same shares whichever side it closes its bins on. Edges are deduplicated, so
    integer features with few values get one bin per value instead of empty bins.
    """
    present = column[~np.isnan(column)]
    if not len(present):
        raise ValueError(f"feature {spec.name!r} has no values in the training data")
    missing = round(1.0 - len(present) / len(column), 6)

    def shares(counts: np.ndarray) -> tuple[float, ...]:
        return tuple(round(float(c) / len(present), 6) for c in counts)

    if spec.kind is FeatureKind.CATEGORY:
        counts = np.bincount(present.astype(np.int64), minlength=len(spec.codes))
        return FeatureDistribution(proportions=shares(counts), missing=missing)
    values = np.unique(present)
    cuts = np.quantile(present, np.arange(1, DISTRIBUTION_BINS) / DISTRIBUTION_BINS)
    above = np.unique(np.searchsorted(values, cuts, side="right"))
    above = above[above < len(values)]  # a cut at the maximum would leave an empty last bin
    edges = (values[above - 1] + values[above]) / 2
    counts = np.bincount(np.searchsorted(edges, present), minlength=len(edges) + 1)
    return FeatureDistribution(
        edges=tuple(float(f"{e:.12g}") for e in edges), proportions=shares(counts), missing=missing
    )
