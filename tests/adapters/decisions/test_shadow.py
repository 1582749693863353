"""Shadow scoring (adapters/decisions/shadow.py) against a real core: answers unchanged and undelayed, both scores in the audit."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import numpy as np
from click.testing import CliRunner

from scoregate.adapters.decisions.sqlite import AuditLog
from scoregate.app.cli import main
from scoregate.adapters.decisions.compare import compare
from scoregate.adapters.decisions.recorder import DecisionRecorder
from scoregate.app.demo import DEMO_APPLICANT
from scoregate.app.paths import DEMO_FALLBACK
from scoregate.adapters.decisions.shadow import ShadowScorer
from scoregate.core.aliases import move_alias
from scoregate.core.client import ScoringClient
from scoregate.core.contract import CallerRef, ColumnBatch, ScoreRequest
from scoregate.core.hooks import ClientHooks
from scoregate.core.settings import ClientSettings
from scoregate.core.train import generate_dataset

MODEL = "credit-risk"


def _requests(n: int) -> list[ScoreRequest]:
    return [
        ScoreRequest(request_id=f"r{i}", model=MODEL, features={**DEMO_APPLICANT, "annual_income": 20_000.0 + 3_000 * i},
                     reason_count=2, caller=CallerRef(reference=f"APP-{i}", channel="soap"))
        for i in range(n)
    ]


def test_answers_are_unchanged_and_both_scores_are_audited(core_factory, models_dir: Path, tmp_path: Path, new_version) -> None:  # noqa: ANN001
    # Version 2: a different booster (the 15-tree fallback), so that the two versions disagree now and then.
    new_version(models_dir, "2", DEMO_FALLBACK)
    move_alias(models_dir, MODEL, "production", "1")
    core = core_factory(models_dir=models_dir)
    matrix, _, schema = generate_dataset(300, seed=11)
    batch = ColumnBatch(schema.names, matrix, tuple(f"REC-{i}" for i in range(300)))
    db = tmp_path / "audit.sqlite"
    with ScoringClient(core.client_settings()) as plain, ScoringClient(core.client_settings()) as shadow_client, \
            AuditLog(db) as audit:
        shadow = ShadowScorer(shadow_client, MODEL, "2", audit, "soap")
        with ScoringClient(core.client_settings(), ClientHooks(observer=DecisionRecorder("soap", audit, shadow=shadow))) as client:
            for request in _requests(30):
                answered, expected = client.score(request), plain.score(request)
                assert (answered.version, answered.probability, answered.reasons) == ("1", expected.probability, expected.reasons)
            answered_batch = client.score_batch(batch, MODEL, caller=CallerRef(reference="LOANS.D1", channel="files"))
            assert answered_batch.version == "1"
            np.testing.assert_array_equal(answered_batch.probabilities, plain.score_batch(batch, MODEL).probabilities)
        shadow.stop(timeout=30)
        assert (shadow.scored, shadow.failed, shadow.dropped) == (31, 0, 0)
        assert audit.flush(30)
        versions = sorted(r.version for r in audit.find("APP-3"))
        assert versions == ["1", "2"] and {r.channel for r in audit.find("APP-3")} == {"soap", "soap:shadow"}

    result = compare(db, MODEL)
    assert result.pairs == 330 and result.versions == ("1", "2")
    assert 0.5 < result.agreement <= 1.0 and sum(result.decisions.values()) == 330
    assert set(result.quantiles) == {"1", "2"} and result.quantiles["1"] != result.quantiles["2"]
    shown = CliRunner().invoke(main, ["models", "compare", MODEL, "--db", str(db)])
    assert shown.exit_code == 0, shown.output
    assert "330 requests scored by version 1 (answered) and 2 (shadow)" in shown.output
    assert f"decisions agree on {result.agreement:.1%}" in shown.output


def test_a_shadow_that_hangs_never_delays_an_answer(shared_core, tmp_path: Path) -> None:
    # A real peer that accepts connections and never answers: every shadow call waits out its timeout.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    hanging = ScoringClient(ClientSettings(target=f"127.0.0.1:{silent.getsockname()[1]}", timeout_s=5, retry_attempts=1))
    with AuditLog(tmp_path / "audit.sqlite") as audit:
        shadow = ShadowScorer(hanging, MODEL, "2", audit, "soap", max_pending=5)
        with ScoringClient(shared_core.client_settings(), ClientHooks(observer=DecisionRecorder("soap", audit, shadow=shadow))) as client:
            client.score(_requests(1)[0])  # warm the connection
            started = time.perf_counter()
            for request in _requests(40):
                assert client.score(request).version == "1"
            elapsed = time.perf_counter() - started
        assert elapsed < 5, f"40 answers took {elapsed:.1f} s while the shadow hangs"
        assert shadow.dropped >= 30 and shadow.scored == 0  # a full queue skips shadow scores, never waits
        shadow.stop(timeout=0.1)
    hanging.close()
    silent.close()
