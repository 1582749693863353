"""The scoring service over a real gRPC connection to a real core on an ephemeral port."""

from __future__ import annotations

import asyncio

import grpc
import numpy as np
import pytest
import xgboost as xgb
from grpc_health.v1 import health_pb2, health_pb2_grpc

from scoregate.core.client import AsyncScoringClient, ScoringClient
from scoregate.core.contract import REJECTED, ColumnBatch, ScoreRequest
from scoregate.core.errors import DeadlineExpired, InvalidInput, UnknownModel, ViolationCode
from scoregate.core.encoder import encode_features

MODEL = "credit-risk"


@pytest.fixture(scope="module")
def booster(demo_artifact) -> xgb.Booster:
    b = xgb.Booster(model_file=str(demo_artifact / "model.ubj"))
    b.set_param({"nthread": 1})
    return b


@pytest.fixture
def client(shared_core):
    with ScoringClient(shared_core.client_settings()) as c:
        yield c


def request(features: dict, **kw) -> ScoreRequest:
    return ScoreRequest(request_id=kw.pop("request_id", "req-1"), model=kw.pop("model", MODEL), features=features, **kw)


def test_single_score_matches_inplace_predict_exactly(client, booster, applicant) -> None:
    description = client.describe(MODEL)
    row, violations = encode_features(description.feature_schema, applicant)
    assert violations == []
    expected = float(booster.inplace_predict(row, missing=np.nan)[0])

    result = client.score(request(applicant))

    assert result.probability == expected
    assert (result.model, result.version, result.request_id) == (MODEL, "1", "req-1")
    band = next(b.name for b in description.bands if expected < b.upper or b.upper == 1.0)
    assert result.decision == band
    assert result.reasons == ()


def test_reason_codes_come_from_the_metadata_table(client, applicant) -> None:
    applicant.update(delinquencies_2y=6, inquiries_6m=9, revolving_utilisation=1.3, debt_to_income=1.1)
    result = client.score(request(applicant, reason_count=3))
    description = client.describe(MODEL)
    codes = {f.name: f.reason_code for f in description.feature_schema.features}
    assert 1 <= len(result.reasons) <= 3
    assert all(r.contribution > 0 for r in result.reasons)
    assert [r.contribution for r in result.reasons] == sorted((r.contribution for r in result.reasons), reverse=True)
    assert all(r.code == codes[r.feature] for r in result.reasons)


def test_batch_and_stream_agree_with_single_path(client, demo_rows, booster) -> None:
    description = client.describe(MODEL)
    names = description.feature_schema.names
    rows = demo_rows[:200]
    batch = ColumnBatch(feature_names=names, matrix=rows, row_ids=tuple(f"r{i}" for i in range(len(rows))))

    batch_result = client.score_batch(batch, MODEL, reason_count=3)
    streamed = list(client.score_stream([ColumnBatch(names, rows[:120]), ColumnBatch(names, rows[120:])], MODEL, reason_count=3))

    expected = booster.inplace_predict(rows, missing=np.nan)
    np.testing.assert_array_equal(batch_result.probabilities, expected)
    np.testing.assert_array_equal(np.concatenate([r.probabilities for r in streamed]), expected)
    np.testing.assert_array_equal(
        np.concatenate([r.reason_features for r in streamed]), batch_result.reason_features
    )
    assert batch_result.rejects == {}
    # The single path gives the same score, decision and reasons for the same row.
    for i in (0, 57, 199):
        features = _row_to_features(description, rows[i])
        single = client.score(request(features, reason_count=3))
        assert single.probability == batch_result.probabilities[i]
        assert single.decision == batch_result.decision(i)
        assert [r.feature for r in single.reasons] == [r.feature for r in batch_result.reasons(i)]


def _row_to_features(description, row) -> dict:
    features = {}
    for spec, value in zip(description.feature_schema.features, row):
        if np.isnan(value):
            features[spec.name] = None
        elif spec.codes:
            features[spec.name] = spec.codes[int(value)]
        elif spec.kind == "integer":
            features[spec.name] = int(value)
        else:
            features[spec.name] = float(value)
    return features


BAD_INPUTS = [
    pytest.param({"shoe_size": 44}, "shoe_size", ViolationCode.UNKNOWN_FEATURE, id="unknown feature"),
    pytest.param({"annual_income": None}, "annual_income", ViolationCode.MISSING, id="missing required"),
    pytest.param({"age": 12}, "age", ViolationCode.OUT_OF_RANGE, id="out of range"),
    pytest.param({"loan_amount": "lots"}, "loan_amount", ViolationCode.WRONG_TYPE, id="wrong type"),
    pytest.param({"age": 41.5}, "age", ViolationCode.WRONG_TYPE, id="integer with a fraction"),
    pytest.param({"home_ownership": "CASTLE"}, "home_ownership", ViolationCode.UNKNOWN_CATEGORY, id="unknown category"),
    pytest.param({"interest_rate": float("nan")}, "interest_rate", ViolationCode.NOT_A_NUMBER, id="NaN not allowed"),
    pytest.param({"loan_amount": float("inf")}, "loan_amount", ViolationCode.NOT_A_NUMBER, id="infinity"),
]


@pytest.mark.parametrize(("change", "field", "code"), BAD_INPUTS)
def test_bad_input_gives_invalid_argument_with_field_details(client, applicant, change, field, code) -> None:
    applicant.update(change)
    with pytest.raises(InvalidInput) as caught:
        client.score(request(applicant))
    assert [(v.field, v.code) for v in caught.value.violations] == [(field, code)]
    assert caught.value.violations[0].message


def test_bad_input_status_on_the_wire_is_invalid_argument(shared_core, applicant) -> None:
    # Below the client: the raw status code and the google.rpc.BadRequest detail.
    from google.rpc import error_details_pb2
    from grpc_status import rpc_status

    from scoregate.core import convert
    from scoregate.core._generated import scoring_pb2_grpc

    applicant["age"] = 7
    with grpc.insecure_channel(shared_core.target) as channel:
        stub = scoring_pb2_grpc.ScoringStub(channel)
        with pytest.raises(grpc.RpcError) as caught:
            stub.Score(convert.to_proto_request(request(applicant)), timeout=5)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    status = rpc_status.from_call(caught.value)
    bad = error_details_pb2.BadRequest()
    assert status.details[0].Unpack(bad)
    assert [v.field for v in bad.field_violations] == ["age"]


def test_several_violations_are_all_reported(client, applicant) -> None:
    applicant.update(age=5, home_ownership="CASTLE")
    del applicant["annual_income"]
    with pytest.raises(InvalidInput) as caught:
        client.score(request(applicant))
    assert {v.field for v in caught.value.violations} == {"age", "home_ownership", "annual_income"}


def test_unknown_model_and_version_are_not_found(client, applicant) -> None:
    with pytest.raises(UnknownModel) as caught:
        client.score(request(applicant, model="no-such-model"))
    assert caught.value.model == "no-such-model"
    with pytest.raises(UnknownModel) as caught:
        client.score(request(applicant, version="99"))
    assert (caught.value.model, caught.value.version) == (MODEL, "99")


def test_batch_rejects_bad_rows_and_scores_the_rest(client, demo_rows, booster) -> None:
    description = client.describe(MODEL)
    schema = description.feature_schema
    rows = demo_rows[:10].copy()
    rows[3, schema.index("age")] = 12  # out of range
    rows[7, schema.index("annual_income")] = np.nan  # required
    rows[7, schema.index("home_ownership")] = 9  # no such code index
    result = client.score_batch(ColumnBatch(schema.names, rows), MODEL)
    assert sorted(result.rejects) == [3, 7]
    assert [v.code for v in result.rejects[3]] == [ViolationCode.OUT_OF_RANGE]
    assert {v.field for v in result.rejects[7]} == {"annual_income", "home_ownership"}
    assert np.isnan(result.probabilities[[3, 7]]).all()
    assert result.decisions[3] == REJECTED and result.decision(7) is None
    good = [i for i in range(10) if i not in (3, 7)]
    np.testing.assert_array_equal(result.probabilities[good], booster.inplace_predict(rows[good], missing=np.nan))


def test_batch_with_wrong_columns_is_invalid(client, demo_rows) -> None:
    names = list(client.describe(MODEL).feature_schema.names)
    names[0], names[1] = names[1], names[0]
    with pytest.raises(InvalidInput):
        client.score_batch(ColumnBatch(tuple(names), demo_rows[:3]), MODEL)


def test_passed_deadline_is_not_sent(client, applicant) -> None:
    from datetime import UTC, datetime, timedelta

    with pytest.raises(DeadlineExpired):
        client.score(request(applicant, deadline=datetime.now(UTC) - timedelta(seconds=1)))


def test_async_client_shares_the_mapping(shared_core, applicant) -> None:
    async def run():
        async with AsyncScoringClient(shared_core.client_settings()) as c:
            ok = await asyncio.gather(*(c.score(request(applicant, request_id=f"a{i}")) for i in range(20)))
            with pytest.raises(InvalidInput):
                await c.score(request({**applicant, "age": 3}))
            with pytest.raises(UnknownModel):
                await c.describe("nope")
            return ok

    results = asyncio.run(run())
    assert {r.request_id for r in results} == {f"a{i}" for i in range(20)}
    assert len({r.probability for r in results}) == 1


def test_describe_and_list_models(client) -> None:
    description = client.describe(MODEL)
    assert description.version == "1" and description.is_default
    assert len(description.feature_schema.features) == 20
    assert description.bands[-1].upper == 1.0
    models = client.list_models()
    assert [(m.model, m.version, m.is_default, m.state) for m in models] == [(MODEL, "1", True, "loaded")]


def test_health_and_reflection(shared_core) -> None:
    from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

    with grpc.insecure_channel(shared_core.target) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        for service in ("", "scoregate.v1.Scoring"):
            reply = health.Check(health_pb2.HealthCheckRequest(service=service), timeout=5)
            assert reply.status == health_pb2.HealthCheckResponse.SERVING
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        replies = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=5)
        names = {s.name for r in replies for s in r.list_services_response.service}
    assert "scoregate.v1.Scoring" in names and "grpc.health.v1.Health" in names
