"""The core's KServe V2 endpoint, called by the standard client (tritonclient) and checked
against ``scoregate.v1`` on the same rows."""

from __future__ import annotations

import grpc
import numpy as np
import pytest
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from v2_support import side_python, triton_calls

from scoregate.core._generated import grpc_predict_v2_pb2 as v2
from scoregate.core._generated import grpc_predict_v2_pb2_grpc as v2_grpc
from scoregate.core.client import ScoringClient
from scoregate.core.contract import ColumnBatch, ScoreRequest
from scoregate.core.errors import InvalidInput

MODEL = "credit-risk"


@pytest.fixture(scope="module")
def triton():  # noqa: ANN201
    return side_python("tritonclient")


@pytest.fixture(scope="module")
def v1(shared_core):  # noqa: ANN001, ANN201
    with ScoringClient(shared_core.client_settings()) as client:
        yield client


def _infer(rows: np.ndarray, names: tuple[str, ...], *, datatype: str = "FP64", binary: bool = True,
           per_feature: bool = False, **extra: object) -> dict:
    if per_feature:
        inputs = [{"name": n, "datatype": datatype, "shape": [len(rows), 1], "data": rows[:, [j]].tolist(), "binary": binary}
                  for j, n in enumerate(names)]
    else:
        inputs = [{"name": "input-0", "datatype": datatype, "shape": list(rows.shape), "data": rows.tolist(), "binary": binary}]
    return {"op": "infer", "model": MODEL, "inputs": inputs, **extra}


def test_readiness_and_metadata_through_tritonclient(shared_core, triton, v1) -> None:
    live, ready, model_ready, unknown_ready, server, meta, unknown = triton_calls(triton, shared_core.target, [
        {"op": "live"}, {"op": "ready"}, {"op": "model_ready", "model": MODEL}, {"op": "model_ready", "model": "nope"},
        {"op": "server_metadata"}, {"op": "model_metadata", "model": MODEL}, {"op": "model_metadata", "model": "nope"},
    ])
    assert (live, ready, model_ready, unknown_ready) == (True, True, True, False)
    assert server["name"] == "scoregate"
    schema = v1.describe(MODEL).feature_schema
    assert [i["name"] for i in meta["inputs"]] == list(schema.names)
    assert {(i["datatype"], tuple(i["shape"])) for i in meta["inputs"]} == {("FP64", ("-1", "1"))}
    assert meta["versions"] == ["1"] and meta["platform"] == "xgboost"
    assert {o["name"] for o in meta["outputs"]} >= {"probability", "decision", "reason_codes"}
    assert unknown["error"]["status"] == "StatusCode.NOT_FOUND"


def test_metadata_parameters_carry_the_schema_and_reflection_lists_the_service(shared_core, v1) -> None:
    schema = v1.describe(MODEL).feature_schema
    with grpc.insecure_channel(shared_core.target) as channel:
        meta = v2_grpc.GRPCInferenceServiceStub(channel).ModelMetadata(v2.ModelMetadataRequest(name=MODEL))
        listed = next(reflection_pb2_grpc.ServerReflectionStub(channel).ServerReflectionInfo(
            iter([reflection_pb2.ServerReflectionRequest(list_services="")])))
    params = {i.name: {k: getattr(p, p.WhichOneof("parameter_choice")) for k, p in i.parameters.items()} for i in meta.inputs}
    for spec in schema.features:
        assert params[spec.name]["kind"] == spec.kind.value
        if spec.codes:
            assert params[spec.name]["codes"].split(",") == list(spec.codes)
        if spec.minimum is not None:
            assert float(params[spec.name]["minimum"]) == spec.minimum
    assert meta.parameters["features"].string_param.split(",") == list(schema.names)
    assert "inference.GRPCInferenceService" in {s.name for s in listed.list_services_response.service}


def test_probabilities_and_reasons_equal_scoregate_v1_on_the_same_rows(shared_core, triton, v1, demo_rows) -> None:
    rows = demo_rows[:40]
    names = v1.describe(MODEL).feature_schema.names
    expected = v1.score_batch(ColumnBatch(names, rows), MODEL, reason_count=3)
    answers = triton_calls(triton, shared_core.target, [
        _infer(rows, names),  # one [N, F] FP64 tensor, raw contents
        _infer(rows, names, binary=False),  # typed fp64_contents
        _infer(rows, names, datatype="FP32"),  # XGBoost reads features as float32 either way
        _infer(rows, names, per_feature=True, binary=False),  # one tensor per feature
        _infer(rows[:1], names, parameters={"reason_count": 3}),  # a single row joins the micro-batches
        _infer(rows, names, parameters={"reason_count": 3}, outputs=["probability", "reason_codes", "reason_contributions"]),
    ])
    for answer in answers[:4]:
        np.testing.assert_array_equal(np.array(answer["outputs"]["probability"]), expected.probabilities)
        assert answer["outputs"]["decision"] == [expected.decision(i) for i in range(len(rows))]
    single, reasons = answers[4]["outputs"], answers[5]["outputs"]
    assert single["probability"] == [expected.probabilities[0]]
    assert single["reason_codes"][0] == [r.code for r in expected.reasons(0)] + [""] * (3 - len(expected.reasons(0)))
    assert set(reasons) == {"probability", "reason_codes", "reason_contributions"}
    for i in range(len(rows)):
        codes = [c for c in reasons["reason_codes"][i] if c]
        assert codes == [r.code for r in expected.reasons(i)]
        np.testing.assert_allclose(reasons["reason_contributions"][i][:len(codes)], [r.contribution for r in expected.reasons(i)])


def test_bad_input_is_invalid_argument_with_the_cores_field_reasons(shared_core, triton, v1, demo_rows, applicant) -> None:
    names = v1.describe(MODEL).feature_schema.names
    bad = dict(applicant, age=12)
    with pytest.raises(InvalidInput) as v1_error:
        v1.score(ScoreRequest(request_id="r", model=MODEL, features=bad))
    (violation,) = v1_error.value.violations
    row = demo_rows[:1].copy()
    row[0, names.index("age")] = 12
    wrong_type = _infer(np.zeros((2, len(names))), names, datatype="INT8")
    wrong_shape = _infer(demo_rows[:2], names)
    wrong_shape["inputs"][0]["shape"] = [4, len(names) // 2]
    answers = triton_calls(triton, shared_core.target, [
        _infer(row, names), wrong_type, wrong_shape,
        _infer(demo_rows[:2], names[:-1], per_feature=True),
        {**_infer(row, names), "model": "nope"},
    ])
    out_of_range, datatype, shape, missing, unknown = (a["error"] for a in answers)
    assert out_of_range["status"] == "StatusCode.INVALID_ARGUMENT"
    assert f"{violation.field}: {violation.code.value}: {violation.message}" in out_of_range["message"]
    assert datatype["status"] == "StatusCode.INVALID_ARGUMENT" and "input-0: WRONG_TYPE: datatype INT8" in datatype["message"]
    assert shape["status"] == "StatusCode.INVALID_ARGUMENT" and "MALFORMED" in shape["message"]
    assert f"{names[-1]}: MISSING" in missing["message"]
    assert unknown["status"] == "StatusCode.NOT_FOUND"
