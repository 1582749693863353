"""The gateway with ``[client] protocol = "v2"`` against a real Seldon MLServer it did not start
(its XGBoost runtime serving the demo booster): SOAP, AMQP and file answers equal those the
scoregate core gives, reason codes aside (MLServer returns no contributions, so there are none)."""

from __future__ import annotations

import pytest
from v2_gateway_support import answers_of, demo_file, without_reasons  # noqa: F401 - answers_of is a fixture
from v2_support import MLServer

from scoregate.app.paths import DEMO_MODEL, DEMO_MODELS_DIR


@pytest.fixture
def mlserver(tmp_path):  # noqa: ANN001, ANN201
    server = MLServer(tmp_path / "mlserver", DEMO_MODELS_DIR / DEMO_MODEL / "1")
    yield server
    server.stop()


def test_the_channels_answer_from_mlserver_as_from_the_scoregate_core(shared_core, mlserver, tmp_path, answers_of) -> None:
    dropped = demo_file(tmp_path / "made")
    scoregate = answers_of(tmp_path / "v1", shared_core.target, False, dropped)
    over_mlserver = answers_of(tmp_path / "v2", mlserver.target, True, dropped)
    soap, amqp, file = over_mlserver
    assert b"ReasonCode>" not in soap and b'"reasons":[]' in amqp.replace(b" ", b"")  # left out, not made up
    assert without_reasons(*over_mlserver) == without_reasons(*scoregate)
    assert over_mlserver != scoregate  # the reasons were really blanked for the comparison
