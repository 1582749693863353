"""A model version as V2 metadata: one input per feature, the schema in ``parameters``.

Each input is named after its feature, FP64, shape ``[-1, 1]`` (a whole request may instead send
one ``[-1, F]`` tensor in this order, the model-level ``features`` parameter). A feature's
``parameters`` carry what the schema says of it: ``kind``, ``minimum``/``maximum`` (as text, V2
parameters have no double in this protocol version), ``nullable``, ``codes`` (comma-separated: a
category is sent as the index of its code) and ``reason_code``. The model's ``parameters`` carry
``features``, ``bands`` (``NAME:upper`` pairs), ``contributions`` and ``default_version``. The
gateway's V2 client reads the same facts from a model's ``metadata.json`` instead, so it needs no
scoregate server.
"""

from __future__ import annotations

from scoregate.core._generated import grpc_predict_v2_pb2 as v2
from scoregate.core.contract import FeatureSpec, ModelMetadata
from scoregate.core.v2 import tensors as t

_Tensor = v2.ModelMetadataResponse.TensorMetadata

_OUTPUT_TYPES = {  # reasons and contributions only when a request asks (tensors.reason_request)
    t.PROBABILITY: ("FP64", [-1]), t.DECISION: ("BYTES", [-1]), t.REASON_CODES: ("BYTES", [-1, -1]),
    t.REASON_FEATURES: ("INT32", [-1, -1]), t.REASON_CONTRIBUTIONS: ("FP64", [-1, -1]), t.CONTRIBUTIONS: ("FP64", [-1, -1]),
}


def _text(value: bool | float | str) -> v2.InferParameter:
    if isinstance(value, bool):
        return v2.InferParameter(bool_param=value)
    return v2.InferParameter(string_param=value if isinstance(value, str) else f"{value:g}")


def _feature(spec: FeatureSpec) -> _Tensor:
    parameters = {"kind": _text(spec.kind.value), "nullable": _text(spec.nullable)}
    if spec.minimum is not None:
        parameters["minimum"] = _text(spec.minimum)
    if spec.maximum is not None:
        parameters["maximum"] = _text(spec.maximum)
    if spec.codes:
        parameters["codes"] = _text(",".join(spec.codes))
    if spec.reason_code:
        parameters["reason_code"] = _text(spec.reason_code)
    return _Tensor(name=spec.name, datatype="FP64", shape=[-1, 1], parameters=parameters)


def model_metadata(meta: ModelMetadata, versions: list[str], platform: str, default_version: str) -> v2.ModelMetadataResponse:
    return v2.ModelMetadataResponse(
        name=meta.name,
        versions=versions,
        platform=platform,
        inputs=[_feature(spec) for spec in meta.feature_schema.features],
        outputs=[_Tensor(name=name, datatype=kind, shape=shape) for name, (kind, shape) in _OUTPUT_TYPES.items()],
        parameters={
            "features": _text(",".join(meta.feature_schema.names)),
            "bands": _text(",".join(f"{b.name}:{b.upper:g}" for b in meta.bands)),
            "contributions": _text(meta.contributions),
            "default_version": _text(default_version),
            "version": _text(meta.version),
        },
    )
