"""KServe V2 over HTTP/REST (``v2_http_port``): the same answers and errors as V2 over gRPC."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import numpy as np
import pytest

from scoregate.core.client import ScoringClient
from scoregate.core.contract import ColumnBatch
from scoregate.core.settings import CoreSettings

MODEL = "credit-risk"


def _call(port: int, path: str, body: dict | None = None) -> tuple[int, dict]:
    data = None if body is None else json.dumps(body, allow_nan=False).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _data(rows: np.ndarray) -> list:
    """Rows as JSON can carry them: a missing value (NaN) as null."""
    return [[None if v != v else v for v in row] for row in rows.tolist()]


def test_rest_answers_as_the_grpc_side(core_factory, models_dir, demo_rows) -> None:
    core = core_factory(models_dir=models_dir, v2_http_port=0)
    port = core.server.v2_http_port
    assert _call(port, "/v2/health/live") == (200, {"live": True})
    assert _call(port, "/v2/health/ready") == (200, {"ready": True})
    assert _call(port, f"/v2/models/{MODEL}/ready") == (200, {"name": MODEL, "ready": True})
    assert _call(port, "/v2/models/fraud/ready")[0] == 404
    status, meta = _call(port, f"/v2/models/{MODEL}")
    with ScoringClient(core.client_settings()) as client:
        schema = client.describe(MODEL).feature_schema
        rows = demo_rows[:5]
        expected = client.score_batch(ColumnBatch(schema.names, rows), MODEL, reason_count=2)
    assert status == 200 and [i["name"] for i in meta["inputs"]] == list(schema.names)
    assert meta["inputs"][0]["parameters"]["kind"] == schema.features[0].kind.value
    body = {"id": "x-1", "parameters": {"reason_count": 2},
            "inputs": [{"name": "input-0", "datatype": "FP64", "shape": list(rows.shape),
                        "data": _data(rows)}]}
    status, answer = _call(port, f"/v2/models/{MODEL}/versions/1/infer", body)
    assert status == 200 and answer["id"] == "x-1" and answer["model_version"] == "1"
    outputs = {o["name"]: o for o in answer["outputs"]}
    np.testing.assert_array_equal(outputs["probability"]["data"], expected.probabilities)
    assert outputs["decision"]["data"] == [expected.decision(i) for i in range(5)]
    assert outputs["reason_codes"]["shape"] == [5, 2]


def test_rest_errors_carry_the_field_reasons(core_factory, models_dir, demo_rows) -> None:
    core = core_factory(models_dir=models_dir, v2_http_port=0)
    port = core.server.v2_http_port
    row = demo_rows[:1].copy()
    row[0, 0] = 1e9  # the first feature out of any range
    body = {"inputs": [{"name": "input-0", "datatype": "FP64", "shape": [1, row.shape[1]], "data": _data(row)}]}
    status, answer = _call(port, f"/v2/models/{MODEL}/infer", body)
    assert status == 400 and "OUT_OF_RANGE" in answer["error"]
    assert _call(port, "/v2/models/fraud/infer", body)[0] == 404
    status, answer = _call(port, f"/v2/models/{MODEL}/infer", {"inputs": [{"name": "input-0"}]})
    assert status == 400 and "MALFORMED" in answer["error"]


def test_plain_http_is_refused_beside_tls_or_an_access_file(tmp_path) -> None:
    access = tmp_path / "access.toml"
    access.write_text("")
    with pytest.raises(ValueError, match="v2_http_port"):
        CoreSettings(v2_http_port=0, access_file=access)


def test_a_port_out_of_range_is_one_line_not_a_random_port() -> None:
    """A typo such as 99999 was taken modulo 65536 by the socket layer and served elsewhere."""
    from click.testing import CliRunner

    from scoregate.app.cli import main

    result = CliRunner().invoke(main, ["core", "serve", "--address", "127.0.0.1:0", "--v2-http-port", "99999"])
    assert result.exit_code == 2
    assert "v2_http_port" in result.output and "65535" in result.output and "Traceback" not in result.output
