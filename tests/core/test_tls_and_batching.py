"""TLS between client and core, micro-batching of concurrent callers, server-side deadlines."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
import trustme

from scoregate.core.client import AsyncScoringClient, ScoringClient
from scoregate.core.contract import ColumnBatch, ScoreRequest
from scoregate.core.errors import CoreUnavailable, DeadlineExpired
from scoregate.core.settings import ClientSettings

MODEL = "credit-risk"


def test_tls_core_answers_tls_clients_only(core_factory, models_dir, tmp_path, applicant) -> None:
    ca = trustme.CA()
    cert = ca.issue_cert("localhost", "127.0.0.1")
    key_file, chain_file, ca_file = tmp_path / "key.pem", tmp_path / "chain.pem", tmp_path / "ca.pem"
    cert.private_key_pem.write_to_path(str(key_file))
    cert.cert_chain_pems[0].write_to_path(str(chain_file))
    ca.cert_pem.write_to_path(str(ca_file))
    core = core_factory(models_dir=models_dir, tls_cert_file=chain_file, tls_key_file=key_file)
    request = ScoreRequest(request_id="r", model=MODEL, features=applicant)

    with ScoringClient(ClientSettings(target=f"localhost:{core.port}", tls_ca_file=ca_file)) as client:
        assert client.score(request).version == "1"
    with ScoringClient(ClientSettings(target=f"localhost:{core.port}", timeout_s=1, retry_attempts=1)) as plain:
        with pytest.raises(CoreUnavailable):
            plain.score(request)


def test_concurrent_single_rows_are_scored_in_micro_batches(core, applicant) -> None:
    async def burst() -> list:
        # One call per request, as from many gateway processes: the core's own batching is tested.
        async with AsyncScoringClient(core.client_settings(coalesce=False)) as client:
            requests = [ScoreRequest(request_id=f"r{i}", model=MODEL, features=applicant) for i in range(64)]
            return await asyncio.gather(*(client.score(r) for r in requests))

    results = asyncio.run(burst())
    assert sorted(r.request_id for r in results) == sorted(f"r{i}" for i in range(64))
    sizes = core.server.batcher.batch_sizes
    assert sum(sizes) >= 64
    assert max(sizes) > 1, f"64 concurrent calls were scored one by one: {sizes}"


def test_a_deadline_shorter_than_the_work_is_reported_as_expired(core, demo_rows) -> None:
    with ScoringClient(core.client_settings()) as client:
        names = client.describe(MODEL).feature_schema.names
        big = ColumnBatch(names, np.tile(demo_rows, (200, 1)))  # 100,000 rows with reason codes
        with pytest.raises(DeadlineExpired):
            client.score_batch(big, MODEL, reason_count=3, timeout=0.05)
        assert client.score_batch(ColumnBatch(names, demo_rows[:5]), MODEL).rows == 5  # still serving


def test_batcher_groups_rows_by_model_and_reason_count_without_losing_any() -> None:
    from scoregate.core.batching import MicroBatcher
    from scoregate.core.contract import BatchResult

    class Recorder:
        """Stands in for a Scorer: records each batch it is given (no model needed here)."""

        def __init__(self, name: str) -> None:
            self.name, self.calls = name, []

        def score(self, matrix, reason_count=0, bands=None):  # noqa: ANN001, ANN202
            self.calls.append((matrix[:, 0].tolist(), reason_count))
            n = matrix.shape[0]
            return BatchResult(self.name, "1", matrix[:, 0].copy(), np.zeros(n, np.uint8), ("A",),
                               np.zeros((n, 0), np.int32), np.zeros((n, 0)), ("x",), ("R",))

    async def run() -> list:
        batcher = MicroBatcher(max_batch_size=4, max_wait=0.002)
        batcher.start()
        a, b = Recorder("a"), Recorder("b")
        jobs = [batcher.score(a if i % 3 else b, np.array([[float(i)]]), i % 2) for i in range(30)]
        results = await asyncio.gather(*jobs)
        await batcher.stop()
        return results, a.calls + b.calls

    results, calls = asyncio.run(run())
    # Every row comes back with its own value, whatever batch it went into.
    assert [float(r.probabilities[i]) for r, i in results] == [float(i) for i in range(30)]
    assert sorted(v for values, _ in calls for v in values) == [float(i) for i in range(30)]
    for values, reason_count in calls:
        assert len(values) <= 4
        assert {int(v) % 2 for v in values} == {reason_count}
