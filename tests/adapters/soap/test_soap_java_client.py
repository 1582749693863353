"""A third real SOAP client: Java's JAX-WS reference implementation (Debian's jaxws and
libjaxws-java, installed by scripts/test.sh). wsimport reads the demo service's served ?wsdl and
generates the stubs a Java caller has; tests/clients/java/DemoClient.java calls them in SOAP 1.1
and 1.2 and gets what the core gives."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from soap_support import ChannelThread, born_years_ago, expected_features

from scoregate.core.client import ScoringClient
from scoregate.core.contract import ScoreRequest

SOURCE = Path(__file__).resolve().parents[2] / "clients" / "java" / "DemoClient.java"
# jaxws-rt.jar names the rest of the runtime (JAXB, SAAJ, StAX, policy) in its manifest.
RUNTIME = "/usr/share/java/jaxws-rt.jar"
SOAP11_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
DECISIONS = {"APPROVE": "A", "REVIEW": "R", "DECLINE": "D"}


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=180)


@pytest.fixture(scope="module")
def java_client(soap_server: ChannelThread, tmp_path_factory) -> Path:
    """DemoClient compiled against stubs wsimport generated from the served WSDL; its class folder."""
    for tool in ("wsimport", "javac", "java"):
        assert shutil.which(tool), f"{tool} is required (scripts/test.sh installs Debian's jaxws and libjaxws-java)"
    work = tmp_path_factory.mktemp("jaxws")
    (work / "src").mkdir()  # wsimport writes into existing folders only
    # -extension: the WSDL's SOAP 1.2 port too (JAX-WS 2.3 calls it a non-standard binding).
    generated = _run(["wsimport", "-extension", "-Xnocompile", "-quiet", "-s", "src", "-p", "scoregate.demo",
                      f"{soap_server.url}?wsdl"], work)
    assert generated.returncode == 0, generated.stdout + generated.stderr
    sources = [str(p) for p in (work / "src").rglob("*.java")]
    compiled = _run(["javac", "-nowarn", "-cp", RUNTIME, "-d", "classes", *sources, str(SOURCE)], work)
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    return work / "classes"


@pytest.mark.parametrize("port", ["soap11", "soap12"])
def test_jax_ws_client_scores_the_demo_service_as_the_core_does(java_client, soap_server, shared_core, port) -> None:
    born = born_years_ago(41)
    # The transport dump shows the envelope that went over the wire.
    done = _run(["java", "-Dcom.sun.xml.ws.transport.http.client.HttpTransportPipe.dump=true", "-cp",
                 f"{java_client}:{RUNTIME}", "DemoClient", f"{soap_server.url}?wsdl", soap_server.url, port,
                 born.isoformat()], java_client)
    assert done.returncode == 0, done.stdout + done.stderr
    envelope = SOAP12_ENV if port == "soap12" else SOAP11_ENV
    assert f'Envelope xmlns:S="{envelope}"' in done.stdout
    answer = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)

    with ScoringClient(shared_core.client_settings()) as core:
        direct = core.score(ScoreRequest(request_id="d", model="credit-risk", features=expected_features(born), reason_count=4))
    assert answer["ApplicationNo"] == "LN20110342"
    assert answer["DecisionCode"] == DECISIONS[direct.decision]
    assert int(answer["RiskScore"]) == round((1 - direct.probability) * 999)
    assert Decimal(answer["ProbabilityOfDefault"]) == Decimal(str(round(direct.probability, 4)))
    assert answer["ReasonCodes"].split(",") == [r.code for r in direct.reasons]
    assert answer["ScorecardId"] == f"credit-risk:{direct.version}"
