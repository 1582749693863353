"""Checks a SOAP channel's configuration against its WSDL before anything listens, so that a
contract that does not load or a path that does not fit fails at start, one line per problem
naming the file, the operation and the path (with a "did you mean"), not on the first request.

:func:`preflight` is the pure entry point (configuration in, problems out) that ``config check``,
``gateway serve`` and ``up`` share; :func:`check_mapping` raises them for a channel being built.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from lxml import etree

from scoregate.adapters.mapping import ResultField
from scoregate.adapters.soap.config import SoapChannelConfig
from scoregate.adapters.soap.contract import ContractError, Operation, ServiceContract
from scoregate.adapters.soap.faults import render_detail
from scoregate.adapters.soap.paths import fixed_point, nest, segments
from scoregate.adapters.soap.plan import NO_FACTS, Facts
from scoregate.adapters.soap.plan_io import write_body
from scoregate.adapters.soap.values import PathInfo, Variants, body_paths, known_paths, serialize_args
from scoregate.core.contract import ReasonCode, ScoreResult
from scoregate.core.errors import ErrorKind, FieldViolation, InvalidInput, ScoreError, ViolationCode

_INDEX = re.compile(r"\[[0-9]+\]")
_LIST_SOURCES = frozenset({"reason_codes", "reason_features"})


def _check_path(path: str, known: dict[str, PathInfo], what: str, *, value: bool = True, many: bool = False) -> str | None:
    """What is wrong with one path (None if nothing). ``value``: it must name a value (an element
    with text, or an attribute), not a structure; ``many``: it receives a list (a repeated element)."""
    concrete = path.replace("{n}", "1")
    try:
        parts = segments(concrete)
    except ValueError as exc:
        return str(exc)
    bare = _INDEX.sub("", concrete)
    info = known.get(bare)
    if info is None:
        parent, _, last = bare.rpartition("/")
        local = last.rpartition(":")[2]
        if f"{parent}/{local}__1".lstrip("/") in known:  # zeep's name for the second of two namesakes
            return (f"{path!r}: there are {local} elements of two namespaces there; give each namespace a prefix in "
                    f"'namespaces' and write p:{local}")
        close = difflib.get_close_matches(bare, known, n=1, cutoff=0.5)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"{path!r} is not in the {what}{hint}"
    prefix = ""
    for name, index in parts:
        prefix = f"{prefix}/{name}" if prefix else name
        if index is not None and not known[prefix].repeated:
            return f"{path!r}: {prefix} occurs once in the {what}, so it takes no [index]"
    if value and info.kind == "element":
        leaves = sorted(p for p, i in known.items() if p.startswith(f"{bare}/") and i.kind != "element")[:3]
        return f"{path!r} is a structure in the {what}, not a value (e.g. {', '.join(map(repr, leaves)) or 'nothing'})"
    if many and not (info.repeated and parts[-1][1] is None):
        return f"{path!r} occurs once in the {what}; a list of values needs a repeated element"
    return None


def _sample_error(kind: ErrorKind) -> ScoreError:
    if kind is ErrorKind.INVALID_INPUT:
        return InvalidInput([FieldViolation(field="Sample", code=ViolationCode.MISSING, message="is required")])
    error = ScoreError("preflight")
    error.kind = kind
    return error


def _many(spec: ResultField) -> bool:
    return spec.source in _LIST_SOURCES and not spec.numbered


def facts_variants(facts: Facts, chosen: dict[str, str]) -> Variants:
    """The other types an element may have: in a request, any derived type (``xsi:type``) or
    substitution group member's type; in a response, the one ``types`` chooses."""

    def variants(path: str, element: Any) -> list[Any]:
        declared = str(getattr(element.type, "qname", ""))
        if chosen:
            name = chosen.get(path)
            return [facts.schema.get_type(c) for c in facts.derived.get(declared, ()) if name in (c, etree.QName(c).localname)]
        members = [facts.schema.get_element(m).type for m in facts.members.get(str(element.qname), ())]
        return [*members, *(facts.schema.get_type(c) for c in facts.derived.get(declared, ()))]

    return variants


def check_operation(name: str, config: SoapChannelConfig, operation: Operation, facts: Facts = NO_FACTS) -> list[str]:
    """Every problem of one operation's mapping, each a line starting ``operation NAME ...``."""
    mapping = config.operations[name]
    zeep_op = operation.zeep
    where = f"operation {name}"
    problems = []
    inputs = body_paths(zeep_op.input.body, facts_variants(facts, {}), facts.prefixes)
    # Every path a feature reads: its source, its as_of date, the fields of its expr (a table's
    # [*] is checked as its first occurrence, which only a repeated element may have).
    sources = [(f"feature {f.feature}", path) for f in mapping.request.features for path in f.fields]
    sources += [("reference", mapping.request.reference)] if mapping.request.reference else []
    for label, path in sources:
        concrete = path.replace("[*]", "[1]")
        if problem := _check_path(concrete, inputs, "input message"):
            problems.append(f"{where}, request {label}: {problem.replace(repr(concrete), repr(path))}")
    outputs = body_paths(zeep_op.output.body, facts_variants(facts, mapping.types), facts.prefixes)
    for spec in mapping.response.result:
        if problem := _check_path(spec.target, outputs, "output message", many=_many(spec)):
            problems.append(f"{where}, response {spec.source}: {problem}")
    if not problems:
        # Render a full response once: catches a required output element the mapping never fills.
        reasons = tuple(ReasonCode(feature="f", code="R00", contribution=0.1) for _ in range(32))
        result = ScoreResult(request_id="preflight", model="m", version="1", probability=0.5, decision="?", reasons=reasons)
        try:
            nested = fixed_point(nest(mapping.response.encode_result(result, "REF")))
            if operation.write_plan is not None:  # what the codec writes with
                write_body(etree.Element("Body"), operation.write_plan, nested)
            else:
                args, kwargs = serialize_args(zeep_op.output.body, nested)
                zeep_op.output.serialize(*args, **kwargs)
        except Exception as exc:  # zeep's ValidationError and TypeError both mean "does not fit"
            problems.append(f"{where}: the response mapping does not fill the output message: {_one_line(exc)}")
    for fault in mapping.faults:
        if fault.fault is None:
            continue
        if fault.fault not in zeep_op.faults:
            problems.append(f"{where}, faults: the operation declares no fault {fault.fault!r} "
                            f"(it declares: {', '.join(zeep_op.faults) or 'none'})")
            continue
        element = next(iter(zeep_op.faults[fault.fault].abstract.parts.values())).element
        detail = known_paths(element.type)
        targets = [(d.target, d.source == "violations") for d in fault.detail]
        if fault.violations is not None:
            v = fault.violations
            problem = _check_path(v.target, detail, f"fault {fault.fault}", value=False, many=True)
            problems += [f"{where}, fault {fault.fault}: {problem}"] if problem else []
            targets += [(f"{v.target}/{sub}", False) for sub in (v.field, v.code, v.message) if sub]
        found = [
            f"{where}, fault {fault.fault}: {problem}"
            for target, many in targets
            if (problem := _check_path(target, detail, f"fault {fault.fault}", many=many))
        ]
        for kind in fault.kinds if not found else ():
            try:
                render_detail(operation, fault, _sample_error(kind), "REF")
            except Exception as exc:
                found.append(f"{where}, fault {fault.fault}: cannot be rendered for {kind.value}: {_one_line(exc)}")
        problems += found
    return problems


def _one_line(error: object) -> str:
    return " ".join(str(error).split())


def mapping_problems(config: SoapChannelConfig, contract: ServiceContract) -> list[str]:
    """Every mismatch between the mapping and the WSDL, one line each, starting with the WSDL's name."""
    problems = []
    unmapped = contract.names - set(config.operations) if config.unmapped_operations == "refuse" else set()
    for missing in sorted(unmapped):
        problems.append(f"operation {missing} of the WSDL has no mapping in 'operations'")
    for extra in sorted(set(config.operations) & contract.one_way - contract.names):
        problems.append(f"operation {extra} is one-way (no output message), so it cannot answer with a score: "
                        "remove it from 'operations'")
    for extra in sorted(set(config.operations) - contract.names - contract.one_way):
        close = difflib.get_close_matches(extra, contract.names, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        problems.append(f"operations.{extra}: the WSDL has no such operation{hint}")
    checked = set()
    for operation in contract.operations:
        if operation.name in config.operations and operation.name not in checked:
            checked.add(operation.name)
            problems += check_operation(operation.name, config, operation, contract.facts)
    return [f"{config.wsdl.name}: {problem}" for problem in problems]


def preflight(config: SoapChannelConfig) -> list[str]:
    """Load the configuration's WSDL and check its mapping: every problem, one line each; [] if none.
    Pure apart from reading the contract's files; nothing listens."""
    try:
        contract = ServiceContract.of(config)
    except ContractError as error:
        return [_one_line(error)]
    return mapping_problems(config, contract)


def check_mapping(config: SoapChannelConfig, contract: ServiceContract) -> None:
    """Raise ContractError listing every mismatch (one line each) between the mapping and the WSDL."""
    if problems := mapping_problems(config, contract):
        raise ContractError("\n".join(problems))
