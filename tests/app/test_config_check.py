"""`config check` checks every mapping against its model in the same pass: each mistake one line
naming the file and the key, exit code 2, no traceback; `[client]` errors against the gateway file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from scoregate.adapters.mapping import FeatureMap, RequestMapping
from scoregate.adapters.mapping_check import check_request, directory_lookup
from scoregate.app.cli import main
from scoregate.app.paths import DEFAULTS_DIR, DEMO_MODELS_DIR

MODEL_LOOKUP = directory_lookup(DEMO_MODELS_DIR)


@pytest.fixture
def job(tmp_path: Path) -> Path:
    for copybook in (DEFAULTS_DIR / "files").glob("*.cpy"):
        shutil.copy(copybook, tmp_path)
    shutil.copy(DEFAULTS_DIR / "files" / "loans.toml", tmp_path / "job.toml")
    return tmp_path / "job.toml"


def _edit(file: Path, old: str, new: str) -> None:
    text = file.read_text()
    assert old in text
    file.write_text(text.replace(old, new, 1))


def _check(job: Path, gateway_extra: str = "", *args: str) -> tuple[int, list[str]]:
    gateway = job.parent / "gateway.toml"
    gateway.write_text(f'{gateway_extra}[channels.files]\nconfig = "{job.name}"\n')
    result = CliRunner().invoke(main, ["config", "check", str(gateway), *args])
    assert "Traceback" not in result.output
    # An in-process core (the --core test) logs into the same captured output: its lines are JSON.
    lines = [line for line in result.output.splitlines() if not line.startswith('{"time"')]
    return result.exit_code, [line.removeprefix("Error: ") for line in lines]


def test_a_model_that_does_not_exist(job: Path) -> None:
    _edit(job, 'model = "credit-risk"', 'model = "credit-riskx"')
    assert _check(job) == (2, [f"{job}: request.model: unknown model 'credit-riskx' in {DEMO_MODELS_DIR}; did you mean 'credit-risk'?"])


def test_a_required_feature_left_unmapped(job: Path) -> None:
    _edit(job, '  { feature = "bankruptcies", source = "LD-BANKRUPTCIES", type = "integer" },\n', "")
    assert _check(job) == (2, [f"{job}: request.features: credit-risk requires bankruptcies (integer): "
                               "map it with a source, an expr or a default"])


def test_client_errors_are_the_gateway_files_with_their_full_key(job: Path) -> None:
    code, lines = _check(job, "[client]\ntimeout_s = -1\n")
    assert code == 2
    assert lines == [f"{job.parent / 'gateway.toml'}: client.timeout_s: Input should be greater than 0"]


def test_every_problem_in_one_pass(job: Path) -> None:
    _edit(job, 'model = "credit-risk"', 'model = "credit-riskx"')
    _edit(job, '"RD-PD"', '"RD-PDX"')
    code, lines = _check(job, "[client]\nretry_attempts = 0\n")
    assert code == 2 and len(lines) == 2  # the client key, then the copybook (the model waits for a job that loads)
    assert lines[0].endswith("client.retry_attempts: Input should be greater than or equal to 1")
    assert lines[1].endswith("response.result[2].target: RD-PDX is not a field of RS-DETAIL-REC; did you mean RD-PD?")


@pytest.mark.parametrize(("feature", "problem"), [
    (FeatureMap(feature="home_ownership", source="HOME"),
     "m.features[0]: home_ownership is a category (RENT, OWN, MORTGAGE, OTHER): read it with type = \"text\" (and codes), not as a number"),
    (FeatureMap(feature="home_ownership", source="HOME", type="text", codes={"R": "RENTED"}),
     "m.features[0].codes.R: 'RENTED' is not a code of home_ownership (RENT, OWN, MORTGAGE, OTHER); did you mean 'RENT'?"),
    (FeatureMap(feature="annual_income", source="INCOME", type="text"),
     "m.features[0]: annual_income is a number: a text value needs codes mapping it to numbers"),
    (FeatureMap(feature="has_cosigner", source="X", type="text", codes={"Y": "yes"}),
     "m.features[0].codes.Y: has_cosigner is a integer: map codes to numbers, not 'yes'"),
    (FeatureMap(feature="loan_purpose", default="BOAT"),
     "m.features[0].default: 'BOAT' is not a code of loan_purpose (DEBT_CONSOLIDATION, CREDIT_CARD, HOME_IMPROVEMENT, CAR, SMALL_BUSINESS, OTHER)"),
    (FeatureMap(feature="anual_income", source="INCOME"),
     "m.features[0].feature: 'anual_income' is not a feature of credit-risk; did you mean 'annual_income'?"),
])
def test_kinds_and_codes_must_fit_the_model(feature: FeatureMap, problem: str) -> None:
    problems = check_request(RequestMapping(model="credit-risk", features=(feature,)), MODEL_LOOKUP, "m")
    assert problems[0] == problem
    assert all(p.startswith("m.features: credit-risk requires") for p in problems[1:])


def test_the_demo_channels_fit_the_demo_model() -> None:
    result = CliRunner().invoke(main, ["config", "check", str(DEFAULTS_DIR / "gateway.toml")])
    assert result.exit_code == 0, result.output
    assert result.output == f"{DEFAULTS_DIR / 'gateway.toml'}: ok (soap, amqp, files)\n"


def test_models_are_looked_up_at_a_running_core(job: Path, core) -> None:  # noqa: ANN001
    _edit(job, 'model = "credit-risk"', 'model = "credit-riskx"')
    assert _check(job, "", "--core", core.target) == (2, [f"{job}: request.model: unknown model 'credit-riskx' at the core {core.target}"])
