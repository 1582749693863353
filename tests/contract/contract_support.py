"""The behaviour every channel owes its callers, written once and run against each channel.

A channel's test module subclasses :class:`ChannelContract` and implements its driver hooks: how to
build the channel on the shipped demo contract, how a legacy caller sends requests, and how the
caller reads what came back. The tests below then hold for that channel:

1. valid requests are scored and a bad field gets the channel's protocol error naming the field,
   the other requests still scored;
2. a core outage is answered as a server error or held for a retry, never as the caller's fault,
   and every request is scored once the core is back, without restarting the channel;
3. each of many concurrent requests is answered exactly once;
4. ``stop(grace)`` with requests in flight, then a fresh instance on the same configuration:
   nothing is lost, nothing is answered twice.

A fourth channel inherits the suite with one module, ``test_<name>_contract.py``, holding
``class Test<Name>Contract(ChannelContract)`` with the five hooks and the class attributes below
(see ``test_files_contract.py`` for the shortest). A bug a test reveals is pinned there by
overriding that test with ``pytest.mark.xfail(strict=True, reason=...)``, as the SOAP module does.

Everything is real: the core (tests/conftest.py), the broker, HTTP servers, directories. The one
addition is :class:`SlowLink`, a TCP relay that puts latency between a channel and a real core, so
that requests are really in flight when a channel is told to stop (a fast core on loopback
answers before any stop could begin).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from typing import ClassVar

import pytest
from channel_runner import ChannelRunner, free_port, wait_until
from slow_link import SlowLink

from scoregate.adapters.channel import Channel
from scoregate.core.client import ScoringClient
from scoregate.core.settings import ClientSettings

__all__ = ["INVALID", "LONG_GRACE", "NOT_ACCEPTED", "SCORED", "SERVER_ERROR", "SHORT_GRACE", "SHORT_GRACE_S",
           "Answer", "ChannelContract", "ChannelRunner", "free_port", "wait_until"]

SCORED, INVALID, SERVER_ERROR, NOT_ACCEPTED = "scored", "invalid", "server_error", "not_accepted"
MODEL_VERSION = "credit-risk:1"
"""What every demo contract writes into a scored answer: the model and version that scored it."""
BAD_CODE = "OUT_OF_RANGE"
"""The bad field of every channel is the applicant's age (12 years old): the model's range check."""

SHORT_GRACE_S, LONG_GRACE_S = 0.05, 3.0
"""stop(grace) below and above the >= 0.2 s a core call takes through the test's SlowLink."""
SHORT_GRACE = pytest.param(SHORT_GRACE_S, id="grace-shorter-than-a-call")
LONG_GRACE = pytest.param(LONG_GRACE_S, id="grace-longer-than-a-call")
# Client settings for an outage: fail fast, and notice a core that is back quickly.
OUTAGE_CLIENT = {"timeout_s": 1.0, "retry_attempts": 2, "breaker_failures": 3, "breaker_reset_s": 0.3}


@dataclass(frozen=True)
class Answer:
    """What the caller got for one request, in protocol-neutral words."""

    kind: str
    """scored / invalid / server_error / not_accepted (the caller saw its request refused unread);
    any other text names something no caller should get, and fails the test that sees it."""
    detail: str = ""
    """scored: the model version in the answer; invalid: field names and reason codes; else a code."""


class ChannelContract:
    """The shared behaviour suite. Subclass it as ``TestXxxContract`` and implement the hooks.

    Hooks (called on the test's own instance, so a driver may keep per-test state on ``self``):

    - :meth:`open_transport` / :meth:`close_transport`: per-test transport (vhost, directories,
      a client library); the same configuration serves every channel instance of the test.
    - :meth:`make_channel`: a new, unstarted channel instance on that configuration.
    - :meth:`send`: send ``count`` requests without waiting for answers; return the caller
      references used, those at the indexes in ``bad`` with the applicant's age out of range.
    - :meth:`answers`: every answer the caller has received so far, duplicates included.

    Class attributes say how the protocol answers what is not a score:

    - ``OUTAGE_ANSWER``: ``SERVER_ERROR`` when the channel answers a core outage at once (a
      synchronous caller is waiting), None when it holds the request and retries.
    - ``BAD_FIELD``: the caller's own name of the age field, as the protocol error must name it.
    - ``STOPPED_KINDS``: what a caller may get for a request sent while no instance runs, besides
      a score (a synchronous protocol refuses it; queues and directories keep it).
    """

    OUTAGE_ANSWER: ClassVar[str | None] = None
    BAD_FIELD: ClassVar[str] = ""
    STOPPED_KINDS: ClassVar[frozenset[str]] = frozenset()
    CONCURRENT = 40
    SETTLE_S = 0.6
    """Quiet time after the last expected answer, to catch a late duplicate."""
    ANSWER_TIMEOUT_S = 30.0

    # ------------------------------------------------------------------ driver hooks
    def open_transport(self) -> None:
        """Before the test: create what the channel and the caller need (``self.tmp_path`` is set)."""

    def close_transport(self) -> None:
        """After the test and after every channel instance has stopped."""

    def make_channel(self, settings: ClientSettings) -> Channel:
        """A new, unstarted instance on the test's configuration, scoring through ``settings``.
        Called once per instance; the second instance of a test must pick up the first one's work."""
        raise NotImplementedError

    def send(self, count: int, bad: frozenset[int] = frozenset()) -> list[str]:
        """Send ``count`` requests as a legacy caller does and return at once with their references
        (unique within the test); the requests at the indexes in ``bad`` are 12-year-old applicants."""
        raise NotImplementedError

    def answers(self) -> list[tuple[str, Answer]]:
        """Everything the caller has received so far as (reference read from the answer, answer),
        a request answered twice appearing twice. Called often while waiting: keep it cheap."""
        raise NotImplementedError

    # ------------------------------------------------------------------ machinery
    @pytest.fixture(autouse=True)
    def _contract(self, tmp_path, core_factory, models_dir, shared_core):  # noqa: ANN001, ANN202
        self.tmp_path = tmp_path
        self.core_factory = core_factory
        self.models_dir = models_dir
        self.shared_core = shared_core
        self._runners: list[ChannelRunner] = []
        self._links: list[SlowLink] = []
        self._clients: list[ScoringClient] = []
        self.open_transport()
        try:
            yield
        finally:
            try:
                for runner in reversed(self._runners):
                    runner.stop(1.0)
            finally:
                for link in self._links:
                    link.close()
                for client in self._clients:
                    client.close()
                self.close_transport()

    def start_channel(self, settings: ClientSettings) -> ChannelRunner:
        runner = ChannelRunner(self.make_channel(settings))
        self._runners.append(runner)
        return runner.start()

    def scoring_client(self, settings: ClientSettings) -> ScoringClient:
        """A blocking client for a channel instance (AMQP, files), closed after the test."""
        client = ScoringClient(settings)
        self._clients.append(client)
        return client

    def slow_link(self, port: int, delay_s: float) -> SlowLink:
        link = SlowLink(port, delay_s)
        self._links.append(link)
        return link

    def answered(self, refs: list[str], timeout: float | None = None) -> dict[str, list[Answer]]:
        """Wait until every ref has an answer and no new answer came for ``SETTLE_S``; by ref."""
        wanted = set(refs)

        def state() -> str:
            got = self.answers()
            return f"answers to {sorted(wanted - {ref for ref, _ in got})} (answered so far: {got})"

        wait_until(lambda: wanted <= {ref for ref, _ in self.answers()}, timeout or self.ANSWER_TIMEOUT_S, state)
        seen, quiet_since = len(self.answers()), time.monotonic()
        while time.monotonic() - quiet_since < self.SETTLE_S:
            time.sleep(0.05)
            if (now := len(self.answers())) != seen:
                seen, quiet_since = now, time.monotonic()
        out: dict[str, list[Answer]] = {}
        for ref, answer in self.answers():
            out.setdefault(ref, []).append(answer)
        return out

    @staticmethod
    def assert_exactly_once(by_ref: dict[str, list[Answer]], refs: list[str]) -> None:
        assert len(set(refs)) == len(refs), "the driver reused a reference"
        twice = {ref: answers for ref, answers in by_ref.items() if len(answers) != 1}
        assert not twice, f"answered more than once: {twice}"
        unknown = set(by_ref) - set(refs)
        assert not unknown, f"answers to references never sent: {sorted(unknown)}"

    def in_flight(self, runner: ChannelRunner) -> float:
        """Requests the channel has taken and not answered (its ``scoregate_channel_in_flight``)."""
        metrics = runner.channel.metrics  # type: ignore[attr-defined]
        value = metrics.registry.get_sample_value("scoregate_channel_in_flight", {"channel": metrics.channel})
        return value or 0.0

    # ------------------------------------------------------------------ the contract
    def test_bad_field_gets_the_protocol_error_and_the_rest_are_scored(self) -> None:
        self.start_channel(self.shared_core.client_settings())
        refs = self.send(6, bad=frozenset({2}))

        by_ref = self.answered(refs)

        self.assert_exactly_once(by_ref, refs)
        bad = by_ref[refs[2]][0]
        assert bad.kind == INVALID, bad
        assert self.BAD_FIELD in bad.detail and BAD_CODE in bad.detail, bad.detail
        for ref in refs[:2] + refs[3:]:
            assert by_ref[ref] == [Answer(SCORED, MODEL_VERSION)], (ref, by_ref[ref])

    def test_core_outage_is_never_the_callers_fault_and_answers_resume(self) -> None:
        port = free_port()  # nobody listens here until the core is started on it below
        runner = self.start_channel(ClientSettings(target=f"127.0.0.1:{port}", **OUTAGE_CLIENT))
        during = self.send(4)

        if self.OUTAGE_ANSWER is not None:
            by_ref = self.answered(during)
            self.assert_exactly_once(by_ref, during)
            assert {a.kind for answers in by_ref.values() for a in answers} == {self.OUTAGE_ANSWER}, by_ref
        else:
            time.sleep(2.0)  # several attempts and retries, all failing
            assert self.answers() == [], "a request was answered while the core was down"

        self.core_factory(models_dir=self.models_dir, address=f"127.0.0.1:{port}")
        if self.OUTAGE_ANSWER is not None:
            # Nothing was held: the caller retries, and new requests are scored again.
            def scored_again() -> bool:
                (ref,) = self.send(1)
                return self.answered([ref])[ref] == [Answer(SCORED, MODEL_VERSION)]

            wait_until(scored_again, 25, "the channel to score again", step=0.3)
            after = self.send(4)
            by_ref = self.answered(after)
            assert all(by_ref[ref] == [Answer(SCORED, MODEL_VERSION)] for ref in after), by_ref
        else:
            by_ref = self.answered(during)
            self.assert_exactly_once(by_ref, during)
            assert all(by_ref[ref] == [Answer(SCORED, MODEL_VERSION)] for ref in during), by_ref
        wait_until(lambda: runner.channel.health().ready, 10, "the channel to be ready again")

    def test_concurrent_requests_are_each_answered_exactly_once(self) -> None:
        self.start_channel(self.shared_core.client_settings())
        refs = self.send(self.CONCURRENT)

        by_ref = self.answered(refs)

        self.assert_exactly_once(by_ref, refs)
        assert all(answers == [Answer(SCORED, MODEL_VERSION)] for answers in by_ref.values()), by_ref

    @pytest.mark.parametrize("grace", [SHORT_GRACE, LONG_GRACE])
    def test_stop_with_requests_in_flight_loses_nothing(self, grace: float) -> None:
        # Each core call takes >= 0.2 s through the link: a short grace must release work, a long one finish it.
        link = self.slow_link(self.shared_core.port, delay_s=0.1)
        settings = ClientSettings(target=link.address, timeout_s=10.0)
        first = self.start_channel(settings)
        before = self.send(12)
        wait_until(lambda: self.in_flight(first) > 0, 15, "requests in flight")
        taken = self.in_flight(first)

        first.stop(grace)
        if grace == LONG_GRACE_S:
            # Given time, the instance that took them answers them itself (none left for the next one).
            wait_until(lambda: len({ref for ref, _ in self.answers()} & set(before)) >= taken, 5,
                       f"the {taken:.0f} requests in flight at stop to be answered by the stopped instance")
        while_stopped = self.send(4)
        self.start_channel(settings)
        after = self.send(4)

        refs = before + while_stopped + after
        by_ref = self.answered(refs, timeout=45)
        self.assert_exactly_once(by_ref, refs)
        kinds = Counter(answers[0].kind for answers in by_ref.values())
        assert set(kinds) <= {SCORED, *self.STOPPED_KINDS}, (kinds, by_ref)
        assert all(by_ref[ref][0] == Answer(SCORED, MODEL_VERSION) for ref in after), by_ref
