"""`config check` checks every mapping against its model in the same pass: each mistake one line
naming the file and the key, exit code 2, no traceback; `[client]` errors against the gateway file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from scoregate.adapters.mapping import FeatureMap, RequestMapping
from scoregate.adapters.mapping_check import check_request
from scoregate.app.config_check import directory_lookup
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
    assert result.output == f"{DEFAULTS_DIR / 'gateway.toml'}: ok (soap, amqp, files, outcome_files)\n"


def test_models_are_looked_up_at_a_running_core(job: Path, core) -> None:  # noqa: ANN001
    _edit(job, 'model = "credit-risk"', 'model = "credit-riskx"')
    assert _check(job, "", "--core", core.target) == (2, [f"{job}: request.model: unknown model 'credit-riskx' at the core {core.target}"])


# ---------------------------------------------------------------- every kind, from every command
# Each misconfiguration the onboarding issue met, made in a copy of the demo files: `config check`,
# `gateway serve` and `up` each stop with the same line(s), exit code 2, no traceback, before
# anything starts (`up` starts no core, `gateway serve` opens no port).

def _demo_copy(folder: Path, channel: str) -> Path:
    """The demo channel's folder copied into ``folder``; returns its channel file."""
    names = {"soap": "loan-risk.toml", "amqp": "demo.toml", "files": "loans.toml"}
    shutil.copytree(DEFAULTS_DIR / channel, folder / channel)
    return folder / channel / names[channel]


def _three_commands(folder: Path, channel: str, file: Path, core, client: str = "") -> dict[str, list[str]]:  # noqa: ANN001
    """The lines each command stops with (each asserted to stop with exit code 2, no traceback)."""
    gateway = folder / "gateway.toml"
    gateway.write_text(f'[health]\nport = 0\n[client]\ntarget = "{core.target}"\n{client}'
                       f'[channels.{channel}]\nconfig = "{file.relative_to(folder)}"\n')
    out = {}
    for name, args in {"config check": ["config", "check", str(gateway)],
                       "gateway serve": ["gateway", "serve", "--config", str(gateway)],
                       "up": ["up", "--config", str(gateway), "--workdir", str(folder / "work")]}.items():
        result = CliRunner().invoke(main, args)
        assert "Traceback" not in result.output, result.output
        lines = [line for line in result.output.splitlines() if not line.startswith('{"time"')]
        assert result.exit_code == 2, (name, result.output)  # and so it never got to serve
        out[name] = [line.removeprefix("Error: ") for line in lines]
    return out


MISTAKES = {
    # kind: (channel, edit of the channel file (old, new) or None, expected first line with {file} and {dir})
    "copybook deleted": ("files", None, "{file}: input.copybook: no such file {dir}/LOANREQ.cpy"),
    "source not in the copybook": ("files", ('source = "LD-LOAN-AMOUNT"', 'source = "DTL-LOAN-AMNT"'),
                                   "{file}: request.features[6] (loan_amount): DTL-LOAN-AMNT is not a field of LR-DETAIL-REC; did you mean LD-LOAN-AMOUNT?"),
    "model does not exist": ("files", ('model = "credit-risk"', 'model = "credit-riskx"'), "{file}: request.model: unknown model 'credit-riskx'"),
    "required feature unmapped": ("files", ('  { feature = "bankruptcies", source = "LD-BANKRUPTCIES", type = "integer" },\n', ""),
                                  "{file}: request.features: credit-risk requires bankruptcies (integer): map it with a source, an expr or a default"),
    "response target not in the layout": ("files", ('"RD-PD"', '"RD-PDX"'),
                                          "{file}: response.result[2].target: RD-PDX is not a field of RS-DETAIL-REC; did you mean RD-PD?"),
    "kind does not fit": ("files", ('source = "LD-ANNUAL-INCOME" }', 'source = "LD-ANNUAL-INCOME", type = "text" }'),
                          "{file}: request.features[1]: annual_income is a number: a text value needs codes mapping it to numbers"),
    "code not of the model": ("files", ('R = "RENT"', 'R = "RENTED"'),
                              "{file}: request.features[3].codes.R: 'RENTED' is not a code of home_ownership (RENT, OWN, MORTGAGE, OTHER); did you mean 'RENT'?"),
    "TOML syntax": ("files", ('reference = "LD-APPL-NO"      #', 'reference = LD-APPL-NO      #'), "{file}:21:13: Invalid value (TOML syntax)"),
    "TODO placeholder": ("files", ('{ feature = "bankruptcies", source = "LD-BANKRUPTCIES", type = "integer" }',
                                   '{ feature = "bankruptcies", default = "TODO: a number" }'),
                         "{file}:75: request.features[18].default: TODO: a number"),
    "integer expr with a fraction": ("files", ('{ feature = "number_of_dependants", source = "LD-DEPENDANTS", type = "integer" }',
                                               '{ feature = "number_of_dependants", expr = "`LD-DEPENDANTS` / 2", type = "integer" }'),
                                     "{file}: request.features[5].expr: number_of_dependants is a whole number, and a division can make it a fraction: wrap the expression in round(...)"),
    "SOAP expr field not in the WSDL": ("soap", ('source = "Application/Loan/AmountRequested" }', 'expr = "`Application/Loan/AmountRequestd` * 1" }'),
                                        "{file}: LoanRiskService.wsdl: operation AssessCreditApplication, request feature loan_amount: "
                                        "'Application/Loan/AmountRequestd' is not in the input message (did you mean 'Application/Loan/AmountRequested'?)"),
    "fixed-width expr field not in the copybook": ("amqp", ('source = "LOAN-AMOUNT", type = "number" }', 'expr = "`LOAN-AMNT` * 1" }'),
                                                   "{file}: queues[1].request.features[6] (loan_amount): LOAN-AMNT is not a field of LOAN-REQUEST; did you mean LOAN-AMOUNT?"),
}


@pytest.mark.parametrize("mistake", MISTAKES, ids=list(MISTAKES))
def test_each_mistake_stops_config_check_gateway_serve_and_up_in_the_same_line(tmp_path: Path, shared_core, mistake: str) -> None:  # noqa: ANN001
    channel, edit, expected = MISTAKES[mistake]
    file = _demo_copy(tmp_path, channel)
    if edit is None:
        (file.parent / "LOANREQ.cpy").unlink()
    else:
        _edit(file, *edit)
    expected = expected.format(file=file, dir=file.parent)
    for command, lines in _three_commands(tmp_path, channel, file, shared_core).items():
        assert len(lines) == 1 and lines[0].startswith(expected), (command, lines)


def test_a_missing_channel_file_and_a_client_key_are_the_gateway_files(tmp_path: Path, shared_core) -> None:  # noqa: ANN001
    for command, lines in _three_commands(tmp_path, "files", tmp_path / "nope.toml", shared_core, "timeout_s = -1\n").items():
        assert lines == [f"{tmp_path / 'gateway.toml'}: client.timeout_s: Input should be greater than 0",
                         f"{tmp_path / 'nope.toml'}: no such file"], command


def test_a_state_redis_that_is_not_a_redis_url_is_one_line(job: Path) -> None:
    code, lines = _check(job, '[state]\nredis = "postgresql://u:secret@db:5432/x"\n')
    assert code == 2
    assert lines == [f"{job.parent / 'gateway.toml'}: state.redis: Value error, not a Redis URL: 'db:5432/x' "
                     "(redis://host:6379/0, rediss://... or unix://...)"]  # the password is not repeated


def test_state_redis_comes_from_the_environment(job: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scoregate.app.config import GatewayConfig

    monkeypatch.setenv("TEST_REDIS_URL", "redis://:pw@cache:6379/2")
    (job.parent / "gateway.toml").write_text('[state]\nredis = "${TEST_REDIS_URL}"\n')
    assert GatewayConfig.load(job.parent / "gateway.toml").state.redis == "redis://:pw@cache:6379/2"
    assert _check(job, '[state]\nredis = "${TEST_REDIS_URL}"\n')[0] == 0
