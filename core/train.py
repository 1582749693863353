"""Train the demo credit-risk model: a synthetic data set, an XGBoost booster and its metadata.

The gateway ships one model so every channel can be tried without a data scientist at hand.
Everything here is deterministic (numpy ``default_rng(seed)``, XGBoost on one thread, no
timestamps), so ``python -m scoregate.core.train OUT_DIR`` rebuilds the shipped artifact with the
same metrics, and a test proves it. Only numpy and xgboost: the core must not pull in pandas or
sklearn just to train a demo.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import xgboost as xgb

from scoregate.core.contract import (
    DecisionBand,
    FeatureKind,
    FeatureSchema,
    FeatureSpec,
    ModelMetadata,
)
from scoregate.core.atomic import write_atomic
from scoregate.core.evaluation import feature_distribution, holdout_metrics

_N, _I, _C = FeatureKind.NUMBER, FeatureKind.INTEGER, FeatureKind.CATEGORY

HOME_OWNERSHIP = ("RENT", "OWN", "MORTGAGE", "OTHER")
LOAN_PURPOSE = ("DEBT_CONSOLIDATION", "CREDIT_CARD", "HOME_IMPROVEMENT", "CAR", "SMALL_BUSINESS", "OTHER")
_CODES = {"home_ownership": HOME_OWNERSHIP, "loan_purpose": LOAN_PURPOSE}

# name, kind, minimum, maximum, nullable, adverse-action reason. Reason codes R01.. follow this order.
_FEATURES = (
    ("age", _I, 18, 100, False, "Limited length of adult credit experience"),
    ("annual_income", _N, 0, 5_000_000, False, "Income insufficient for amount of credit requested"),
    ("employment_years", _N, 0, 82, True, "Length of employment too short or not reported"),
    ("home_ownership", _C, None, None, False, "Residential status: no home ownership"),
    ("residence_years", _I, 0, 82, False, "Length of time at current residence too short"),
    ("number_of_dependants", _I, 0, 15, False, "Number of dependants in relation to income"),
    ("loan_amount", _N, 500, 1_000_000, False, "Amount of credit requested too high"),
    ("loan_term_months", _I, 6, 480, False, "Requested repayment term too long"),
    ("loan_purpose", _C, None, None, False, "Purpose of credit associated with higher risk"),
    ("interest_rate", _N, 0, 40, False, "Risk-based price tier of the offer too high"),
    ("has_cosigner", _I, 0, 1, False, "No co-signer or guarantor on the application"),
    ("debt_to_income", _N, 0, 2, True, "Excessive obligations in relation to income"),
    ("revolving_utilisation", _N, 0, 1.5, True, "Proportion of revolving balances to limits too high"),
    ("open_accounts", _I, 0, 80, False, "Number of open accounts"),
    ("credit_history_years", _N, 0, 82, True, "Length of credit history too short or unavailable"),
    ("delinquencies_2y", _I, 0, 30, False, "Delinquency on accounts in the last two years"),
    ("months_since_last_delinquency", _I, 0, 240, True, "Time since most recent delinquency too short"),
    ("inquiries_6m", _I, 0, 30, False, "Too many recent credit inquiries"),
    ("bankruptcies", _I, 0, 10, False, "Bankruptcy on record"),
    ("savings_balance", _N, 0, 10_000_000, True, "Insufficient savings or savings not disclosed"),
)

# What a value of each feature counts, for `scoregate models describe` and whoever maps onto it.
_UNITS = {
    "age": "years", "annual_income": "currency a year", "employment_years": "years", "residence_years": "years",
    "number_of_dependants": "count", "loan_amount": "currency", "loan_term_months": "months",
    "interest_rate": "percent", "has_cosigner": "flag (0/1)", "debt_to_income": "ratio",
    "revolving_utilisation": "ratio", "open_accounts": "count", "credit_history_years": "years",
    "delinquencies_2y": "count", "months_since_last_delinquency": "months", "inquiries_6m": "count",
    "bankruptcies": "count", "savings_balance": "currency",
}

SCHEMA = FeatureSchema(
    features=tuple(
        FeatureSpec(
            name=name, kind=kind, minimum=lo, maximum=hi, nullable=nullable,
            codes=_CODES.get(name, ()), reason_code=f"R{i:02d}", description=reason,
            unit=_UNITS.get(name, ""),
        )
        for i, (name, kind, lo, hi, nullable, reason) in enumerate(_FEATURES, start=1)
    )
)

# A probability below 0.15 is approved, below 0.40 goes to a human, the rest is declined.
DEMO_BANDS = (
    DecisionBand(name="APPROVE", upper=0.15),
    DecisionBand(name="REVIEW", upper=0.40),
    DecisionBand(name="DECLINE", upper=1.0),
)

# Small, shallow trees keep model.ubj at a few hundred KB and scoring in microseconds.
# nthread=1: multi-threaded histogram building may sum floats in a different order.
PARAMS: dict[str, str | int | float] = {
    "objective": "binary:logistic",
    "tree_method": "hist",
    "max_depth": 5,
    "eta": 0.1,
    "subsample": 0.8,
    "min_child_weight": 5,
    "nthread": 1,
}
ROUNDS = 120
HOLDOUT_SHARE = 0.2


def _sigmoid(v: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-v))


def _pick(rng: np.random.Generator, logits: np.ndarray) -> np.ndarray:
    """One category index per row from row-wise logits (Gumbel-max trick: softmax sampling)."""
    return np.argmax(logits + rng.gumbel(size=logits.shape), axis=1)


def generate_dataset(rows: int, seed: int) -> tuple[np.ndarray, np.ndarray, FeatureSchema]:
    """Synthetic loan applications: ``(matrix, labels, schema)``, same seed -> same arrays.

    The matrix is float64 in schema order, NaN for missing, category columns hold the code index.
    A latent, unobserved creditworthiness drives the bureau features and the label alike, so the
    features correlate the way real ones do and the label is not a pure function of them.
    """
    rng = np.random.default_rng(seed)
    n = rows
    risk = rng.standard_normal(n)  # latent: higher = riskier
    age = np.clip(np.rint(18 + rng.gamma(4.0, 6.0, n)), 18, 100)
    employment = np.round((age - 18) * rng.beta(1.5, 4.0, n), 1)
    log_income = (
        np.log(48_000) - 0.0006 * (age - 50) ** 2 + 0.015 * np.minimum(employment, 20)
        + 0.5 * rng.standard_normal(n) - 0.12 * risk
    )
    income = np.clip(np.rint(np.exp(log_income)), 0, 5_000_000)
    income[rng.random(n) < 0.015] = 0.0  # no declared income (students, carers)
    employment[rng.random(n) < 0.06] = np.nan  # self-employed or not stated
    rel_income = np.log(np.maximum(income, 5_000) / 50_000)

    home = _pick(rng, np.column_stack([
        np.zeros(n), -3.0 + 0.07 * (age - 30), -1.2 + 0.06 * (age - 30) + 0.9 * rel_income, np.full(n, -3.2),
    ]))
    owner = (home == 1) | (home == 2)
    purpose_logits = np.tile(np.log([0.40, 0.20, 0.12, 0.12, 0.05, 0.11]), (n, 1))
    purpose_logits[:, 2] += 1.0 * owner  # home improvement needs a home
    purpose = _pick(rng, purpose_logits)
    size = np.array([1.0, 0.6, 1.3, 1.1, 1.8, 0.7])[purpose]
    amount = np.rint(np.maximum(income, 20_000) * size * np.exp(rng.normal(-1.5, 0.6, n)) / 100) * 100
    amount = np.clip(amount, 500, 1_000_000)
    terms = np.array([6, 12, 24, 36, 48, 60, 72, 84, 120, 180, 240, 360])
    term_index = np.clip(np.rint(2.0 * np.log10(amount) - 4.5 + rng.normal(0, 1, n)), 0, len(terms) - 1)
    term = terms[term_index.astype(int)].astype(float)  # bigger loans, longer terms

    history = np.round((age - 18) * rng.beta(4.0, 2.0, n), 1)
    history[rng.random(n) < np.where(age < 25, 0.12, 0.03)] = np.nan  # thin file: no bureau record
    on_file = ~np.isnan(history)
    delinquencies = np.where(on_file, np.minimum(rng.poisson(np.exp(-2.2 + 0.9 * risk)), 30), 0)
    # Realistic missingness: months since last delinquency only exists if there ever was one.
    older = (delinquencies == 0) & (history >= 2) & (rng.random(n) < _sigmoid(-2.0 + 0.8 * risk))
    recent_months = rng.integers(0, 24, n)
    older_months = np.minimum(24 + np.floor(rng.exponential(40, n)), 240)
    older_months = np.minimum(older_months, np.nan_to_num(history) * 12)  # not before the file opened
    since = np.where(delinquencies > 0, recent_months, np.where(older, np.floor(older_months), np.nan))
    inquiries = np.minimum(rng.poisson(np.exp(-0.4 + 0.5 * risk + 0.3 * (age < 30))), 30)
    open_accounts = np.minimum(rng.poisson(1.0 + 0.2 * np.nan_to_num(history)), 80)
    utilisation = np.clip(np.round(1.25 * _sigmoid(rng.normal(-0.6 + 0.9 * risk, 0.8)), 3), 0, 1.5)
    utilisation[(open_accounts == 0) | (rng.random(n) < 0.03)] = np.nan  # no revolving line / not reported
    bankruptcies = np.where(on_file, np.minimum(rng.poisson(np.exp(-3.3 + 0.7 * risk)), 10), 0)

    # Risk-based pricing: the lender sees part of the latent risk, longer terms cost more.
    rate = 10 + 3.0 * (0.8 * risk + 0.6 * rng.standard_normal(n)) + 0.2 * (term - 36) / 12
    rate = np.clip(np.round(rate, 2), 2, 36)
    monthly = rate / 1200
    payment = amount * monthly / (1 - (1 + monthly) ** -term)
    existing = _sigmoid(rng.normal(-1.7 + 0.4 * risk, 0.6))  # other debt service as a share of income
    dti = np.clip(np.round(existing + 12 * payment / np.maximum(income, 1), 4), 0, 2)
    dti[(income == 0) | (rng.random(n) < 0.01)] = np.nan  # undefined without income / not computed

    dependants = np.minimum(rng.poisson(0.3 + 1.1 * np.exp(-(((age - 40) / 12) ** 2))), 15)
    cosigner = (rng.random(n) < 0.03 + 0.08 * (age < 25) + 0.04 * (income < 25_000)).astype(float)
    savings = np.exp(0.9 * np.log(np.maximum(income, 2_000)) - 1.5 + rng.normal(0, 1.3, n) - 0.4 * risk)
    savings = np.clip(np.rint(savings), 0, 10_000_000)
    savings[rng.random(n) < 0.08] = 0.0
    savings[rng.random(n) < 0.15] = np.nan  # not disclosed
    residence = np.minimum(np.floor(rng.exponential(6, n)), age - 18)

    logit = (
        -2.0 + 1.5 * (np.nan_to_num(dti, nan=0.8) - 0.3) + 1.2 * (np.nan_to_num(utilisation, nan=0.3) - 0.4)
        + 0.45 * np.minimum(delinquencies, 5) + 0.15 * np.minimum(inquiries, 8)
        + 0.7 * np.minimum(bankruptcies, 3)
        - 0.35 * rel_income - 0.03 * np.minimum(np.nan_to_num(history), 25) + 0.4 * ~on_file
        - 0.02 * (np.minimum(age, 70) - 40) + 0.08 * (rate - 10)
        + np.array([0.1, 0.0, -0.1, -0.2, 0.6, 0.1])[purpose] + np.array([0.0, -0.2, -0.25, 0.2])[home]
        - 0.4 * cosigner - 0.08 * np.log1p(np.nan_to_num(savings) / 1000) + 0.1 * dependants
        + 0.25 * np.isnan(employment) - 0.02 * np.minimum(np.nan_to_num(employment), 20)
        + 0.3 * (np.nan_to_num(since, nan=999) < 12) + 0.5 * risk
    )
    labels = (rng.random(n) < _sigmoid(logit)).astype(np.float64)
    columns = {
        "age": age, "annual_income": income, "employment_years": employment, "home_ownership": home,
        "residence_years": residence, "number_of_dependants": dependants, "loan_amount": amount,
        "loan_term_months": term, "loan_purpose": purpose, "interest_rate": rate, "has_cosigner": cosigner,
        "debt_to_income": dti, "revolving_utilisation": utilisation, "open_accounts": open_accounts,
        "credit_history_years": history, "delinquencies_2y": delinquencies,
        "months_since_last_delinquency": since, "inquiries_6m": inquiries, "bankruptcies": bankruptcies,
        "savings_balance": savings,
    }
    matrix = np.column_stack([np.asarray(columns[name], dtype=np.float64) for name in SCHEMA.names])
    return matrix, labels, SCHEMA


def split_rows(rows: int, seed: int, holdout_share: float = HOLDOUT_SHARE) -> tuple[np.ndarray, np.ndarray]:
    """The training and holdout row indexes (sorted) of a data set of ``rows`` rows.

    The training rows are the ones the metadata's distributions (the drift baseline) describe.
    """
    order = np.random.default_rng([seed, 1]).permutation(rows)  # independent of the data stream
    cut = rows - round(rows * holdout_share)
    return np.sort(order[:cut]), np.sort(order[cut:])


def train_model(
    matrix: np.ndarray,
    labels: np.ndarray,
    schema: FeatureSchema,
    out_dir: Path,
    *,
    name: str,
    version: str,
    seed: int,
    description: str = "",
    bands: tuple[DecisionBand, ...] = DEMO_BANDS,
    rounds: int = ROUNDS,
    holdout_share: float = HOLDOUT_SHARE,
    training: dict[str, str | int | float] | None = None,
) -> ModelMetadata:
    """Train on a deterministic split, evaluate on the holdout, write model.ubj + metadata.json."""
    train_rows, holdout_rows = split_rows(len(labels), seed, holdout_share)
    # Categories are plain numeric indexes ("int"), not XGBoost categoricals: the core scores
    # float64 matrices with inplace_predict, and index splits need no category support there.
    types = ["q" if f.kind is _N else "int" for f in schema.features]
    dtrain = xgb.DMatrix(
        matrix[train_rows], label=labels[train_rows], feature_names=list(schema.names),
        feature_types=types, nthread=1,
    )
    params = {**PARAMS, "seed": seed}
    booster = xgb.train(params, dtrain, num_boost_round=rounds)

    scores = booster.inplace_predict(matrix[holdout_rows])  # the very call the core makes
    # The threshold is where the last band (DECLINE) starts: the metrics describe the decision.
    threshold = bands[-2].upper if len(bands) > 1 else 0.5
    metadata = ModelMetadata(
        name=name,
        version=version,
        description=description,
        feature_schema=schema,
        bands=bands,
        contributions="approx",
        metrics=holdout_metrics(labels[holdout_rows], scores, threshold),
        distributions={
            spec.name: feature_distribution(spec, matrix[train_rows, i])
            for i, spec in enumerate(schema.features)
        },
        training={
            **(training or {}),
            "seed": seed,
            "rows": len(labels),
            "train_rows": len(train_rows),
            "holdout_rows": len(holdout_rows),
            "train_default_rate": round(float(labels[train_rows].mean()), 6),
            "rounds": rounds,
            **params,
            "xgboost": xgb.__version__,
            "numpy": np.__version__,
            "distribution_bins": "edges lie between training values; bin i: edges[i-1] < x < edges[i]",
        },
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    # Model first, metadata last: a complete metadata.json means a complete artifact.
    write_atomic(out_dir / "model.ubj", bytes(booster.save_raw(raw_format="ubj")))
    write_atomic(out_dir / "metadata.json", (metadata.model_dump_json(indent=2) + "\n").encode())
    return metadata


def train_demo(
    out_dir: Path, *, name: str = "credit-risk", version: str = "1", seed: int = 20261125, rows: int = 40_000
) -> ModelMetadata:
    """Generate the synthetic data set and train the demo model into ``out_dir``."""
    matrix, labels, schema = generate_dataset(rows, seed)
    return train_model(
        matrix, labels, schema, Path(out_dir), name=name, version=version, seed=seed,
        description="Demo credit-risk score (probability of default) trained on synthetic loan applications.",
        training={"generator": "scoregate.core.train.generate_dataset"},
    )


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m scoregate.core.train OUT_DIR")
    print(train_demo(Path(sys.argv[1])).metrics)
