"""What the example callers' tests share: the applicants they send, what the core gives for each
applicant when asked directly, and the report lines the examples print.

Each example prints one line per request, tab-separated: ``REPLY`` (or ``MISSING``, ``DUPLICATE``,
``UNEXPECTED``), then ``name=value`` pairs: ``format``, ``id``, ``correlation``, ``status`` (the
reply's ``x-scoregate-status`` header), ``content_type`` and the reply's fields as the example read
them from its own format.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from scoregate.core.client import ScoringClient
from scoregate.core.contract import ScoreRequest, ScoreResult
from scoregate.core.settings import ClientSettings

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
APPLICANTS = EXAMPLES / "applicants.csv"
# The copybook's 88-level codes (LOANREQ.cpy) -> the model's codes.
HOME = {"R": "RENT", "O": "OWN", "M": "MORTGAGE", "X": "OTHER"}
PURPOSE = {"DC": "DEBT_CONSOLIDATION", "CC": "CREDIT_CARD", "HI": "HOME_IMPROVEMENT", "CA": "CAR",
           "SB": "SMALL_BUSINESS", "OT": "OTHER"}
# CSV column -> canonical feature, for the columns that are plain numbers.
NUMBERS = {
    "age": "age", "annual_income": "annual_income", "employment_years": "employment_years",
    "residence_years": "residence_years", "dependants": "number_of_dependants", "loan_amount": "loan_amount",
    "term_months": "loan_term_months", "interest_rate": "interest_rate", "debt_to_income": "debt_to_income",
    "revolving_utilisation": "revolving_utilisation", "open_accounts": "open_accounts",
    "history_years": "credit_history_years", "delinquencies_2y": "delinquencies_2y",
    "months_since_last_delinquency": "months_since_last_delinquency", "inquiries_6m": "inquiries_6m",
    "bankruptcies": "bankruptcies", "savings_balance": "savings_balance",
}
DECISIONS = {"APPROVE": "A", "REVIEW": "R", "DECLINE": "D"}


def read_applicants(path: Path = APPLICANTS) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def write_applicants(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def canonical(row: dict[str, str]) -> dict[str, float | int | str | None]:
    """An applicant row in the model's feature names and codes, as a direct caller of the core sends it."""
    features: dict[str, float | int | str | None] = {}
    for column, feature in NUMBERS.items():
        text = row[column].strip()
        features[feature] = None if not text else (int(text) if text.lstrip("-").isdigit() else float(text))
    features["home_ownership"] = HOME[row["home_ownership"]]
    features["loan_purpose"] = PURPOSE[row["purpose"]]
    features["has_cosigner"] = 1 if row["cosigner"] == "Y" else 0
    return features


def direct_scores(settings: ClientSettings, rows: list[dict[str, str]]) -> dict[str, ScoreResult]:
    """What the core gives for each applicant, asked directly: {application id: result}."""
    with ScoringClient(settings) as client:
        return {
            row["application_id"]: client.score(ScoreRequest(
                request_id=f"direct-{row['application_id']}", model="credit-risk", features=canonical(row),
                reason_count=3,
            ))
            for row in rows
        }


@dataclass
class Line:
    """One line of an example's report."""

    kind: str
    fields: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, name: str) -> str:
        return self.fields[name]


def parse_report(stdout: str) -> list[Line]:
    lines = []
    for text in stdout.splitlines():
        kind, *pairs = text.split("\t")
        lines.append(Line(kind, dict(pair.split("=", 1) for pair in pairs)))
    return lines


def by_request(lines: list[Line]) -> dict[tuple[str, str], Line]:
    """The REPLY lines by (format, application id); fails on a request answered twice or not at all."""
    problems = [line for line in lines if line.kind != "REPLY"]
    assert not problems, problems
    replies = {(line["format"], line["id"]): line for line in lines}
    assert len(replies) == len(lines), "two requests of one format for the same application id"
    assert len({(line["format"], line["correlation"]) for line in lines}) == len(lines), "a correlation id used twice"
    return replies


def assert_json_scored(line: Line, reference: str, direct: ScoreResult) -> None:
    """A JSON reply as the demo queue promises it (demo.toml, scoregate.demo.json), values of the core."""
    assert (line["status"], line["content_type"]) == ("ok", "application/json"), line
    assert line["application_id"] == reference
    assert int(line["result.score"]) == round((1 - direct.probability) * 1000)
    assert Decimal(line["result.probability"]) == Decimal(repr(round(direct.probability, 6)))
    assert line["result.decision"] == direct.decision
    assert line["result.reasons"].split(",") == [r.code for r in direct.reasons]
    assert line["result.model"] == f"{direct.model}:{direct.version}"


def assert_fixed_scored(line: Line, reference: str, direct: ScoreResult) -> None:
    """A LOAN-RESPONSE record as the demo queue promises it, values of the core."""
    assert (line["status"], line["content_type"]) == ("ok", "application/octet-stream"), line
    assert line["APPLICATION-ID"] == reference
    assert line["RESULT-CODE"] == "00"
    assert int(line["RISK-SCORE"]) == round((1 - direct.probability) * 1000)
    assert Decimal(line["PROBABILITY"]) == Decimal(repr(round(direct.probability, 6)))
    assert line["DECISION"] == DECISIONS[direct.decision]
    assert line["REASON-CODE"].split(",") == [r.code for r in direct.reasons]
    assert line["MODEL-VERSION"] == f"{direct.model}:{direct.version}"
    assert line["ERROR-TEXT"] == ""
