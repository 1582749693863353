"""ScoreError <-> gRPC status with google.rpc details: encoded by the server, decoded by clients.

The one mapping table for gRPC (see the error table in STYLE.md):

=====================  ====================  =============================================
canonical kind         gRPC code             details
=====================  ====================  =============================================
INVALID_INPUT          INVALID_ARGUMENT      google.rpc.BadRequest (field, code: message)
UNKNOWN_MODEL          NOT_FOUND             google.rpc.ResourceInfo (model, version)
CORE_UNAVAILABLE       UNAVAILABLE           - (CANCELLED decodes to it too)
DEADLINE_EXPIRED       DEADLINE_EXCEEDED     -
CORE_FAILURE           INTERNAL              -
ACCESS_DENIED          PERMISSION_DENIED     - (Unauthenticated: UNAUTHENTICATED)
=====================  ====================  =============================================
"""

from __future__ import annotations

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from scoregate.core.errors import (
    AccessDenied,
    CoreFailure,
    CoreUnavailable,
    DeadlineExpired,
    ErrorKind,
    FieldViolation,
    InvalidInput,
    ScoreError,
    Unauthenticated,
    UnknownModel,
    ViolationCode,
)

_CODES = {
    ErrorKind.INVALID_INPUT: code_pb2.INVALID_ARGUMENT,
    ErrorKind.UNKNOWN_MODEL: code_pb2.NOT_FOUND,
    ErrorKind.CORE_UNAVAILABLE: code_pb2.UNAVAILABLE,
    ErrorKind.DEADLINE_EXPIRED: code_pb2.DEADLINE_EXCEEDED,
    ErrorKind.CORE_FAILURE: code_pb2.INTERNAL,
    ErrorKind.ACCESS_DENIED: code_pb2.PERMISSION_DENIED,
}
# BadRequest has no code field: the violation code travels in front of the description.
_SEPARATOR = ": "


def _pack(message) -> any_pb2.Any:  # noqa: ANN001 - any protobuf message
    packed = any_pb2.Any()
    packed.Pack(message)
    return packed


def to_status(error: ScoreError, message: str | None = None) -> grpc.Status:
    """The grpc.Status to abort a call with (``context.abort_with_status``); ``message`` replaces
    the error's own (the V2 endpoint spells every field reason out in it)."""
    details = []
    if isinstance(error, InvalidInput):
        details.append(
            _pack(
                error_details_pb2.BadRequest(
                    field_violations=[
                        error_details_pb2.BadRequest.FieldViolation(
                            field=v.field, description=f"{v.code.value}{_SEPARATOR}{v.message}"
                        )
                        for v in error.violations
                    ]
                )
            )
        )
    elif isinstance(error, UnknownModel):
        details.append(
            _pack(error_details_pb2.ResourceInfo(resource_type="model", resource_name=error.model, description=error.version or ""))
        )
    code = code_pb2.UNAUTHENTICATED if isinstance(error, Unauthenticated) else _CODES[error.kind]
    return rpc_status.to_status(status_pb2.Status(code=code, message=message or error.message, details=details))


def _violations(status: status_pb2.Status) -> list[FieldViolation]:
    out = []
    for detail in status.details:
        bad = error_details_pb2.BadRequest()
        if detail.Unpack(bad):
            for v in bad.field_violations:
                code, _, message = v.description.partition(_SEPARATOR)
                try:
                    out.append(FieldViolation(field=v.field, code=ViolationCode(code), message=message))
                except ValueError:
                    out.append(FieldViolation(field=v.field, code=ViolationCode.MALFORMED, message=v.description))
    return out


def _resource(status: status_pb2.Status) -> error_details_pb2.ResourceInfo | None:
    for detail in status.details:
        info = error_details_pb2.ResourceInfo()
        if detail.Unpack(info):
            return info
    return None


def from_rpc_error(error: grpc.RpcError) -> ScoreError:
    """Classify a failed call, once, for every client. Only CoreUnavailable is retryable."""
    code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
    message = (error.details() if hasattr(error, "details") else None) or str(code)
    try:
        status = rpc_status.from_call(error)
    except ValueError:
        status = None
    if code == grpc.StatusCode.INVALID_ARGUMENT:
        violations = _violations(status) if status else []
        if violations:
            return InvalidInput(violations)
        # The core always names the fields; a bare INVALID_ARGUMENT comes from the channel or a
        # foreign server: a server-side problem, never the caller's.
        return CoreFailure("scoring core rejected the call (INVALID_ARGUMENT without field details)")
    if code == grpc.StatusCode.NOT_FOUND:
        info = _resource(status) if status else None
        return UnknownModel(info.resource_name if info else message, (info.description or None) if info else None)
    if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED):
        # Our clients never cancel their own calls; a CANCELLED comes from a core shutting down
        # under a call that had just arrived (seen in test_graceful_stop_finishes_in_flight_calls).
        return CoreUnavailable(f"scoring core unavailable: {message}")
    if code == grpc.StatusCode.DEADLINE_EXCEEDED:
        return DeadlineExpired()
    if code == grpc.StatusCode.UNAUTHENTICATED:
        return Unauthenticated(f"scoring core refused the caller: {message}")
    if code == grpc.StatusCode.PERMISSION_DENIED:
        return AccessDenied(f"scoring core refused the caller: {message}")
    return CoreFailure(f"scoring core failed ({code.name})")
