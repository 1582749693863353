"""Outcome records -> :class:`Outcome` objects, and the problems of the records that do not read
(each named by its record number: never silently dropped)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from scoregate.adapters.outcome_files.config import OutcomeJobConfig
from scoregate.adapters.outcomes.records import Outcome, OutcomeError


@dataclass
class ReadOutcomes:
    outcomes: list[Outcome] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """``record N: why``, one per record that could not be read."""


def _values(column: np.ndarray, scale: int) -> list:
    if column.dtype.kind in "iu" and scale:
        return (column / 10**scale).tolist()
    return column.tolist()


def read_outcomes(data: bytes, config: OutcomeJobConfig) -> ReadOutcomes:
    """Every record of an outcome file, each read or named among the problems."""
    codec = config.codec
    batch = codec.decode(codec.split(data, final=True))
    out = ReadOutcomes()
    unread = set()
    for problem in batch.explain():
        if problem.record not in unread:  # the first problem of a record says enough
            unread.add(problem.record)
            out.problems.append(f"record {batch.start + problem.record + 1}: {problem.reason}: {problem.message}")
    codes = {k.strip().lower(): v for k, v in config.outcome_codes.items()}
    f = config.fields
    for part in batch.parts.values():
        rtype = part.record_type
        columns = {name: _values(part.columns[name], rtype.field(name).scale) for name in
                   (f.reference, f.outcome_date, f.outcome, f.amount) if name and name in part.columns}
        if f.reference not in columns:
            continue
        amounts = columns.get(f.amount) if f.amount else None
        for i, number in enumerate(part.index.tolist()):
            if number in unread:
                continue
            word = str(columns[f.outcome][i]).strip()
            try:
                out.outcomes.append(Outcome.parse(columns[f.reference][i], codes.get(word.lower(), word),
                                                  columns[f.outcome_date][i], amounts[i] if amounts else None))
            except OutcomeError as error:
                out.problems.append(f"record {batch.start + number + 1}: {error}")
    return out
