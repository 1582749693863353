"""The gateway with ``[client] protocol = "v2"`` against the core's own V2 endpoint: its channels
answer byte for byte as with the scoregate protocol, reason codes included (the core returns
contributions). Against Seldon MLServer: test_mlserver_gateway.py."""

from __future__ import annotations

from v2_gateway_support import answers_of, demo_file  # noqa: F401 - answers_of is a fixture

def test_the_channels_answer_the_same_over_v2_as_over_the_scoregate_protocol(shared_core, tmp_path, answers_of) -> None:
    dropped = demo_file(tmp_path / "made")
    scoregate = answers_of(tmp_path / "v1", shared_core.target, False, dropped)
    rows = shared_core.server.metrics.registry.get_sample_value
    labels = {"model": "credit-risk", "version": "1", "path": "v2"}
    before = rows("scoregate_core_rows_scored_total", labels) or 0
    v2 = answers_of(tmp_path / "v2", shared_core.target, True, dropped)
    assert rows("scoregate_core_rows_scored_total", labels) - before >= 200  # the file went over V2
    soap, amqp, file = scoregate
    assert b"ReasonCode>" in soap and b'"reasons":["' in amqp.replace(b" ", b"")  # the demo asks for reasons: they are there
    assert v2 == scoregate
