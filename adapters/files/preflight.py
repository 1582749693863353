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

import difflib
from collections.abc import Iterable
from typing import TYPE_CHECKING

from scoregate.adapters.codecs.fixedwidth import LayoutError
from scoregate.adapters.configfile import ConfigFileError
from scoregate.adapters.mapping import HEADER_PREFIX, occurrences

if TYPE_CHECKING:
    from scoregate.adapters.files.config import FileJobConfig, RecordLayout


class JobProblems(ConfigFileError):
    """A job's configuration problems, one line each: ``file: key: what is wrong``."""

    def __init__(self, file: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(f"{file}: {p}" for p in problems))


def _missing(key: str, names: Iterable[str], record: set[str], record_name: str) -> list[str]:
    out = []
    for name in names:
        found = occurrences(name, record) if "*" in name else name in record
        if not found:
            close = difflib.get_close_matches(name, sorted(record), n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            out.append(f"{key}: {name} is not a field of {record_name}{hint}")
    return out


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
        problems += _missing("reference", [config.reference], detail, name)
        if config.request.reference:
            problems += _missing("request.reference", [config.request.reference], detail, name)
        for i, spec in enumerate(config.request.features):
            problems += _missing(f"request.features[{i}] ({spec.feature})", spec.fields, detail, name)
            if spec.as_of and spec.as_of.startswith(HEADER_PREFIX):
                problems += _missing(f"request.features[{i}].as_of", [spec.as_of[len(HEADER_PREFIX):]], header,
                                     config.input.header or "the input (no header record)")
        copied = [(i, r.field) for i, r in enumerate(config.response.result) if r.field]
        for i, field in copied:
            problems += _missing(f"response.result[{i}].field", [field], detail, name)
        problems += _missing("header_copy", config.header_copy.values(), header, config.input.header or "no header")
        trailer = inputs.get(config.input.trailer or "", set())
        check = config.trailer_check
        problems += _missing("trailer_check", [f for f in [check.count, *check.totals] if f], trailer, config.input.trailer or "no trailer")
        problems += _missing("trailer_check.totals", check.totals.values(), detail, name)
        problems += _missing("response_trailer.totals", config.response_trailer.totals.values(), detail, name)
    if outputs is not None and config.output.detail in outputs:
        detail, name = outputs[config.output.detail], config.output.detail
        for i, result in enumerate(config.response.result):
            targets = ([result.target.format(n=n) for n in range(1, result.count + 1)]
                       if result.numbered else [result.target])
            problems += _missing(f"response.result[{i}].target", targets, detail, name)
        header = outputs.get(config.output.header or "", set())
        problems += _missing("header_copy", [*config.header_copy, *filter(None, [config.header_model_field])], header,
                             config.output.header or "no response header")
        trailer = outputs.get(config.output.trailer or "", set())
        rt = config.response_trailer
        problems += _missing("response_trailer", [f for f in [rt.count, rt.rejects, *rt.totals] if f], trailer,
                             config.output.trailer or "no response trailer")
    if problems:
        raise JobProblems(file, problems)
