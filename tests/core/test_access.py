"""Who may call the core: mutual TLS, an allow-list of subjects, bearer tokens, models per caller.

Real TLS on real ports: certificates made per test by trustme, a real core, the real client.
"""

from __future__ import annotations

import logging
import os
import time

import grpc
import pytest
from load_support import wait_until
from tls_support import TestPki

from scoregate.core.auth import hash_token
from scoregate.core.client import ScoringClient
from scoregate.core.contract import ScoreRequest
from scoregate.core.errors import AccessDenied, CoreUnavailable, ErrorKind, Unauthenticated
from scoregate.core.logcontext import ContextFilter

MODEL = "credit-risk"


@pytest.fixture
def pki(tmp_path) -> TestPki:
    return TestPki(tmp_path)


def _mtls_core(core_factory, models_dir, pki: TestPki, access_file=None, **settings):  # noqa: ANN001, ANN202
    server = pki.server()
    return core_factory(
        models_dir=models_dir, tls_cert_file=server.cert_file, tls_key_file=server.key_file,
        tls_client_ca_file=pki.ca_file, access_file=access_file, poll_interval_s=0.1, **settings,
    )


def _client(core, pki: TestPki, cert=None, **settings) -> ScoringClient:  # noqa: ANN001
    client_cert = {"tls_cert_file": cert.cert_file, "tls_key_file": cert.key_file} if cert else {}
    return ScoringClient(core.client_settings(tls_ca_file=pki.ca_file, timeout_s=3, retry_attempts=1, **client_cert, **settings)) \
        if core.settings.tls_cert_file else ScoringClient(core.client_settings(timeout_s=3, retry_attempts=1, **settings))


def _write(path, text: str) -> None:  # noqa: ANN001
    # A new modification time even on file systems with coarse timestamps.
    path.write_text(text)
    stamp = time.time() + 1
    os.utime(path, (stamp, stamp))


def _request() -> ScoreRequest:
    from scoregate.app.demo import DEMO_APPLICANT

    return ScoreRequest(request_id="r-1", model=MODEL, features=dict(DEMO_APPLICANT))


def test_a_gateway_without_a_client_certificate_is_refused_and_one_with_it_is_answered_and_named(
    core_factory, models_dir, pki, caplog
) -> None:
    gateway = pki.issue("gateway-a")
    core = _mtls_core(core_factory, models_dir, pki)
    with _client(core, pki) as anonymous, pytest.raises(CoreUnavailable):
        anonymous.score(_request())  # the TLS handshake fails: the core never sees the call
    caplog.set_level(logging.INFO, logger="scoregate.core.auth")
    caplog.handler.addFilter(ContextFilter())  # as the process's log handler has it
    with _client(core, pki, gateway) as client:
        assert client.score(_request()).model == MODEL
    lines = [r for r in caplog.records if r.name == "scoregate.core.auth"]
    assert any(gateway.subject in r.getMessage() and r.caller == gateway.subject for r in lines), [r.getMessage() for r in lines]
    metrics = core.server.metrics.registry.get_sample_value("scoregate_core_calls_total", {"caller": "certificate", "outcome": "allowed"})
    assert metrics == 1


def test_a_certificate_of_another_ca_is_refused(core_factory, models_dir, pki, tmp_path) -> None:
    stranger = TestPki(tmp_path, "other").issue("gateway-a")  # same name, wrong signer
    core = _mtls_core(core_factory, models_dir, pki)
    with _client(core, pki, stranger) as client, pytest.raises(CoreUnavailable):
        client.score(_request())


def test_only_allowed_subjects_call_and_a_revoked_one_is_refused_after_the_reload(core_factory, models_dir, pki, tmp_path) -> None:
    a, b = pki.issue("gateway-a"), pki.issue("gateway-b")
    access = tmp_path / "access.toml"
    _write(access, '[[subject]]\nname = "CN=gateway-a"\n\n[[subject]]\nname = "CN=gateway-b"\n')
    core = _mtls_core(core_factory, models_dir, pki, access)
    with _client(core, pki, a) as client_a, _client(core, pki, b) as client_b:
        assert client_a.score(_request()).model == MODEL
        assert client_b.score(_request()).model == MODEL
        _write(access, '[[subject]]\nname = "CN=gateway-a"\n')  # gateway-b revoked
        wait_until(lambda: _refused(client_b))
        with pytest.raises(AccessDenied) as refused:
            client_b.score(_request())  # on the connection opened before the revocation
        assert refused.value.kind is ErrorKind.ACCESS_DENIED and not refused.value.retryable
        assert client_a.score(_request()).model == MODEL
    registry = core.server.metrics.registry
    assert registry.get_sample_value("scoregate_core_calls_total", {"caller": "anonymous", "outcome": "denied"}) >= 1


def _refused(client: ScoringClient) -> bool:
    try:
        client.score(_request())
    except AccessDenied:
        return True
    return False


def test_tokens_are_accepted_refused_and_limited_to_their_models(core_factory, models_dir, tmp_path, new_version) -> None:
    token, other_token = "t0k3n-for-the-risk-tool", "not-listed"
    access = tmp_path / "access.toml"
    _write(access, f'[[token]]\nname = "risk-tool"\nsha256 = "{hash_token(token)}"\nmodels = ["credit-risk"]\n')
    (models_dir / "other-model").mkdir()
    new_version(models_dir, "2")
    core = core_factory(models_dir=models_dir, access_file=access)  # tokens need no TLS to be checked (use TLS in production)
    token_file = tmp_path / "token"
    token_file.write_text(token + "\n")
    with _client(core, None, token_file=token_file) as client:
        assert client.score(_request()).model == MODEL
        assert {m.model for m in client.list_models()} == {MODEL}
        with pytest.raises(AccessDenied, match="may not use model 'fraud'"):
            client.describe("fraud")
    with _client(core, None, token=other_token) as stranger, pytest.raises(Unauthenticated):
        stranger.score(_request())
    with _client(core, None) as nobody, pytest.raises(Unauthenticated, match="certificate or a bearer token"):
        nobody.list_models()


def test_a_token_limited_to_one_model_cannot_stream_another(core_factory, models_dir, tmp_path, demo_rows) -> None:
    from scoregate.core.contract import ColumnBatch

    access = tmp_path / "access.toml"
    _write(access, f'[[token]]\nname = "batch"\nsha256 = "{hash_token("s3cret")}"\nmodels = ["credit-risk"]\n')
    core = core_factory(models_dir=models_dir, access_file=access)
    with _client(core, None, token="s3cret") as client:
        names = client.describe(MODEL).feature_schema.names
        batch = ColumnBatch(names, demo_rows[:10])
        assert len(next(iter(client.score_stream([batch], MODEL))).probabilities) == 10
        with pytest.raises(AccessDenied):
            list(client.score_stream([batch], "fraud"))


def test_health_checks_need_no_credential(core_factory, models_dir, tmp_path) -> None:
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    access = tmp_path / "access.toml"
    _write(access, "")
    core = core_factory(models_dir=models_dir, access_file=access)
    with grpc.insecure_channel(core.target) as channel:
        reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
    assert reply.status == health_pb2.HealthCheckResponse.SERVING


def test_a_broken_access_file_on_reload_keeps_the_previous_callers(core_factory, models_dir, tmp_path, caplog) -> None:
    access = tmp_path / "access.toml"
    _write(access, f'[[token]]\nname = "tool"\nsha256 = "{hash_token("abc")}"\n')
    core = core_factory(models_dir=models_dir, access_file=access)
    caplog.set_level(logging.ERROR, logger="scoregate.core.auth")
    _write(access, '[[token]]\nname = "tool"\nsha = "typo"\n')
    wait_until(lambda: any("not reloaded" in r.getMessage() for r in caplog.records))
    with _client(core, None, token="abc") as client:
        assert client.score(_request()).model == MODEL


def test_the_server_certificate_is_reloaded_when_its_files_change(core_factory, models_dir, pki, tmp_path) -> None:
    gateway = pki.issue("gateway-a")
    core = _mtls_core(core_factory, models_dir, pki)
    # Rotate to a certificate of a new CA, with the new CA also trusted for clients.
    new = TestPki(tmp_path, "next")
    rotated = new.server()
    core.settings.tls_cert_file.write_bytes(rotated.cert_file.read_bytes())
    core.settings.tls_key_file.write_bytes(rotated.key_file.read_bytes())
    with ScoringClient(core.client_settings(
        tls_ca_file=new.ca_file, tls_cert_file=gateway.cert_file, tls_key_file=gateway.key_file, timeout_s=3, retry_attempts=1,
    )) as client:
        assert client.score(_request()).model == MODEL  # a new connection: the new certificate, signed by the new CA
    assert core.server.certificates.reloads == 1
    with ScoringClient(core.client_settings(
        tls_ca_file=pki.ca_file, tls_cert_file=gateway.cert_file, tls_key_file=gateway.key_file, timeout_s=3, retry_attempts=1,
    )) as old_trust, pytest.raises(CoreUnavailable):
        old_trust.score(_request())


def test_a_half_written_rotation_keeps_the_last_good_certificate(core_factory, models_dir, pki, tmp_path) -> None:
    gateway = pki.issue("gateway-a")
    core = _mtls_core(core_factory, models_dir, pki)
    other = TestPki(tmp_path, "next").server()
    core.settings.tls_cert_file.write_bytes(other.cert_file.read_bytes())  # the key not yet replaced
    with _client(core, pki, gateway) as client:
        assert client.score(_request()).model == MODEL
    assert core.server.certificates.reloads == 0


def test_the_v2_endpoint_checks_the_same_callers_and_models(core_factory, models_dir, tmp_path, demo_rows) -> None:
    from scoregate.core._generated import grpc_predict_v2_pb2 as v2
    from scoregate.core._generated import grpc_predict_v2_pb2_grpc as v2_grpc

    access = tmp_path / "access.toml"
    _write(access, f'[[token]]\nname = "v2-tool"\nsha256 = "{hash_token("s3cret")}"\nmodels = ["credit-risk"]\n')
    core = core_factory(models_dir=models_dir, access_file=access)
    token = (("authorization", "Bearer s3cret"),)
    rows = demo_rows[:2]

    def infer(model: str) -> v2.ModelInferRequest:
        request = v2.ModelInferRequest(model_name=model)
        request.inputs.add(name="input-0", datatype="FP64", shape=rows.shape)
        request.raw_input_contents.append(rows.tobytes())
        return request

    with grpc.insecure_channel(core.target) as channel:
        stub = v2_grpc.GRPCInferenceServiceStub(channel)
        assert len(stub.ModelInfer(infer(MODEL), metadata=token).outputs) == 2
        assert stub.ModelReady(v2.ModelReadyRequest(name=MODEL), metadata=token).ready
        for call, request in ((stub.ModelInfer, infer("fraud")), (stub.ModelMetadata, v2.ModelMetadataRequest(name="fraud")),
                              (stub.ModelReady, v2.ModelReadyRequest(name="fraud"))):
            with pytest.raises(grpc.RpcError) as refused:
                call(request, metadata=token)
            assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
        with pytest.raises(grpc.RpcError) as nobody:
            stub.ModelInfer(infer(MODEL))
        assert nobody.value.code() == grpc.StatusCode.UNAUTHENTICATED
