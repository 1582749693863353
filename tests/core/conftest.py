"""Core-layer fixtures: a valid applicant and rows from the demo data generator."""

from __future__ import annotations

import numpy as np
import pytest

from scoregate.core.train import generate_dataset

APPLICANT = {
    "age": 41, "annual_income": 58_000.0, "employment_years": 6.5, "home_ownership": "MORTGAGE",
    "residence_years": 4, "number_of_dependants": 2, "loan_amount": 15_000.0, "loan_term_months": 36,
    "loan_purpose": "CAR", "interest_rate": 7.9, "has_cosigner": 0, "debt_to_income": 0.31,
    "revolving_utilisation": 0.42, "open_accounts": 7, "credit_history_years": 12.0, "delinquencies_2y": 0,
    "months_since_last_delinquency": None, "inquiries_6m": 1, "bankruptcies": 0, "savings_balance": 4_200.0,
}


@pytest.fixture
def applicant() -> dict:
    return dict(APPLICANT)


@pytest.fixture(scope="session")
def demo_rows() -> np.ndarray:
    """500 valid rows in the demo model's feature order (NaN = missing, categories as indexes)."""
    matrix, _, _ = generate_dataset(500, seed=7)
    return np.ascontiguousarray(matrix, dtype=np.float64)
