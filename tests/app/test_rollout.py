"""Moving the production alias under load (issue: models in production), with a real core and audit.

No request fails, each is answered by exactly one version, a caller never goes back to the old
version once it saw the new one, and the audit shows which version answered each request.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from scoregate.adapters.decisions.sqlite import AuditLog
from scoregate.adapters.decisions.recorder import DecisionRecorder
from scoregate.app.demo import DEMO_APPLICANT
from scoregate.core.aliases import alias_history, move_alias, rollback_alias
from scoregate.core.client import ScoringClient
from scoregate.core.contract import CallerRef, ScoreRequest
from scoregate.core.hooks import ClientHooks

MODEL = "credit-risk"


def test_promote_under_load_then_roll_back(core_factory, models_dir: Path, tmp_path: Path, new_version) -> None:  # noqa: ANN001
    new_version(models_dir, "2")
    move_alias(models_dir, MODEL, "production", "1")
    core = core_factory(models_dir=models_dir, poll_interval_s=0.1)
    answers: dict[int, list[tuple[str, str]]] = {i: [] for i in range(4)}
    failures: list[BaseException] = []
    stop = threading.Event()

    with AuditLog(tmp_path / "audit.sqlite") as audit, ScoringClient(
        core.client_settings(), ClientHooks(observer=DecisionRecorder("grpc", audit))
    ) as client:
        def caller(i: int) -> None:
            n = 0
            while not stop.is_set():
                n += 1
                rid = f"t{i}-{n}"
                try:
                    result = client.score(ScoreRequest(request_id=rid, model=MODEL, features=DEMO_APPLICANT,
                                                       caller=CallerRef(reference=rid, channel="grpc")))
                except BaseException as exc:  # noqa: BLE001 - every failure is asserted below
                    failures.append(exc)
                    return
                answers[i].append((rid, result.version))

        threads = [threading.Thread(target=caller, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        time.sleep(1.0)
        move_alias(models_dir, MODEL, "production", "2")
        time.sleep(1.5)
        rollback_alias(models_dir, MODEL, "production")
        time.sleep(1.5)
        stop.set()
        for t in threads:
            t.join(30)
        assert audit.flush(30)

        assert failures == []
        for i, seen in answers.items():
            versions = [v for _, v in seen]
            assert set(versions) == {"1", "2"}, f"caller {i} saw {set(versions)}"
            # 1 ... 1 2 ... 2 1 ... 1: one switch each way, never back and forth.
            switches = sum(1 for a, b in zip(versions, versions[1:]) if a != b)
            assert switches == 2 and versions[0] == versions[-1] == "1", versions
        sample = [pair for seen in answers.values() for pair in seen[:: max(1, len(seen) // 25)]]
        for rid, version in sample:
            (record,) = audit.find(rid)
            assert record.version == version
    moves = [(m.previous, m.version) for m in alias_history(models_dir, MODEL, "production")]
    assert moves[-2:] == [("1", "2"), ("2", "1")]
