"""Checks a mapping against its WSDL before anything listens, so that a typo in a path fails at
start with the path named (and a "did you mean"), not on the first real request."""

from __future__ import annotations

import difflib
import re

from scoregate.adapters.soap.config import SoapChannelConfig
from scoregate.adapters.soap.contract import ContractError, Operation, ServiceContract
from scoregate.adapters.soap.faults import render_detail
from scoregate.adapters.soap.paths import fixed_point, nest
from scoregate.core.contract import ReasonCode, ScoreResult
from scoregate.core.errors import ErrorKind, FieldViolation, InvalidInput, ScoreError, ViolationCode

_MAX_DEPTH = 16  # recursive schema types end here
_INDEX = re.compile(r"\[[0-9]+\]")


def element_paths(xsd_type: object, prefix: str = "", depth: int = 0) -> set[str]:
    """Every element path below a zeep type (without indexes)."""
    out: set[str] = set()
    if depth > _MAX_DEPTH:
        return out
    for name, child in getattr(xsd_type, "elements", None) or ():
        path = f"{prefix}/{name}" if prefix else name
        out.add(path)
        out |= element_paths(child.type, path, depth + 1)
    return out


def _unknown(paths: list[str], known: set[str], where: str) -> list[str]:
    problems = []
    for path in paths:
        bare = _INDEX.sub("", path.replace("{n}", "1"))
        if bare not in known:
            close = difflib.get_close_matches(bare, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(f"{where}: {path!r} is not an element path{hint}")
    return problems


def _sample_error(kind: ErrorKind) -> ScoreError:
    if kind is ErrorKind.INVALID_INPUT:
        return InvalidInput([FieldViolation(field="Sample", code=ViolationCode.MISSING, message="is required")])
    error = ScoreError("preflight")
    error.kind = kind
    return error


def check_operation(name: str, config: SoapChannelConfig, operation: Operation) -> list[str]:
    mapping = config.operations[name]
    zeep_op = operation.zeep
    where = f"operations.{name}"
    problems = _unknown(
        [f.source for f in mapping.request.features if f.source] + ([mapping.request.reference] if mapping.request.reference else []),
        element_paths(zeep_op.input.body.type), f"{where}.request",
    )
    problems += _unknown([f.target for f in mapping.response.result], element_paths(zeep_op.output.body.type), f"{where}.response")
    if not problems:
        # Render a full response once: catches a required output element the mapping never fills.
        reasons = tuple(ReasonCode(feature="f", code="R00", contribution=0.1) for _ in range(32))
        result = ScoreResult(request_id="preflight", model="m", version="1", probability=0.5, decision="?", reasons=reasons)
        try:
            zeep_op.output.serialize(**fixed_point(nest(mapping.response.encode_result(result, "REF"))))
        except Exception as exc:  # zeep's ValidationError and TypeError both mean "does not fit"
            problems.append(f"{where}.response does not fill the output message: {exc}")
    for fault in mapping.faults:
        if fault.fault is None:
            continue
        if fault.fault not in zeep_op.faults:
            problems.append(f"{where}.faults: the operation declares no fault {fault.fault!r} "
                            f"(it declares: {', '.join(zeep_op.faults) or 'none'})")
            continue
        element = next(iter(zeep_op.faults[fault.fault].abstract.parts.values())).element
        targets = [d.target for d in fault.detail]
        if fault.violations is not None:
            v = fault.violations
            targets += [f"{v.target}/{sub}" for sub in (v.field, v.code, v.message) if sub]
        found = _unknown(targets, element_paths(element.type), f"{where}.faults[{fault.fault}]")
        for kind in fault.kinds if not found else ():
            try:
                render_detail(operation, fault, _sample_error(kind), "REF")
            except Exception as exc:
                found.append(f"{where}.faults[{fault.fault}] cannot be rendered for {kind.value}: {exc}")
        problems += found
    return problems


def check_mapping(config: SoapChannelConfig, contract: ServiceContract) -> None:
    """Raise ContractError listing every mismatch between the mapping and the WSDL."""
    problems = []
    for missing in sorted(contract.names - set(config.operations)) if config.unmapped_operations == "refuse" else ():
        problems.append(f"operation {missing!r} of the WSDL has no mapping in 'operations'")
    for extra in sorted(set(config.operations) - contract.names):
        close = difflib.get_close_matches(extra, contract.names, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        problems.append(f"operations.{extra}: the WSDL has no such operation{hint}")
    checked = set()
    for operation in contract.operations:
        if operation.name in config.operations and operation.name not in checked:
            checked.add(operation.name)
            problems += check_operation(operation.name, config, operation)
    if problems:
        raise ContractError(f"{config.wsdl.name}: the mapping does not fit the WSDL:\n  " + "\n  ".join(problems))
