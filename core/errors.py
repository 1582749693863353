"""Canonical errors: protocol-neutral, each with a kind and structured fields.

Every channel maps these, by ``kind``, in exactly one module of its own (``core/status.py`` for
gRPC). Nothing here knows an HTTP, gRPC or SOAP code.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class ErrorKind(StrEnum):
    INVALID_INPUT = "invalid_input"
    UNKNOWN_MODEL = "unknown_model"
    CORE_UNAVAILABLE = "core_unavailable"
    DEADLINE_EXPIRED = "deadline_expired"
    # The core failed on a valid request: a server-side error, never the caller's fault.
    CORE_FAILURE = "core_failure"
    # The core refused the caller (no credential, or one not allowed this model): the gateway's
    # setup is wrong, never the legacy caller's input.
    ACCESS_DENIED = "access_denied"


class ViolationCode(StrEnum):
    UNKNOWN_FEATURE = "UNKNOWN_FEATURE"
    MISSING = "MISSING"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    WRONG_TYPE = "WRONG_TYPE"
    UNKNOWN_CATEGORY = "UNKNOWN_CATEGORY"
    NOT_A_NUMBER = "NOT_A_NUMBER"
    # Wire syntax (raised by a channel's codec before the core sees the request).
    MALFORMED = "MALFORMED"


class FieldViolation(BaseModel):
    """One bad field: where, what kind of problem, and a message fit for the caller."""

    model_config = ConfigDict(frozen=True)

    field: str
    code: ViolationCode
    message: str


class ScoreError(Exception):
    """Base of every canonical error. ``retryable`` tells a channel to retry rather than answer."""

    kind: ErrorKind = ErrorKind.CORE_FAILURE
    retryable: bool = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(ScoreError):
    kind = ErrorKind.INVALID_INPUT

    def __init__(self, violations: list[FieldViolation] | tuple[FieldViolation, ...]) -> None:
        self.violations = tuple(violations)
        fields = ", ".join(f"{v.field}: {v.code.value}" for v in self.violations[:5])
        more = f" (+{len(self.violations) - 5} more)" if len(self.violations) > 5 else ""
        super().__init__(f"invalid input: {fields}{more}")


class UnknownModel(ScoreError):
    kind = ErrorKind.UNKNOWN_MODEL

    def __init__(self, model: str, version: str | None = None) -> None:
        self.model = model
        self.version = version or None
        what = f"model {model!r} version {version!r}" if version else f"model {model!r}"
        super().__init__(f"unknown {what}")


class CoreUnavailable(ScoreError):
    kind = ErrorKind.CORE_UNAVAILABLE
    retryable = True


class DeadlineExpired(ScoreError):
    kind = ErrorKind.DEADLINE_EXPIRED

    def __init__(self, message: str = "the caller's deadline passed before the request was scored") -> None:
        super().__init__(message)


class CoreFailure(ScoreError):
    kind = ErrorKind.CORE_FAILURE


class AccessDenied(ScoreError):
    """The core refused the caller: its credential is not allowed this call (PERMISSION_DENIED)."""

    kind = ErrorKind.ACCESS_DENIED


class Unauthenticated(AccessDenied):
    """The caller presented no credential the core accepts (UNAUTHENTICATED)."""
