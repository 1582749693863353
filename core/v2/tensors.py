"""V2 tensors <-> the model's float64 matrix and a scored batch.

Inputs are FP32 or FP64 (INT32/INT64 too, for whole-number features): either one ``[N, F]``
tensor in the model's feature order (any name: V2 tools call it ``input-0``), or one ``[N]`` or
``[N, 1]`` tensor per feature, named after the features. Contents come typed
(``contents.fp64_contents`` ...) or raw (``raw_input_contents``, little-endian, row-major), as the
protocol allows. What cannot be read is an ``InvalidInput`` naming the tensor, so the caller gets
INVALID_ARGUMENT with the field reasons the core gives everywhere.

Outputs go as ``raw_output_contents`` (the protocol forbids mixing raw and typed outputs).
"""

from __future__ import annotations

import functools
import struct
from collections.abc import Mapping, Sequence

import numpy as np

from scoregate.core.contract import BatchResult, FeatureSchema
from scoregate.core.errors import FieldViolation, InvalidInput, ViolationCode

#: V2 datatype -> (numpy little-endian dtype, the typed contents field that carries it)
DATATYPES: dict[str, tuple[str, str]] = {
    "FP64": ("<f8", "fp64_contents"),
    "FP32": ("<f4", "fp32_contents"),
    "INT64": ("<i8", "int64_contents"),
    "INT32": ("<i4", "int_contents"),
}

#: Request parameters the core reads (``ModelInferRequest.parameters``).
REASON_COUNT = "reason_count"
REASON_BANDS = "reason_bands"
CONTRIBUTIONS = "contributions"

#: Output tensor names.
PROBABILITY = "probability"
DECISION = "decision"
REASON_CODES = "reason_codes"
REASON_FEATURES = "reason_features"
REASON_CONTRIBUTIONS = "reason_contributions"
OUTPUTS = (PROBABILITY, DECISION, REASON_CODES, REASON_FEATURES, REASON_CONTRIBUTIONS, CONTRIBUTIONS)


def malformed(field: str, message: str) -> InvalidInput:
    return InvalidInput([FieldViolation(field=field, code=ViolationCode.MALFORMED, message=message)])


def tensor_values(tensor, raw: bytes | None) -> np.ndarray:  # noqa: ANN001 - an InferInputTensor message
    """One input tensor's values, flat float64 (reshaped by the caller)."""
    kind = DATATYPES.get(tensor.datatype)
    if kind is None:
        raise InvalidInput([FieldViolation(
            field=tensor.name, code=ViolationCode.WRONG_TYPE,
            message=f"datatype {tensor.datatype or '(none)'} is not one of {', '.join(DATATYPES)}")])
    dtype, field = kind
    if raw is not None:
        if len(raw) % np.dtype(dtype).itemsize:
            raise malformed(tensor.name, f"{len(raw)} raw bytes are not whole {tensor.datatype} values")
        values = np.frombuffer(raw, dtype=dtype)
    else:
        values = np.asarray(getattr(tensor.contents, field), dtype=dtype)
    return values.astype(np.float64, copy=False)


def _shape(tensor, count: int) -> tuple[int, ...]:  # noqa: ANN001
    shape = tuple(int(d) for d in tensor.shape)
    if not shape or any(d < 0 for d in shape) or int(np.prod(shape)) != count:
        raise malformed(tensor.name, f"shape {list(shape)} does not match its {count} values")
    return shape


def request_matrix(inputs: Sequence, raw: Sequence[bytes], schema: FeatureSchema) -> np.ndarray:
    """The float64 matrix (rows x features, schema order) of a request's input tensors."""
    if raw and len(raw) != len(inputs):
        raise malformed("raw_input_contents", f"{len(raw)} raw contents for {len(inputs)} inputs")
    names = schema.names
    if len(inputs) == 1 and inputs[0].name not in schema:
        tensor = inputs[0]
        values = tensor_values(tensor, raw[0] if raw else None)
        shape = _shape(tensor, values.size)
        if len(shape) != 2 or shape[1] != len(names):
            raise malformed(tensor.name, f"shape {list(shape)}: one tensor must be [rows, {len(names)}] "
                                          f"(features in the model's order), or send one tensor per feature")
        return values.reshape(shape)
    columns: dict[str, np.ndarray] = {}
    problems = []
    for i, tensor in enumerate(inputs):
        if tensor.name not in schema:
            problems.append(FieldViolation(field=tensor.name, code=ViolationCode.UNKNOWN_FEATURE, message="is not a feature of this model"))
            continue
        values = tensor_values(tensor, raw[i] if raw else None)
        shape = _shape(tensor, values.size)
        if len(shape) > 2 or (len(shape) == 2 and shape[1] != 1):
            raise malformed(tensor.name, f"shape {list(shape)}: a feature's tensor is [rows] or [rows, 1]")
        columns[tensor.name] = values
    problems += [FieldViolation(field=n, code=ViolationCode.MISSING, message="input tensor is missing")
                 for n in names if n not in columns]
    if problems:
        raise InvalidInput(problems)
    rows = {len(c) for c in columns.values()}
    if len(rows) != 1:
        raise malformed("inputs", f"the feature tensors have different row counts ({', '.join(map(str, sorted(rows)))})")
    return np.column_stack([columns[n] for n in names])


def parameter(parameters: Mapping, name: str) -> bool | int | str | None:  # noqa: ANN001 - a protobuf map
    """A request parameter's value, whichever of the oneof carries it; None when absent."""
    if name not in parameters:
        return None
    value = parameters[name]
    which = value.WhichOneof("parameter_choice")
    return getattr(value, which) if which else None


def reason_request(parameters: Mapping) -> tuple[int, tuple[str, ...], bool]:
    """(reason_count, reason_bands, contributions) asked through request parameters."""
    count = parameter(parameters, REASON_COUNT) or 0
    try:
        count = int(count)
    except ValueError:
        raise malformed(REASON_COUNT, f"{count!r} is not a whole number") from None
    if not 0 <= count <= 32:
        raise InvalidInput([FieldViolation(field=REASON_COUNT, code=ViolationCode.OUT_OF_RANGE, message="must be between 0 and 32")])
    bands = parameter(parameters, REASON_BANDS) or ""
    wanted = tuple(b.strip() for b in str(bands).split(",") if b.strip())
    contributions = parameter(parameters, CONTRIBUTIONS)
    return count, wanted, contributions in (True, "true", "1", 1)


@functools.lru_cache(maxsize=256)
def _elements(table: tuple[str, ...]) -> list[bytes]:
    """Each value as a BYTES element: its 4-byte little-endian length, then its bytes."""
    return [struct.pack("<I", len(data)) + data for data in (value.encode() for value in table)]


def bytes_raw(table: Sequence[str], indexes: np.ndarray) -> bytes:
    """A BYTES tensor's raw contents, each element a 4-byte little-endian length and its bytes: the
    element ``table[i]`` for each ``i`` of ``indexes`` (band names, reason codes: a few distinct values,
    each encoded once; 1,000 decisions cost 0.4 ms one by one)."""
    encoded = _elements(tuple(table))
    return b"".join([encoded[i] for i in indexes.ravel().tolist()])


def rows_violations(rejects: Mapping[int, Sequence[FieldViolation]], rows: int) -> list[FieldViolation]:
    """A batch's rejected rows as one request's violations: the same fields, codes and messages as
    a ``Score`` call; with more than one row, the message says which."""
    if rows == 1:
        return [v for violations in rejects.values() for v in violations]
    return [v.model_copy(update={"message": f"row {row}: {v.message}"}) for row, violations in sorted(rejects.items()) for v in violations]


def response_outputs(
    result: BatchResult, reason_count: int, contributions: np.ndarray | None, wanted: Sequence[str],
) -> list[tuple[str, str, tuple[int, ...], bytes]]:
    """(name, datatype, shape, raw bytes) of each output: every one the model gives, or ``wanted``."""
    rows = result.rows
    out: list[tuple[str, str, tuple[int, ...], bytes]] = [
        (PROBABILITY, "FP64", (rows,), np.ascontiguousarray(result.probabilities, dtype="<f8").tobytes()),
    ]
    indexes = np.minimum(result.decisions, len(result.band_names))  # a rejected row's slot: ""
    out.append((DECISION, "BYTES", (rows,), bytes_raw((*result.band_names, ""), indexes)))
    if reason_count:
        features = result.reason_features
        out.append((REASON_CODES, "BYTES", features.shape, bytes_raw((*result.reason_codes, ""), features)))  # -1: ""
        out.append((REASON_FEATURES, "INT32", features.shape, np.ascontiguousarray(features, dtype="<i4").tobytes()))
        out.append((REASON_CONTRIBUTIONS, "FP64", features.shape,
                    np.ascontiguousarray(result.reason_contributions, dtype="<f8").tobytes()))
    if contributions is not None:
        out.append((CONTRIBUTIONS, "FP64", contributions.shape, np.ascontiguousarray(contributions, dtype="<f8").tobytes()))
    if wanted:
        known = {o[0] for o in out}
        unknown = [w for w in wanted if w not in known]
        if unknown:
            raise InvalidInput([FieldViolation(field=n, code=ViolationCode.UNKNOWN_FEATURE,
                                               message=f"no such output (outputs: {', '.join(sorted(known))})") for n in unknown])
        out = [o for o in out if o[0] in wanted]
    return out

