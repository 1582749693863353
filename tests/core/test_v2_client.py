"""The V2 scoring client (``protocol = "v2"``) against a real V2 server (the core's own endpoint):
the same answers and errors as the scoregate client, and the same breaker, retries and fallback."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from scoregate.app.paths import DEMO_FALLBACK, DEMO_MODELS_DIR
from scoregate.core.breaker import BreakerState
from scoregate.core.client import ScoringClient, async_scoring_client, scoring_client
from scoregate.core.contract import ColumnBatch, ScoreRequest
from scoregate.core.errors import CoreUnavailable, InvalidInput, UnknownModel
from scoregate.core.fallback import FallbackScorer
from scoregate.core.hooks import ClientHooks
from scoregate.core.settings import ClientSettings
from scoregate.core.v2.client import V2ScoringClient

MODEL = "credit-risk"


def _v2(target: str, **settings: object) -> ClientSettings:
    return ClientSettings(target=target, protocol="v2", models_dir=DEMO_MODELS_DIR, **settings)


@pytest.fixture(scope="module")
def clients(shared_core):  # noqa: ANN001, ANN201
    with ScoringClient(shared_core.client_settings()) as v1, scoring_client(_v2(shared_core.target)) as v2:
        assert isinstance(v2, V2ScoringClient)
        yield v1, v2


def test_single_requests_answer_and_fail_as_over_the_scoregate_protocol(clients, applicant) -> None:
    v1, v2 = clients
    request = ScoreRequest(request_id="r-1", model=MODEL, features=applicant, reason_count=4)
    assert v2.score(request).model_copy(update={"core_micros": 0}) == v1.score(request).model_copy(update={"core_micros": 0})
    bad = request.model_copy(update={"features": dict(applicant, age=12, home_ownership="CASTLE", shoe_size=9)})
    with pytest.raises(InvalidInput) as over_v1:
        v1.score(bad)
    with pytest.raises(InvalidInput) as over_v2:
        v2.score(bad)
    assert over_v2.value.violations == over_v1.value.violations
    with pytest.raises(UnknownModel):
        v2.score(request.model_copy(update={"model": "fraud"}))
    assert v2.describe(MODEL) == v1.describe(MODEL).model_copy(update={"description": v2.describe(MODEL).description})


def test_batches_with_rejected_rows_and_banded_reasons_equal_the_scoregate_protocols(clients, demo_rows) -> None:
    v1, v2 = clients
    names = v1.describe(MODEL).feature_schema.names
    rows = demo_rows[:60].copy()
    rows[[3, 17], names.index("age")] = 7  # out of range: rejected by the gateway's own validation
    batch = ColumnBatch(names, rows)
    for kwargs in ({}, {"reason_count": 3}, {"reason_count": 2, "reason_bands": ("DECLINE", "REVIEW")}):
        a, b = v1.score_batch(batch, MODEL, **kwargs), v2.score_batch(batch, MODEL, **kwargs)
        np.testing.assert_array_equal(b.probabilities, a.probabilities)
        np.testing.assert_array_equal(b.decisions, a.decisions)
        np.testing.assert_array_equal(b.reason_features, a.reason_features)
        np.testing.assert_allclose(b.reason_contributions, a.reason_contributions, rtol=1e-6)
        assert b.rejects == a.rejects and set(b.rejects) == {3, 17}
    with pytest.raises(InvalidInput):
        v2.score_batch(ColumnBatch(names[::-1], rows[:, ::-1]), MODEL)  # columns out of order


def test_the_async_client_answers_alike(shared_core, clients, applicant, demo_rows) -> None:
    v1, _ = clients
    request = ScoreRequest(request_id="r-2", model=MODEL, features=applicant, reason_count=2)
    names = v1.describe(MODEL).feature_schema.names

    async def run():  # noqa: ANN202
        client = async_scoring_client(_v2(shared_core.target))
        try:
            return await client.score(request), await client.score_batch(ColumnBatch(names, demo_rows[:20]), MODEL)
        finally:
            await client.close()

    single, batch = asyncio.run(run())
    assert single.model_copy(update={"core_micros": 0}) == v1.score(request).model_copy(update={"core_micros": 0})
    np.testing.assert_array_equal(batch.probabilities, v1.score_batch(ColumnBatch(names, demo_rows[:20]), MODEL).probabilities)


def test_a_server_down_opens_the_breaker_and_the_fallback_answers(free_port, applicant) -> None:
    request = ScoreRequest(request_id="r-3", model=MODEL, features=applicant)
    settings = _v2(f"127.0.0.1:{free_port}", timeout_s=1, retry_attempts=2, breaker_failures=2, connect_timeout_s=0.2)
    with scoring_client(settings) as alone:
        for _ in range(2):
            with pytest.raises(CoreUnavailable):
                alone.score(request)
        assert alone.breaker.state is BreakerState.OPEN
        with pytest.raises(CoreUnavailable, match="circuit breaker open"):
            alone.score(request)
        assert not alone.readiness().ready  # the probe asks the V2 server's ServerReady
    with scoring_client(settings, ClientHooks(fallback=FallbackScorer(DEMO_FALLBACK))) as covered:
        result = covered.score(request)
        assert result.fallback and result.version == "1-fallback"


def test_v2_needs_the_models_metadata() -> None:
    with pytest.raises(ValueError, match="models_dir or metadata"):
        ClientSettings(protocol="v2")
