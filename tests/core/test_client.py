"""The scoring client against a core that is down, comes back, or stops gracefully."""

from __future__ import annotations

import threading
import time

import pytest

from scoregate.core.breaker import BreakerState, CircuitBreaker
from scoregate.core.client import ScoringClient
from scoregate.core.contract import ScoreRequest
from scoregate.core.errors import CoreUnavailable

MODEL = "credit-risk"


def test_unavailable_core_is_retried_then_reported_and_opens_the_breaker(free_port: int, core_factory, models_dir, applicant) -> None:
    port = free_port
    request = ScoreRequest(request_id="r", model=MODEL, features=applicant)
    settings = dict(target=f"127.0.0.1:{port}", timeout_s=2, breaker_failures=2, breaker_reset_s=0.5)
    from scoregate.core.settings import ClientSettings

    with ScoringClient(ClientSettings(**settings)) as client:
        for _ in range(2):
            started = time.monotonic()
            with pytest.raises(CoreUnavailable):
                client.score(request)
            # gRPC's retry policy waited between attempts (backoff 0.05 s, x2) before giving up.
            assert time.monotonic() - started >= 0.05
        assert client.breaker.state is BreakerState.OPEN
        with pytest.raises(CoreUnavailable, match="circuit breaker open"):
            client.score(request)  # fails fast, no call made

        core_factory(models_dir=models_dir, address=f"127.0.0.1:{port}")
        time.sleep(0.6)  # past breaker_reset_s: one trial call goes through
        assert client.breaker.state is BreakerState.HALF_OPEN
        assert client.score(request).version == "1"
        assert client.breaker.state is BreakerState.CLOSED


def test_graceful_stop_finishes_in_flight_calls(core_factory, models_dir, applicant) -> None:
    core = core_factory(models_dir=models_dir)
    request = ScoreRequest(request_id="r", model=MODEL, features=applicant, reason_count=3)
    outcomes: list[object] = []

    def caller() -> None:
        with ScoringClient(core.client_settings(timeout_s=10)) as client:
            for _ in range(200):
                try:
                    outcomes.append(client.score(request).version)
                except Exception as exc:  # noqa: BLE001 - every outcome is asserted below
                    outcomes.append(exc)
                    return

    threads = [threading.Thread(target=caller) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    core.stop(grace=5)
    for t in threads:
        t.join(20)
    answered = [o for o in outcomes if o == "1"]
    refused = [o for o in outcomes if isinstance(o, CoreUnavailable)]
    assert answered, "calls before the stop were answered"
    # Every call either got its score or a clean UNAVAILABLE; none failed in another way.
    assert len(answered) + len(refused) == len(outcomes)


def test_breaker_half_open_allows_a_single_trial() -> None:
    now = [0.0]
    breaker = CircuitBreaker(failures=1, reset_s=10, clock=lambda: now[0])
    breaker.record_failure()
    with pytest.raises(CoreUnavailable):
        breaker.before_call()
    now[0] = 10.0
    breaker.before_call()  # the trial
    with pytest.raises(CoreUnavailable):
        breaker.before_call()  # others wait for its outcome
    breaker.record_failure()  # trial failed: open again for reset_s
    with pytest.raises(CoreUnavailable):
        breaker.before_call()
    now[0] = 20.0
    breaker.before_call()
    breaker.record_success()
    assert breaker.state is BreakerState.CLOSED


def test_stop_lets_a_long_batch_in_flight_finish(core_factory, models_dir, demo_rows) -> None:
    import numpy as np

    from scoregate.core.contract import ColumnBatch

    core = core_factory(models_dir=models_dir)
    rows = np.tile(demo_rows, (300, 1))  # 150,000 rows with reason codes: seconds of scoring
    outcome: list[object] = []

    with ScoringClient(core.client_settings(timeout_s=30)) as client:
        names = client.describe(MODEL).feature_schema.names

        def caller() -> None:
            try:
                outcome.append(client.score_batch(ColumnBatch(names, rows), MODEL, reason_count=3))
            except Exception as exc:  # noqa: BLE001 - asserted below
                outcome.append(exc)

        # The batch must have arrived whole (24 MB) and be in scoring when the stop begins: a call
        # whose message is still on the wire is not in flight yet, and a busy machine is slow. The
        # service's scoring step is wrapped (not replaced) to say when it begins.
        service, scoring = core.server.service, threading.Event()
        score = service._validate_and_score

        def observed(*args):  # noqa: ANN002, ANN202
            scoring.set()
            return score(*args)

        service._validate_and_score = observed
        thread = threading.Thread(target=caller)
        thread.start()
        assert scoring.wait(60), "the batch never reached the core's scoring"
        started = time.monotonic()
        core.stop(grace=10)
        stop_took = time.monotonic() - started
        thread.join(30)
    assert len(outcome) == 1 and not isinstance(outcome[0], Exception), outcome
    assert outcome[0].rows == len(rows) and not np.isnan(outcome[0].probabilities).any()
    assert 0.05 < stop_took < 10, stop_took  # stop waited for the batch


def test_a_second_core_cannot_take_a_port_in_use(core, models_dir) -> None:
    import asyncio

    from scoregate.core.server import CoreServer
    from scoregate.core.settings import CoreSettings

    second = CoreServer(CoreSettings(address=core.target, models_dir=models_dir))
    with pytest.raises((OSError, RuntimeError)):
        asyncio.run(second.start())


def test_several_connections_are_used_in_turn(shared_core, applicant) -> None:
    import asyncio

    from scoregate.core.client import AsyncScoringClient

    request = ScoreRequest(request_id="r", model=MODEL, features=applicant)
    with ScoringClient(shared_core.client_settings(connections=3)) as client:
        assert len(client.channels) == 3
        assert {client.score(request).version for _ in range(6)} == {"1"}

    async def run() -> set:
        async with AsyncScoringClient(shared_core.client_settings(connections=2)) as aclient:
            return {r.version for r in await asyncio.gather(*(aclient.score(request) for _ in range(8)))}

    assert asyncio.run(run()) == {"1"}


def test_round_robin_spreads_calls_over_every_core_of_the_target(core_factory, models_dir, applicant) -> None:
    from scoregate.core.settings import ClientSettings

    cores = [core_factory(models_dir=models_dir) for _ in range(2)]
    target = "ipv4:" + ",".join(f"127.0.0.1:{c.port}" for c in cores)
    request = ScoreRequest(request_id="r", model=MODEL, features=applicant)
    with ScoringClient(ClientSettings(target=target, load_balancing="round_robin")) as client:
        for _ in range(20):
            client.score(request)
    served = [c.server.metrics.registry.get_sample_value("scoregate_core_rows_scored_total",
                                                           {"model": MODEL, "version": "1", "path": "single"}) or 0
              for c in cores]
    assert sum(served) == 20 and min(served) >= 5, served
