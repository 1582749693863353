"""The demo applicant: one valid loan application for the demo model, in canonical feature names.

Used by the sample requests the CLI prints, by the tests and by the benchmarks, so that they all
score the same thing.
"""

from __future__ import annotations

DEMO_APPLICANT: dict[str, float | int | str | None] = {
    "age": 41, "annual_income": 58_000.0, "employment_years": 6.5, "home_ownership": "MORTGAGE",
    "residence_years": 4, "number_of_dependants": 2, "loan_amount": 15_000.0, "loan_term_months": 36,
    "loan_purpose": "CAR", "interest_rate": 7.9, "has_cosigner": 0, "debt_to_income": 0.31,
    "revolving_utilisation": 0.42, "open_accounts": 7, "credit_history_years": 12.0, "delinquencies_2y": 0,
    "months_since_last_delinquency": None, "inquiries_6m": 1, "bankruptcies": 0, "savings_balance": 4_200.0,
}
