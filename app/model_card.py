"""What ``scoregate models describe`` prints: a model version's contract, for whoever maps onto it.

A pure rendering of :class:`ModelDescription` (read from a models directory or asked of a running
core): the feature schema, the decision bands, the reason-code table and the holdout metrics, as
aligned text tables or as one JSON document.
"""

from __future__ import annotations

import json
from typing import Any

from scoregate.core.contract import FeatureKind, FeatureSpec, ModelDescription


def _number(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e6 else f"{value:,.0f}"


def _range(spec: FeatureSpec) -> str:
    if spec.kind is FeatureKind.CATEGORY:
        return "-"
    low = "-inf" if spec.minimum is None else _number(spec.minimum)
    high = "+inf" if spec.maximum is None else _number(spec.maximum)
    return f"{low} .. {high}"


def table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    """Columns padded to their widest cell; trailing blanks stripped."""
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    return "\n".join("  ".join(str(v).ljust(w) for v, w in zip(row, widths)).rstrip() for row in [header, *rows])


def render_text(description: ModelDescription) -> str:
    """Every section as a titled table, in the order a mapper reads them."""
    d = description
    out = [f"{d.name} version {d.version}{' (default)' if d.is_default else ''}"]
    if d.description:
        out.append(d.description)
    features = d.feature_schema.features
    out += ["", f"FEATURES ({len(features)}, in matrix order; a required feature must be mapped or defaulted)"]
    out.append(table(
        ("NAME", "KIND", "UNIT", "VALID RANGE", "CODES", "MAY BE MISSING", "REQUIRED"),
        [(f.name, f.kind.value, f.unit or "-", _range(f), ",".join(f.codes) or "-",
          "yes" if f.nullable else "no", "no" if f.nullable else "yes") for f in features],
    ))
    out += ["", "DECISION BANDS (probability of the event)"]
    lower, rows = 0.0, []
    for i, band in enumerate(d.bands):
        closing = "]" if i == len(d.bands) - 1 else ")"
        rows.append((band.name, f"[{lower:g}, {band.upper:g}{closing}"))
        lower = band.upper
    out.append(table(("DECISION", "PROBABILITY"), rows))
    out += ["", f"REASON CODES (top contributions, {d.contributions})"]
    out.append(table(("CODE", "FEATURE", "REASON"), [(f.reason_code or "-", f.name, f.description or "-") for f in features]))
    out += ["", "HOLDOUT METRICS"]
    if d.metrics is None:
        out.append("none recorded for this version")
    else:
        m = d.metrics
        out.append(table(
            ("ROWS", "AUC", "PRECISION", "RECALL", "F1", "AT THRESHOLD"),
            [(str(m.rows), f"{m.auc:.4f}", f"{m.precision:.4f}", f"{m.recall:.4f}", f"{m.f1:.4f}", f"{m.threshold:g}")],
        ))
    return "\n".join(out)


def render_json(description: ModelDescription) -> str:
    """The description as JSON, each feature with its ``required`` flag spelled out."""
    data: dict[str, Any] = description.model_dump(mode="json")
    features = data.pop("feature_schema")["features"]
    for feature in features:
        feature["required"] = not feature["nullable"]
    data["features"] = features
    return json.dumps(data, indent=2)
