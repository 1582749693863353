from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FeatureValue(_message.Message):
    __slots__ = ("number", "integer", "category", "missing")
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    INTEGER_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    MISSING_FIELD_NUMBER: _ClassVar[int]
    number: float
    integer: int
    category: str
    missing: bool
    def __init__(self, number: _Optional[float] = ..., integer: _Optional[int] = ..., category: _Optional[str] = ..., missing: _Optional[bool] = ...) -> None: ...

class CallerRef(_message.Message):
    __slots__ = ("reference", "channel")
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    reference: str
    channel: str
    def __init__(self, reference: _Optional[str] = ..., channel: _Optional[str] = ...) -> None: ...

class ScoreRequest(_message.Message):
    __slots__ = ("request_id", "model", "version", "features", "caller", "reason_count", "reason_bands")
    class FeaturesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: FeatureValue
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[FeatureValue, _Mapping]] = ...) -> None: ...
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    CALLER_FIELD_NUMBER: _ClassVar[int]
    REASON_COUNT_FIELD_NUMBER: _ClassVar[int]
    REASON_BANDS_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    model: str
    version: str
    features: _containers.MessageMap[str, FeatureValue]
    caller: CallerRef
    reason_count: int
    reason_bands: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, request_id: _Optional[str] = ..., model: _Optional[str] = ..., version: _Optional[str] = ..., features: _Optional[_Mapping[str, FeatureValue]] = ..., caller: _Optional[_Union[CallerRef, _Mapping]] = ..., reason_count: _Optional[int] = ..., reason_bands: _Optional[_Iterable[str]] = ...) -> None: ...

class ReasonCode(_message.Message):
    __slots__ = ("feature", "code", "contribution")
    FEATURE_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    CONTRIBUTION_FIELD_NUMBER: _ClassVar[int]
    feature: str
    code: str
    contribution: float
    def __init__(self, feature: _Optional[str] = ..., code: _Optional[str] = ..., contribution: _Optional[float] = ...) -> None: ...

class ScoreResult(_message.Message):
    __slots__ = ("request_id", "model", "version", "probability", "decision", "reasons", "core_micros")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    PROBABILITY_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    CORE_MICROS_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    model: str
    version: str
    probability: float
    decision: str
    reasons: _containers.RepeatedCompositeFieldContainer[ReasonCode]
    core_micros: int
    def __init__(self, request_id: _Optional[str] = ..., model: _Optional[str] = ..., version: _Optional[str] = ..., probability: _Optional[float] = ..., decision: _Optional[str] = ..., reasons: _Optional[_Iterable[_Union[ReasonCode, _Mapping]]] = ..., core_micros: _Optional[int] = ...) -> None: ...

class ScoreResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: ScoreResult
    def __init__(self, result: _Optional[_Union[ScoreResult, _Mapping]] = ...) -> None: ...

class BatchRequest(_message.Message):
    __slots__ = ("batch_id", "model", "version", "feature_names", "rows", "matrix", "row_ids", "reason_count", "caller", "reason_bands")
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    FEATURE_NAMES_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    MATRIX_FIELD_NUMBER: _ClassVar[int]
    ROW_IDS_FIELD_NUMBER: _ClassVar[int]
    REASON_COUNT_FIELD_NUMBER: _ClassVar[int]
    CALLER_FIELD_NUMBER: _ClassVar[int]
    REASON_BANDS_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    model: str
    version: str
    feature_names: _containers.RepeatedScalarFieldContainer[str]
    rows: int
    matrix: bytes
    row_ids: _containers.RepeatedScalarFieldContainer[str]
    reason_count: int
    caller: CallerRef
    reason_bands: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, batch_id: _Optional[str] = ..., model: _Optional[str] = ..., version: _Optional[str] = ..., feature_names: _Optional[_Iterable[str]] = ..., rows: _Optional[int] = ..., matrix: _Optional[bytes] = ..., row_ids: _Optional[_Iterable[str]] = ..., reason_count: _Optional[int] = ..., caller: _Optional[_Union[CallerRef, _Mapping]] = ..., reason_bands: _Optional[_Iterable[str]] = ...) -> None: ...

class FieldViolation(_message.Message):
    __slots__ = ("field", "code", "message")
    FIELD_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    field: str
    code: str
    message: str
    def __init__(self, field: _Optional[str] = ..., code: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class RowReject(_message.Message):
    __slots__ = ("row", "violations")
    ROW_FIELD_NUMBER: _ClassVar[int]
    VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    row: int
    violations: _containers.RepeatedCompositeFieldContainer[FieldViolation]
    def __init__(self, row: _Optional[int] = ..., violations: _Optional[_Iterable[_Union[FieldViolation, _Mapping]]] = ...) -> None: ...

class BatchResponse(_message.Message):
    __slots__ = ("batch_id", "model", "version", "rows", "probabilities", "decisions", "reason_features", "reason_contributions", "reason_count", "rejects", "core_micros")
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    PROBABILITIES_FIELD_NUMBER: _ClassVar[int]
    DECISIONS_FIELD_NUMBER: _ClassVar[int]
    REASON_FEATURES_FIELD_NUMBER: _ClassVar[int]
    REASON_CONTRIBUTIONS_FIELD_NUMBER: _ClassVar[int]
    REASON_COUNT_FIELD_NUMBER: _ClassVar[int]
    REJECTS_FIELD_NUMBER: _ClassVar[int]
    CORE_MICROS_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    model: str
    version: str
    rows: int
    probabilities: bytes
    decisions: bytes
    reason_features: bytes
    reason_contributions: bytes
    reason_count: int
    rejects: _containers.RepeatedCompositeFieldContainer[RowReject]
    core_micros: int
    def __init__(self, batch_id: _Optional[str] = ..., model: _Optional[str] = ..., version: _Optional[str] = ..., rows: _Optional[int] = ..., probabilities: _Optional[bytes] = ..., decisions: _Optional[bytes] = ..., reason_features: _Optional[bytes] = ..., reason_contributions: _Optional[bytes] = ..., reason_count: _Optional[int] = ..., rejects: _Optional[_Iterable[_Union[RowReject, _Mapping]]] = ..., core_micros: _Optional[int] = ...) -> None: ...

class DescribeModelRequest(_message.Message):
    __slots__ = ("model", "version")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    model: str
    version: str
    def __init__(self, model: _Optional[str] = ..., version: _Optional[str] = ...) -> None: ...

class FeatureSpec(_message.Message):
    __slots__ = ("name", "kind", "minimum", "maximum", "nullable", "codes", "reason_code", "description", "unit")
    NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    MINIMUM_FIELD_NUMBER: _ClassVar[int]
    MAXIMUM_FIELD_NUMBER: _ClassVar[int]
    NULLABLE_FIELD_NUMBER: _ClassVar[int]
    CODES_FIELD_NUMBER: _ClassVar[int]
    REASON_CODE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    name: str
    kind: str
    minimum: float
    maximum: float
    nullable: bool
    codes: _containers.RepeatedScalarFieldContainer[str]
    reason_code: str
    description: str
    unit: str
    def __init__(self, name: _Optional[str] = ..., kind: _Optional[str] = ..., minimum: _Optional[float] = ..., maximum: _Optional[float] = ..., nullable: _Optional[bool] = ..., codes: _Optional[_Iterable[str]] = ..., reason_code: _Optional[str] = ..., description: _Optional[str] = ..., unit: _Optional[str] = ...) -> None: ...

class DecisionBand(_message.Message):
    __slots__ = ("name", "upper")
    NAME_FIELD_NUMBER: _ClassVar[int]
    UPPER_FIELD_NUMBER: _ClassVar[int]
    name: str
    upper: float
    def __init__(self, name: _Optional[str] = ..., upper: _Optional[float] = ...) -> None: ...

class ModelDescription(_message.Message):
    __slots__ = ("model", "version", "features", "bands", "contributions", "aliases", "description", "metrics")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    BANDS_FIELD_NUMBER: _ClassVar[int]
    CONTRIBUTIONS_FIELD_NUMBER: _ClassVar[int]
    ALIASES_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    model: str
    version: str
    features: _containers.RepeatedCompositeFieldContainer[FeatureSpec]
    bands: _containers.RepeatedCompositeFieldContainer[DecisionBand]
    contributions: str
    aliases: _containers.RepeatedScalarFieldContainer[str]
    description: str
    metrics: HoldoutMetrics
    def __init__(self, model: _Optional[str] = ..., version: _Optional[str] = ..., features: _Optional[_Iterable[_Union[FeatureSpec, _Mapping]]] = ..., bands: _Optional[_Iterable[_Union[DecisionBand, _Mapping]]] = ..., contributions: _Optional[str] = ..., aliases: _Optional[_Iterable[str]] = ..., description: _Optional[str] = ..., metrics: _Optional[_Union[HoldoutMetrics, _Mapping]] = ...) -> None: ...

class HoldoutMetrics(_message.Message):
    __slots__ = ("rows", "auc", "precision", "recall", "f1", "threshold")
    ROWS_FIELD_NUMBER: _ClassVar[int]
    AUC_FIELD_NUMBER: _ClassVar[int]
    PRECISION_FIELD_NUMBER: _ClassVar[int]
    RECALL_FIELD_NUMBER: _ClassVar[int]
    F1_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    rows: int
    auc: float
    precision: float
    recall: float
    f1: float
    threshold: float
    def __init__(self, rows: _Optional[int] = ..., auc: _Optional[float] = ..., precision: _Optional[float] = ..., recall: _Optional[float] = ..., f1: _Optional[float] = ..., threshold: _Optional[float] = ...) -> None: ...

class ListModelsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ModelVersionInfo(_message.Message):
    __slots__ = ("model", "version", "is_default", "state", "error")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    IS_DEFAULT_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    model: str
    version: str
    is_default: bool
    state: str
    error: str
    def __init__(self, model: _Optional[str] = ..., version: _Optional[str] = ..., is_default: _Optional[bool] = ..., state: _Optional[str] = ..., error: _Optional[str] = ...) -> None: ...

class ListModelsResponse(_message.Message):
    __slots__ = ("models",)
    MODELS_FIELD_NUMBER: _ClassVar[int]
    models: _containers.RepeatedCompositeFieldContainer[ModelVersionInfo]
    def __init__(self, models: _Optional[_Iterable[_Union[ModelVersionInfo, _Mapping]]] = ...) -> None: ...
