"""Everything about a file job that can be wrong before the first file arrives, found in one pass.

``FileJobConfig.load`` runs :func:`check_job` after the keys validated: the copybooks exist and
parse (errors name the copybook line), every field the mapping reads is in the input detail
record (tables too: ``NAME(*)`` needs ``NAME(1)``), every response target is in the response
detail record, and the header and trailer fields exist. Without it each of these surfaced per
record at run time (``INTERNAL_ERROR: KeyError('DTL-LOAN-AMNT')`` for every file dropped).

Whether the model exists and every required feature is mapped needs the models or a core: that is
the gateway's ``config check`` across channels, not this file's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scoregate.adapters.codecs.fixedwidth import Kind, LayoutError
from scoregate.adapters.configfile import ConfigFileError
from scoregate.adapters.mapping import HEADER_PREFIX
from scoregate.adapters.mapping_check import missing_fields

if TYPE_CHECKING:
    from scoregate.adapters.files.config import FileJobConfig, RecordLayout


class JobProblems(ConfigFileError):
    """A job's configuration problems, one line each: ``file: key: what is wrong``."""

    def __init__(self, file: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(f"{file}: {p}" for p in problems))


def _fields(config: FileJobConfig, side: str, spec: RecordLayout, problems: list[str]) -> dict[str, set[str]] | None:
    """Field names per record type of one side, or None (with the problem noted) if it does not load."""
    path = config.path(spec.copybook)
    if not path.is_file():
        problems.append(f"{side}.copybook: no such file {path}")
        return None
    try:
        layout = config._layout(spec)
    except LayoutError as exc:
        problems.append(f"{side}.copybook: {path} {exc}")
        return None
    except (KeyError, ValueError) as exc:
        problems.append(f"{side}: {exc}")
        return None
    out = {}
    for group in (spec.header, spec.detail, spec.trailer):
        if group:
            try:
                out[group] = {f.name for f in layout.record_type(group).fields}
            except (KeyError, ValueError):
                problems.append(f"{side}: {group} is not a record type of {path.name}")
    return out


def check_job(config: FileJobConfig, file: str) -> None:
    """Raise JobProblems listing every problem of the job, or return."""
    problems: list[str] = []
    inputs = _fields(config, "input", config.input, problems)
    outputs = _fields(config, "output", config.output, problems)
    if inputs is not None and config.input.detail in inputs:
        detail, name = inputs[config.input.detail], config.input.detail
        header = inputs.get(config.input.header or "", set())
        problems += missing_fields("reference", [config.reference], detail, name)
        if config.request.reference:
            problems += missing_fields("request.reference", [config.request.reference], detail, name)
        for i, spec in enumerate(config.request.features):
            problems += missing_fields(f"request.features[{i}] ({spec.feature})", spec.fields, detail, name)
            if spec.as_of and spec.as_of.startswith(HEADER_PREFIX):
                problems += missing_fields(f"request.features[{i}].as_of", [spec.as_of[len(HEADER_PREFIX):]], header,
                                     config.input.header or "the input (no header record)")
        copied = [(i, r.field) for i, r in enumerate(config.response.result) if r.field]
        for i, field in copied:
            problems += missing_fields(f"response.result[{i}].field", [field], detail, name)
        problems += missing_fields("header_copy", config.header_copy.values(), header, config.input.header or "no header")
        trailer = inputs.get(config.input.trailer or "", set())
        check = config.trailer_check
        problems += missing_fields("trailer_check", [f for f in [check.count, *check.totals] if f], trailer, config.input.trailer or "no trailer")
        problems += missing_fields("trailer_check.totals", check.totals.values(), detail, name)
        problems += missing_fields("response_trailer.totals", config.response_trailer.totals.values(), detail, name)
    if outputs is not None and config.output.detail in outputs:
        detail, name = outputs[config.output.detail], config.output.detail
        for i, result in enumerate(config.response.result):
            targets = ([result.target.format(n=n) for n in range(1, result.count + 1)]
                       if result.numbered else [result.target])
            problems += missing_fields(f"response.result[{i}].target", targets, detail, name)
        header = outputs.get(config.output.header or "", set())
        problems += missing_fields("header_copy", [*config.header_copy, *filter(None, [config.header_model_field])], header,
                             config.output.header or "no response header")
        trailer = outputs.get(config.output.trailer or "", set())
        rt = config.response_trailer
        problems += missing_fields("response_trailer", [f for f in [rt.count, rt.rejects, *rt.totals] if f], trailer,
                             config.output.trailer or "no response trailer")
    if config.reject is not None:
        problems += _reject_problems(config, inputs.get(config.input.detail) if inputs else None)
    if problems:
        raise JobProblems(file, problems)


def _reject_problems(config: FileJobConfig, detail: set[str] | None) -> list[str]:
    """The reject copybook loads, and each of its mapped fields exists and can take its value."""
    assert config.reject is not None
    path = config.path(config.reject.copybook)
    if not path.is_file():
        return [f"reject.copybook: no such file {path}"]
    try:
        record = config.reject_record()
    except LayoutError as exc:
        return [f"reject.copybook: {path} {exc}"]
    except (KeyError, ValueError) as exc:
        return [f"reject.record: {exc}"]
    assert record is not None
    problems = []
    names = {f.name for f in record.fields if not f.filler}
    for i, spec in enumerate(config.reject.fields):
        key = f"reject.fields[{i}]"
        if found := missing_fields(f"{key}.target", [spec.target], names, record.name):
            problems += found
            continue
        target = record.field(spec.target)
        if spec.source in ("reason_code", "reason_text", "field") and target.kind is not Kind.TEXT:
            problems.append(f"{key}.target: {spec.target} is {target.describe()}: a {spec.source} needs a PIC X field")
        if spec.source == "input" and detail is not None and spec.field:
            if found := missing_fields(f"{key}.field", [spec.field], detail, config.input.detail):
                problems += found
                continue
            source = config.input_codec.layout.record_type(config.input.detail).field(spec.field)
            if source.length != target.length:
                problems.append(f"{key}: {spec.target} has {target.length} bytes and {spec.field} {source.length}: "
                                "a copied field keeps the input's bytes, so their lengths must be equal")
    return problems
