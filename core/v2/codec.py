"""The gateway's side of KServe V2: canonical requests -> ``ModelInferRequest``, answers -> results.

Any V2 server (MLServer, Triton, KServe, a scoregate core) only predicts; what scoregate adds
around the prediction is done here with the core's own code, against the model's metadata
(``metadata.json``, from a local models directory or a path: :class:`MetadataCatalog`):
validation and encoding (``encoder.encode_features``, ``validation.validate_matrix``), decisions
by the metadata's bands and top-N reason codes from contributions (``scoring.decide``,
``scoring.top_reasons``), the same functions the core scores with.

Requests carry one ``[N, F]`` FP64 tensor (``input-0``) in the model's feature order, and, when
reasons are asked, the parameter ``contributions = true``: a server that answers with an output
named ``contributions`` (``[N, F + 1]``, the bias last, as the scoregate core does) gets reason
codes; from any other the reasons are left out. The probability is the output named
``probability``, else the first output (MLServer's ``predict``); a two-column output (both classes'
probabilities) gives its second column.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from scoregate.core._generated import grpc_predict_v2_pb2 as v2
from scoregate.core.contract import REJECTED, BatchResult, ModelDescription, ModelMetadata
from scoregate.core.errors import CoreFailure, FieldViolation, InvalidInput, UnknownModel, ViolationCode
from scoregate.core.registry import METADATA_FILE, version_key
from scoregate.core.scoring import band_uppers, decide, top_reasons
from scoregate.core.settings import ClientSettings
from scoregate.core.v2 import tensors

INPUT = "input-0"


class MetadataCatalog:
    """The models' metadata the gateway scores against, read once when the client starts."""

    def __init__(self, settings: ClientSettings) -> None:
        self._versions: dict[str, dict[str, ModelMetadata]] = {}
        files: list[Path] = []
        for root in (settings.models_dir, settings.metadata):
            if root is None:
                continue
            if root.is_file():
                files.append(root)
            elif root.is_dir():
                files += sorted(root.glob(f"*/*/{METADATA_FILE}")) + sorted(root.glob(METADATA_FILE))
            else:
                raise ValueError(f"model metadata: {root} is neither a metadata.json nor a folder")
        for file in files:
            meta = ModelMetadata.model_validate_json(file.read_bytes())
            self._versions.setdefault(meta.name, {})[meta.version] = meta
        if not self._versions:
            raise ValueError(f"model metadata: no {METADATA_FILE} under {settings.models_dir or settings.metadata}")

    def get(self, model: str, version: str | None = None) -> ModelMetadata:
        """A version's metadata (None: the highest version); raises UnknownModel."""
        versions = self._versions.get(model, {})
        key = version if version else (max(versions, key=version_key) if versions else None)
        if key not in versions:
            raise UnknownModel(model, version)
        return versions[key]

    def describe(self, model: str, version: str | None = None) -> ModelDescription:
        meta = self.get(model, version)
        return ModelDescription(
            name=meta.name, version=meta.version, feature_schema=meta.feature_schema, bands=meta.bands,
            contributions=meta.contributions, is_default=meta.version == self.get(model).version,
            description=meta.description, metrics=meta.metrics,
        )

    def versions(self) -> list[tuple[str, str, bool]]:
        """(model, version, is default) of every version known."""
        return [(name, v, v == self.get(name).version) for name, vs in sorted(self._versions.items()) for v in sorted(vs, key=version_key)]


def infer_request(meta: ModelMetadata, version: str | None, matrix: np.ndarray, reasons: bool, request_id: str) -> v2.ModelInferRequest:
    """One ``[N, F]`` FP64 tensor; ``model_version`` only when the caller pinned one."""
    request = v2.ModelInferRequest(model_name=meta.name, model_version=version or "", id=request_id)
    request.inputs.add(name=INPUT, datatype="FP64", shape=matrix.shape)
    request.raw_input_contents.append(np.ascontiguousarray(matrix, dtype="<f8").tobytes())
    if reasons:
        request.parameters[tensors.CONTRIBUTIONS].bool_param = True
    return request


def _output(response: v2.ModelInferResponse, name: str | None) -> np.ndarray | None:
    """An output's values as float64 with its shape (``name`` None: the first output)."""
    for i, output in enumerate(response.outputs):
        if name is None or output.name == name:
            kind = tensors.DATATYPES.get(output.datatype)
            if kind is None:
                raise CoreFailure(f"the V2 server answered {output.name} as {output.datatype}, not a number type")
            dtype, field = kind
            raw = response.raw_output_contents[i] if response.raw_output_contents else None
            values = np.frombuffer(raw, dtype=dtype) if raw is not None else np.asarray(getattr(output.contents, field), dtype=dtype)
            return values.astype(np.float64).reshape([int(d) for d in output.shape])
    return None


def _probabilities(response: v2.ModelInferResponse, rows: int) -> np.ndarray:
    values = _output(response, tensors.PROBABILITY)
    if values is None:
        values = _output(response, None)
    if values is None:
        raise CoreFailure("the V2 server answered without an output")
    if values.ndim == 2 and values.shape[1] in (1, 2):
        values = values[:, -1]  # [N, 1], or both classes' probabilities: the positive one
    if values.shape != (rows,):
        raise CoreFailure(f"the V2 server answered {list(values.shape)} probabilities for {rows} rows")
    return values


def band_indexes(meta: ModelMetadata, names: tuple[str, ...]) -> np.ndarray | None:
    """The named bands' indexes (None: every band), as ``Scorer.reason_bands`` checks them."""
    if not names:
        return None
    known = [b.name for b in meta.bands]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise InvalidInput([FieldViolation(field="reason_bands", code=ViolationCode.UNKNOWN_CATEGORY,
                                           message=f"{', '.join(unknown)}: not a decision band of the model ({', '.join(known)})")])
    return np.array(sorted({known.index(n) for n in names}), dtype=np.uint8)


def batch_result(
    meta: ModelMetadata, response: v2.ModelInferResponse | None, rows: int, reason_count: int,
    bands: np.ndarray | None, rejects: dict[int, tuple[FieldViolation, ...]], micros: int,
) -> BatchResult:
    """The scored rows (those not in ``rejects``, in order, answered by ``response``) as a batch of
    ``rows``, rejected rows NaN and ``REJECTED`` as the core gives them."""
    schema = meta.feature_schema
    count = min(reason_count, len(schema.features))
    probabilities = np.full(rows, np.nan)
    decisions = np.full(rows, REJECTED, dtype=np.uint8)
    features = np.full((rows, count), -1, dtype=np.int32)
    contributions = np.zeros((rows, count))
    good = np.ones(rows, dtype=bool)
    good[list(rejects)] = False
    scored = int(good.sum())
    version = meta.version
    if scored:
        assert response is not None
        version = response.model_version or version
        p = _probabilities(response, scored)
        probabilities[good] = p
        decisions[good] = decide(band_uppers(meta), p)
        full = _output(response, tensors.CONTRIBUTIONS) if count else None
        if full is not None and full.shape == (scored, len(schema.features) + 1):
            top, values = top_reasons(full, count)
            if bands is not None:  # reasons only for rows decided into these bands
                outside = ~np.isin(decisions[good], bands)
                top[outside], values[outside] = -1, 0.0
            features[good], contributions[good] = top, values
    return BatchResult(
        model=meta.name, version=version, probabilities=probabilities, decisions=decisions,
        band_names=tuple(b.name for b in meta.bands), reason_features=features, reason_contributions=contributions,
        feature_names=schema.names, reason_codes=tuple(f.reason_code for f in schema.features), rejects=dict(rejects),
        core_micros=micros,
    )
