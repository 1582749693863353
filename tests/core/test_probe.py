"""The core probe against a real core that is absent, serves, dies and comes back."""

from __future__ import annotations

import logging
import re
import time

import pytest

from scoregate.core.breaker import BreakerState, CircuitBreaker
from scoregate.core.client import ScoringClient
from scoregate.core.contract import ScoreRequest
from scoregate.core.errors import CoreUnavailable
from scoregate.core.hooks import ClientHooks
from scoregate.core.probe import CoreProbe
from scoregate.core.settings import ClientSettings

PROBE_LOG = "scoregate.core.probe"


def _until(predicate, timeout: float = 10.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def test_probe_follows_the_core_and_logs_one_warning_and_one_end_per_outage(
    free_port: int, core_factory, models_dir, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger=PROBE_LOG)
    settings = ClientSettings(target=f"127.0.0.1:{free_port}", timeout_s=0.5, probe_interval_s=0.1)
    probe = CoreProbe(settings)
    seen: list[bool] = []
    started = time.monotonic()
    probe.watch(seen.append)
    try:
        # Before any call: the first state() waits for the first check, which finds nobody.
        state = probe.state(wait_s=10)
        assert not state.ready and state.detail.startswith(f"scoring core unreachable at 127.0.0.1:{free_port}: ")
        _until(lambda: len(seen) == 1 and time.monotonic() - started > 1.0)  # longer than timeout_s, many checks
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and r.name == PROBE_LOG]
        assert len(warnings) == 1, [r.getMessage() for r in caplog.records]
        assert re.search(r"unreachable at 127\.0\.0\.1:\d+: .* for \d+\.\d s;", warnings[0]), warnings[0]

        core = core_factory(models_dir=models_dir, address=f"127.0.0.1:{free_port}")
        _until(lambda: probe.state().ready)
        ends = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO and r.name == PROBE_LOG]
        # (a loaded machine may add a blip of its own while the core serves: more lines after these)
        assert ends and "serving again after an outage of" in ends[0]
        core.stop()
        _until(lambda: not probe.state().ready)
        assert seen[:2] == [False, True] and seen[-1] is False  # one call per change, not one per check
        assert all(a != b for a, b in zip(seen, seen[1:]))
    finally:
        probe.close()


def test_a_short_blip_is_not_a_warning(free_port: int, core_factory, models_dir, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=PROBE_LOG)
    core = core_factory(models_dir=models_dir, address=f"127.0.0.1:{free_port}")
    probe = CoreProbe(ClientSettings(target=core.target, timeout_s=30, probe_interval_s=0.1))
    try:
        assert probe.state().ready
        core.stop()
        _until(lambda: not probe.state().ready)
        core_factory(models_dir=models_dir, address=f"127.0.0.1:{free_port}")
        _until(lambda: probe.state().ready)
        assert [r for r in caplog.records if r.name == PROBE_LOG] == []
    finally:
        probe.close()


def test_the_breaker_tries_the_core_as_soon_as_the_probe_sees_it_serve(
    free_port: int, core_factory, models_dir, applicant,
) -> None:
    # A breaker that would stay open for a minute: only the probe can end the outage early.
    settings = ClientSettings(target=f"127.0.0.1:{free_port}", timeout_s=1, retry_attempts=1, breaker_failures=1,
                              breaker_reset_s=60, probe_interval_s=0.1)
    probe = CoreProbe(settings)
    request = ScoreRequest(request_id="r", model="credit-risk", features=applicant)
    with ScoringClient(settings, ClientHooks(probe=probe)) as client:
        try:
            with pytest.raises(CoreUnavailable):
                client.score(request)
            assert client.breaker.state is BreakerState.OPEN
            assert not client.readiness().ready
            core_factory(models_dir=models_dir, address=f"127.0.0.1:{free_port}")
            _until(lambda: client.breaker.state is BreakerState.HALF_OPEN)
            assert client.score(request).version == "1"
            assert client.readiness().ready
        finally:
            probe.close()


def test_try_now_lets_one_trial_through_at_once() -> None:
    now = [0.0]
    breaker = CircuitBreaker(failures=1, reset_s=60, clock=lambda: now[0])
    breaker.try_now()  # closed: nothing to do
    assert breaker.state is BreakerState.CLOSED
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN
    breaker.try_now()
    breaker.before_call()  # the trial
    with pytest.raises(CoreUnavailable):
        breaker.before_call()


def test_a_client_with_a_fallback_is_ready_while_the_core_is_down_and_says_why(free_port: int) -> None:
    from scoregate.app.paths import DEMO_FALLBACK
    from scoregate.core.fallback import FallbackScorer

    settings = ClientSettings(target=f"127.0.0.1:{free_port}", probe_interval_s=0.1)
    with ScoringClient(settings, ClientHooks(fallback=FallbackScorer(DEMO_FALLBACK))) as client:
        _until(lambda: "not checked yet" not in client.readiness().detail)
        state = client.readiness()
    assert state.ready
    assert state.detail.startswith(f"scoring core unreachable at 127.0.0.1:{free_port}")
    assert state.detail.endswith("; answering by the fallback model credit-risk 1-fallback")
