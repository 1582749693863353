"""The client's fallback model and decision observer (core/fallback.py, core/hooks.py), against a real core.

"Core down" is real: a port nobody listens on, then a core started on it.
"""

from __future__ import annotations

import asyncio
import time

import numpy as np
import pytest

from scoregate.app.paths import DEMO_FALLBACK
from scoregate.core.breaker import BreakerState
from scoregate.core.client import AsyncScoringClient, ScoringClient
from scoregate.core.contract import ColumnBatch, ScoreRequest
from scoregate.core.errors import CoreUnavailable, InvalidInput
from scoregate.core.fallback import FallbackScorer
from scoregate.core.hooks import ClientHooks
from scoregate.core.settings import ClientSettings

MODEL = "credit-risk"


class Recorder:
    """A DecisionObserver that keeps what it sees."""

    def __init__(self) -> None:
        self.results: list[tuple] = []
        self.batches: list[tuple] = []

    def on_result(self, request, result, seconds) -> None:  # noqa: ANN001
        self.results.append((request, result, seconds))

    def on_batch(self, batch, result, caller, seconds) -> None:  # noqa: ANN001
        self.batches.append((batch, result, caller, seconds))


@pytest.fixture(scope="module")
def fallback() -> FallbackScorer:
    return FallbackScorer(DEMO_FALLBACK)


def _settings(port: int) -> ClientSettings:
    return ClientSettings(target=f"127.0.0.1:{port}", timeout_s=2, retry_attempts=2, breaker_failures=2, breaker_reset_s=0.5)


def test_core_down_fallback_answers_marked_then_the_core_takes_over_again(free_port: int, core_factory, models_dir, applicant, fallback) -> None:
    port = free_port
    seen = Recorder()
    request = ScoreRequest(request_id="r1", model=MODEL, features=applicant, reason_count=3)
    with ScoringClient(_settings(port), ClientHooks(fallback=fallback, observer=seen)) as client:
        first = client.score(request)
        assert first.fallback and first.version == "1-fallback" and first.request_id == "r1"
        assert 0.0 < first.probability < 1.0 and first.decision
        again = fallback.score(request)  # the very model shipped as the fallback
        assert (first.probability, first.decision, first.reasons) == (again.probability, again.decision, again.reasons)
        client.score(request)
        assert client.breaker.state is BreakerState.OPEN
        started = time.perf_counter()
        assert client.score(request).fallback  # breaker open: no call to the core at all
        assert time.perf_counter() - started < 0.5

        core_factory(models_dir=models_dir, address=f"127.0.0.1:{port}")
        # Every breaker_reset_s one trial call goes to the core; gRPC's reconnect backoff may
        # make the first trials fail. Meanwhile every answer comes from the fallback.
        deadline = time.monotonic() + 15
        while (back := client.score(request)).fallback:
            assert time.monotonic() < deadline, "the client never went back to the core"
            time.sleep(0.1)
        assert back.version == "1"
        assert client.breaker.state is BreakerState.CLOSED
    flags = [r.fallback for _, r, _ in seen.results]
    assert flags[:3] == [True, True, True] and flags[-1] is False and all(flags[:-1])
    assert all(s >= 0 for _, _, s in seen.results)


def test_fallback_still_refuses_bad_input(free_port: int, applicant, fallback) -> None:
    bad = ScoreRequest(request_id="r", model=MODEL, features={**applicant, "annual_income": -5})
    with ScoringClient(_settings(free_port), ClientHooks(fallback=fallback)) as client:
        with pytest.raises(InvalidInput) as caught:
            client.score(bad)
    assert caught.value.violations[0].field == "annual_income"


def test_another_model_or_a_pinned_version_gets_the_outage(free_port: int, applicant, fallback) -> None:
    with ScoringClient(_settings(free_port), ClientHooks(fallback=fallback)) as client:
        with pytest.raises(CoreUnavailable):
            client.score(ScoreRequest(request_id="r", model="other-model", features=applicant))
        with pytest.raises(CoreUnavailable):
            client.score(ScoreRequest(request_id="r", model=MODEL, version="1", features=applicant))


def test_batch_fallback_scores_good_rows_and_rejects_bad_ones(free_port: int, demo_rows, fallback) -> None:
    matrix = demo_rows[:50].copy()
    matrix[7, 0] = -1.0  # out of range for the first feature
    batch = ColumnBatch(fallback.description.feature_schema.names, matrix)
    seen = Recorder()
    with ScoringClient(_settings(free_port), ClientHooks(fallback=fallback, observer=seen)) as client:
        description = client.describe(MODEL)  # the fallback's, while the core is down
        assert description.version == "1-fallback"
        result = client.score_batch(batch, MODEL, description.version, reason_count=2)
    assert result.fallback and result.rows == 50 and set(result.rejects) == {7}
    assert np.isnan(result.probabilities[7]) and not np.isnan(np.delete(result.probabilities, 7)).any()
    assert len(seen.batches) == 1 and seen.batches[0][1] is result


def test_a_version_learnt_from_the_fallback_is_never_sent_to_a_live_core(shared_core, applicant, fallback) -> None:
    request = ScoreRequest(request_id="r", model=MODEL, version="1-fallback", features=applicant)
    with ScoringClient(shared_core.client_settings(), ClientHooks(fallback=fallback)) as client:
        assert client.score(request).fallback
        assert not client.score(request.model_copy(update={"version": None})).fallback


def test_async_client_falls_back_too(free_port: int, applicant, fallback) -> None:
    async def run() -> object:
        async with AsyncScoringClient(_settings(free_port), ClientHooks(fallback=fallback)) as client:
            return await client.score(ScoreRequest(request_id="a", model=MODEL, features=applicant))

    assert asyncio.run(run()).fallback


def test_without_a_fallback_the_outage_is_raised(free_port: int, applicant) -> None:
    with ScoringClient(_settings(free_port)) as client, pytest.raises(CoreUnavailable):
        client.score(ScoreRequest(request_id="r", model=MODEL, features=applicant))
