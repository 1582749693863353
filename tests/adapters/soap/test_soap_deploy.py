"""Ways of running the endpoint: HTTPS with a configured certificate, and several uvicorn worker
processes through the app factory."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import zeep
from prometheus_client.parser import text_string_to_metric_families
from soap_support import BINDING11, DEMO_CONFIG, ChannelThread, born_years_ago, legacy_application
from zeep.transports import Transport

from scoregate.adapters.soap import SoapChannelConfig
from scoregate.adapters.soap.server import CONFIG_ENV, MULTIPROC_ENV


def _self_signed(directory: Path) -> tuple[Path, Path]:
    key, cert = directory / "key.pem", directory / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return key, cert


def test_https_when_a_certificate_is_configured(shared_core, tmp_path) -> None:
    key, cert = _self_signed(tmp_path)
    config = SoapChannelConfig.load(DEMO_CONFIG, port=0, tls_cert_file=str(cert), tls_key_file=str(key))
    server = ChannelThread(config, shared_core.client_settings()).start()
    try:
        assert server.url.startswith("https://127.0.0.1:")
        session = requests.Session()
        session.trust_env = False  # else REQUESTS_CA_BUNDLE from the environment overrides verify
        session.verify = str(cert)
        client = zeep.Client(f"{server.url}?wsdl", transport=Transport(session=session))
        answer = client.create_service(BINDING11, server.url).AssessCreditApplication(
            Application=legacy_application(born_years_ago(41))
        )
        assert answer.ApplicationNo == "LN20110342"
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.get(server.url.replace("https://", "http://") + "?wsdl", timeout=5)
    finally:
        server.stop()


def _samples(text: str, name: str) -> list:
    return [s for family in text_string_to_metric_families(text) for s in family.samples if s.name == name]


def test_several_worker_processes_with_the_app_factory(free_port: int, shared_core, tmp_path) -> None:
    port = free_port
    (prom := tmp_path / "prometheus").mkdir()
    env = {**os.environ, CONFIG_ENV: str(DEMO_CONFIG), "SCOREGATE_CLIENT_TARGET": shared_core.target, MULTIPROC_ENV: str(prom)}
    argv = [sys.executable, "-m", "uvicorn", "--factory", "scoregate.adapters.soap.server:create_app",
            "--host", "127.0.0.1", "--port", str(port), "--workers", "2", "--log-level", "warning"]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/RiskServices/LoanRiskService.asmx"
    try:
        deadline = time.monotonic() + 90  # two interpreters import zeep and load the WSDL; slow on a busy CI box
        while True:
            try:
                if requests.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    break
            except requests.exceptions.ConnectionError:
                pass
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "uvicorn workers did not become ready"
            time.sleep(0.2)
        client = zeep.Client(f"{url}?wsdl")
        service = client.create_service(BINDING11, url)
        for _ in range(6):  # connections may land on either worker
            assert service.AssessCreditApplication(Application=legacy_application(born_years_ago(41))).ApplicationNo

        # Whichever worker answers the scrape adds up every worker's counts (each has its own file).
        deadline = time.monotonic() + 10  # a count lands just after its answer is out
        while True:
            text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
            scored = _samples(text, "scoregate_channel_requests_total")
            scored = sum(s.value for s in scored if s.labels == {"channel": "soap", "outcome": "scored"})
            if scored >= 6 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert scored == 6
        # In flight is summed over the live workers into one series (multiprocess_mode="livesum").
        in_flight = _samples(text, "scoregate_channel_in_flight")
        assert [(s.labels, s.value) for s in in_flight] == [({"channel": "soap"}, 0.0)]
    finally:
        proc.terminate()
        proc.wait(15)
