"""What an outcome is: the caller's reference, when and how the loan ended, and an optional amount.

The outcome words a loan system sends are read into three kinds: ``default`` and ``written_off``
count as bad (the event the score predicts), ``paid`` as good. Two outcomes for one reference are
a *duplicate* when they agree on good or bad, a *contradiction* when they do not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

#: outcome kind -> bad (1) or good (0)
KINDS: dict[str, int] = {"default": 1, "written_off": 1, "paid": 0}
# The spellings loan systems use for them (one-letter codes of fixed-width files included).
_WORDS = {
    "default": "default", "defaulted": "default", "d": "default", "dflt": "default", "bad": "default",
    "written_off": "written_off", "written-off": "written_off", "writtenoff": "written_off", "write_off": "written_off",
    "w": "written_off", "wo": "written_off", "chargeoff": "written_off", "charged_off": "written_off",
    "paid": "paid", "repaid": "paid", "p": "paid", "good": "paid", "closed": "paid",
}

PERIODS = ("month", "quarter", "year")
"""How figures are grouped: by the month (``2026-03``), quarter (``2026-Q1``) or year of the decision."""


class OutcomeError(ValueError):
    """An outcome that cannot be read (unknown word, bad date); the message names the value."""


def outcome_kind(word: str) -> str:
    """``default``, ``written_off`` or ``paid`` for a loan system's word (case and spaces ignored)."""
    kind = _WORDS.get(str(word).strip().lower().replace(" ", "_"))
    if kind is None:
        raise OutcomeError(f"unknown outcome {word!r} (one of default, written_off, paid or their codes D, W, P)")
    return kind


def parse_date(value: object) -> date:
    """An outcome date: a ``date``, ISO text (``2026-03-31``) or a ``YYYYMMDD`` number or text."""
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        if text.isdigit() and len(text) == 8:
            return date(int(text[:4]), int(text[4:6]), int(text[6:]))
        return date.fromisoformat(text)
    except ValueError:
        raise OutcomeError(f"bad outcome date {value!r} (YYYY-MM-DD or YYYYMMDD)") from None


@dataclass(frozen=True)
class Outcome:
    """One loan's outcome, as the loan system reports it."""

    reference: str
    """The caller's reference of the decision (the application number it sent)."""
    outcome: str
    """``default``, ``written_off`` or ``paid``."""
    outcome_date: date
    amount: float | None = None
    """The amount defaulted, written off or repaid, when the source gives one."""

    @classmethod
    def parse(cls, reference: object, outcome: object, outcome_date: object, amount: object = None) -> Outcome:
        """An outcome from a record's raw values; raises OutcomeError naming the bad value."""
        ref = str(reference).strip()
        if not ref:
            raise OutcomeError("empty reference")
        number = None if amount is None or amount == "" else float(amount)  # type: ignore[arg-type]
        return cls(ref, outcome_kind(str(outcome)), parse_date(outcome_date), number)

    @property
    def bad(self) -> int:
        return KINDS[self.outcome]


def period_of(month: str, by: str) -> str:
    """The period (``by`` one of :data:`PERIODS`) a ``YYYY-MM`` month falls in."""
    if by == "month":
        return month
    if by == "quarter":
        return f"{month[:4]}-Q{(int(month[5:7]) + 2) // 3}"
    if by == "year":
        return month[:4]
    raise ValueError(f"unknown period {by!r} (one of {', '.join(PERIODS)})")


def months_of(period: str, by: str) -> list[str]:
    """The ``YYYY-MM`` months of a period."""
    if by == "month":
        return [period]
    year = period[:4]
    if by == "quarter":
        first = 3 * (int(period[-1]) - 1) + 1
        return [f"{year}-{m:02d}" for m in range(first, first + 3)]
    if by == "year":
        return [f"{year}-{m:02d}" for m in range(1, 13)]
    raise ValueError(f"unknown period {by!r} (one of {', '.join(PERIODS)})")
