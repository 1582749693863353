"""Protobuf <-> canonical contract, in one place for the server and both clients.

Pairs carry the direction in their name: ``to_proto_*`` builds a message, ``from_proto_*`` reads
one. Matrices and result columns travel as little-endian bytes (``np.frombuffer``), never as
repeated fields converted element by element.
"""

from __future__ import annotations

import numpy as np

from scoregate.core._generated import scoring_pb2 as pb
from scoregate.core.contract import (
    BatchResult,
    CallerRef,
    ColumnBatch,
    DecisionBand,
    FeatureKind,
    FeatureSchema,
    FeatureSpec,
    FeatureValue,
    HoldoutMetrics,
    ModelDescription,
    ScoreRequest,
    ScoreResult,
)
from scoregate.core.errors import FieldViolation, ViolationCode

_F8 = np.dtype("<f8")
_I4 = np.dtype("<i4")


def from_proto_value(value: pb.FeatureValue) -> FeatureValue:
    which = value.WhichOneof("value")
    return None if which in (None, "missing") else getattr(value, which)


def from_proto_features(features) -> dict[str, FeatureValue]:  # noqa: ANN001 - protobuf map field
    """A request's feature map as plain values (the server's hot path: one loop, no call per value;
    keys then lookups, which is a fifth cheaper than ``items()`` on a protobuf map)."""
    out: dict[str, FeatureValue] = {}
    for name in features:
        value = features[name]
        which = value.WhichOneof("value")
        out[name] = None if which is None or which == "missing" else getattr(value, which)
    return out


def to_proto_request(request: ScoreRequest) -> pb.ScoreRequest:
    message = pb.ScoreRequest(
        request_id=request.request_id,
        model=request.model,
        version=request.version or "",
        caller=pb.CallerRef(reference=request.caller.reference, channel=request.caller.channel),
        reason_count=request.reason_count,
        reason_bands=request.reason_bands,
    )
    # Values set in place in the map: a third of the cost of building FeatureValue messages that
    # the map constructor then copies (the gateway's hot path, once per request).
    features = message.features
    for name, value in request.features.items():
        if value is None:
            features[name].missing = True
        elif isinstance(value, int):  # bool too: legacy flags are 0/1
            features[name].integer = value
        elif isinstance(value, float):
            features[name].number = value
        else:
            features[name].category = value
    return message


def to_proto_result(result: ScoreResult) -> pb.ScoreResult:
    return pb.ScoreResult(
        request_id=result.request_id,
        model=result.model,
        version=result.version,
        probability=result.probability,
        decision=result.decision,
        reasons=[pb.ReasonCode(feature=r.feature, code=r.code, contribution=r.contribution) for r in result.reasons],
        core_micros=result.core_micros,
    )


def from_proto_result(message: pb.ScoreResult) -> ScoreResult:
    return ScoreResult(
        request_id=message.request_id,
        model=message.model,
        version=message.version,
        probability=message.probability,
        decision=message.decision,
        # As plain dicts: pydantic validates them with the result in one call, a third of the cost
        # of building each ReasonCode first (a result per request on the gateway's hot path).
        reasons=[{"feature": r.feature, "code": r.code, "contribution": r.contribution} for r in message.reasons],
        core_micros=message.core_micros,
    )


def result_from_batch(result: BatchResult, row: int, request_id: str) -> ScoreResult:
    """One row of a scored batch (the micro-batcher's output) as a single result."""
    return ScoreResult(
        request_id=request_id,
        model=result.model,
        version=result.version,
        probability=float(result.probabilities[row]),
        decision=result.decision(row) or "",
        reasons=_reason_items(result, row),
        core_micros=result.core_micros,
    )


def _reason_items(result: BatchResult, row: int) -> list[dict]:
    """``result.reasons(row)`` as dicts for the result's own validation (see from_proto_result)."""
    out = []
    for index, contribution in zip(result.reason_features[row].tolist(), result.reason_contributions[row].tolist()):
        if index < 0:
            break
        out.append({"feature": result.feature_names[index], "code": result.reason_codes[index], "contribution": contribution})
    return out


def to_proto_result_row(result: BatchResult, row: int, request_id: str) -> pb.ScoreResult:
    """One row of a scored batch straight to protobuf (the single-row hot path: no pydantic)."""
    message = pb.ScoreResult(
        request_id=request_id,
        model=result.model,
        version=result.version,
        probability=float(result.probabilities[row]),
        decision=result.decision(row) or "",
        core_micros=result.core_micros,
    )
    for index, contribution in zip(result.reason_features[row].tolist(), result.reason_contributions[row].tolist()):
        if index < 0:
            break
        message.reasons.add(feature=result.feature_names[index], code=result.reason_codes[index], contribution=contribution)
    return message


def to_proto_batch(
    batch: ColumnBatch, model: str, version: str | None = None, reason_count: int = 0, batch_id: str = "",
    caller: CallerRef | None = None, reason_bands: tuple[str, ...] = (),
) -> pb.BatchRequest:
    caller = caller or CallerRef()
    return pb.BatchRequest(
        batch_id=batch_id,
        model=model,
        version=version or "",
        feature_names=batch.feature_names,
        rows=batch.rows,
        matrix=np.ascontiguousarray(batch.matrix, dtype=_F8).tobytes(),
        row_ids=batch.row_ids,
        reason_count=reason_count,
        caller=pb.CallerRef(reference=caller.reference, channel=caller.channel),
        reason_bands=reason_bands,
    )


def from_proto_batch(message: pb.BatchRequest) -> ColumnBatch:
    """Raises ValueError when the matrix size does not match rows x columns."""
    columns = len(message.feature_names)
    matrix = np.frombuffer(message.matrix, dtype=_F8)
    if matrix.size != message.rows * columns:
        raise ValueError(f"matrix holds {matrix.size} values, expected {message.rows} x {columns}")
    return ColumnBatch(
        feature_names=tuple(message.feature_names),
        matrix=matrix.reshape(message.rows, columns),
        row_ids=tuple(message.row_ids),
    )


def to_proto_violations(violations: tuple[FieldViolation, ...] | list[FieldViolation]) -> list[pb.FieldViolation]:
    return [pb.FieldViolation(field=v.field, code=v.code.value, message=v.message) for v in violations]


def from_proto_violations(messages) -> tuple[FieldViolation, ...]:  # noqa: ANN001 - repeated field
    return tuple(FieldViolation(field=m.field, code=ViolationCode(m.code), message=m.message) for m in messages)


def to_proto_batch_result(result: BatchResult, batch_id: str = "") -> pb.BatchResponse:
    return pb.BatchResponse(
        batch_id=batch_id,
        model=result.model,
        version=result.version,
        rows=result.rows,
        probabilities=result.probabilities.astype(_F8, copy=False).tobytes(),
        decisions=result.decisions.astype(np.uint8, copy=False).tobytes(),
        reason_features=result.reason_features.astype(_I4, copy=False).tobytes(),
        reason_contributions=result.reason_contributions.astype(_F8, copy=False).tobytes(),
        reason_count=result.reason_features.shape[1],
        rejects=[pb.RowReject(row=r, violations=to_proto_violations(v)) for r, v in result.rejects.items()],
        core_micros=result.core_micros,
    )


def from_proto_batch_result(message: pb.BatchResponse, description: ModelDescription) -> BatchResult:
    """Band names and reason codes come from the model's description (DescribeModel)."""
    rows, k = message.rows, message.reason_count
    features = description.feature_schema.features
    return BatchResult(
        model=message.model,
        version=message.version,
        probabilities=np.frombuffer(message.probabilities, dtype=_F8),
        decisions=np.frombuffer(message.decisions, dtype=np.uint8),
        band_names=tuple(b.name for b in description.bands),
        reason_features=np.frombuffer(message.reason_features, dtype=_I4).reshape(rows, k),
        reason_contributions=np.frombuffer(message.reason_contributions, dtype=_F8).reshape(rows, k),
        feature_names=tuple(f.name for f in features),
        reason_codes=tuple(f.reason_code for f in features),
        rejects={r.row: from_proto_violations(r.violations) for r in message.rejects},
        core_micros=message.core_micros,
    )


def to_proto_feature(spec: FeatureSpec) -> pb.FeatureSpec:
    return pb.FeatureSpec(
        name=spec.name, kind=spec.kind.value, minimum=spec.minimum, maximum=spec.maximum,
        nullable=spec.nullable, codes=spec.codes, reason_code=spec.reason_code, description=spec.description,
        unit=spec.unit,
    )


def from_proto_feature(message: pb.FeatureSpec) -> FeatureSpec:
    return FeatureSpec(
        name=message.name,
        kind=FeatureKind(message.kind),
        minimum=message.minimum if message.HasField("minimum") else None,
        maximum=message.maximum if message.HasField("maximum") else None,
        nullable=message.nullable,
        codes=tuple(message.codes),
        reason_code=message.reason_code,
        description=message.description,
        unit=message.unit,
    )


def to_proto_description(description: ModelDescription) -> pb.ModelDescription:
    return pb.ModelDescription(
        model=description.name,
        version=description.version,
        features=[to_proto_feature(f) for f in description.feature_schema.features],
        bands=[pb.DecisionBand(name=b.name, upper=b.upper) for b in description.bands],
        contributions=description.contributions,
        aliases=["default"] if description.is_default else [],
        description=description.description,
        metrics=pb.HoldoutMetrics(**description.metrics.model_dump()) if description.metrics else None,
    )


def from_proto_description(message: pb.ModelDescription) -> ModelDescription:
    return ModelDescription(
        name=message.model,
        version=message.version,
        feature_schema=FeatureSchema(features=tuple(from_proto_feature(f) for f in message.features)),
        bands=tuple(DecisionBand(name=b.name, upper=b.upper) for b in message.bands),
        contributions=message.contributions or "approx",
        is_default="default" in message.aliases,
        description=message.description,
        metrics=HoldoutMetrics(**{f: getattr(message.metrics, f) for f in HoldoutMetrics.model_fields})
        if message.HasField("metrics") else None,
    )

