"""The Java example (examples/java), compiled by javac and run against the demo AMQP channel on the
real broker: the RabbitMQ Java client from Debian's librabbitmq-client-java (installed by
scripts/test.sh), direct reply-to, a correlation id per request, JSON and EBCDIC fixed-width
records that the Java code lays out itself. Every request is answered once, in its own format,
with what the core gives for the same applicant."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from examples_support import (
    EXAMPLES,
    assert_fixed_scored,
    assert_json_scored,
    by_request,
    direct_scores,
    parse_report,
    read_applicants,
    write_applicants,
)

SOURCES = EXAMPLES / "java"
# The client library and what it needs at run time: slf4j's API, and its no-op binding so that the
# API does not warn on stderr about a missing one.
JARS = ("/usr/share/java/amqp-client.jar", "/usr/share/java/slf4j-api.jar", "/usr/share/java/slf4j-nop.jar")


@pytest.fixture(scope="module")
def java_example(tmp_path_factory) -> str:
    """examples/java compiled; the classpath to run it with."""
    for tool in ("javac", "java"):
        assert shutil.which(tool), f"{tool} is required (Java 17)"
    for jar in JARS:
        assert Path(jar).is_file(), f"{jar} is missing (scripts/test.sh installs librabbitmq-client-java)"
    classes = tmp_path_factory.mktemp("java-example")
    compiled = subprocess.run(["javac", "-Xlint:all", "-Werror", "-cp", JARS[0], "-d", str(classes),
                               *map(str, sorted(SOURCES.glob("*.java")))],
                              capture_output=True, text=True, timeout=180)
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    return ":".join([str(classes), *JARS])


def run(classpath: str, url: str, applicants: Path, program: str = "ScoreCaller") -> subprocess.CompletedProcess:
    return subprocess.run(["java", "-cp", classpath, program, "--url", url, "--timeout-s", "60", str(applicants)],
                          capture_output=True, text=True, timeout=120)


def test_java_caller_gets_every_applicant_scored_as_the_core_does(java_example, demo_gateway, demo_vhost_url,
                                                                  shared_core) -> None:
    rows = read_applicants()
    done = run(java_example, demo_vhost_url, EXAMPLES / "applicants.csv")

    assert done.returncode == 0, done.stdout + done.stderr
    assert "SLF4J" not in done.stderr  # the client's logging found its binding
    replies = by_request(parse_report(done.stdout))
    assert set(replies) == {(f, row["application_id"]) for row in rows for f in ("json", "fixed")}
    direct = direct_scores(shared_core.client_settings(), rows)
    for row in rows:
        reference = row["application_id"]
        assert_json_scored(replies["json", reference], reference, direct[reference])
        assert_fixed_scored(replies["fixed", reference], reference, direct[reference])
    assert {d.decision for d in direct.values()} == {"APPROVE", "REVIEW", "DECLINE"}  # the sample spans the bands


def test_java_caller_gets_a_typed_error_for_an_unknown_category_code(java_example, demo_gateway, demo_vhost_url,
                                                                     shared_core, tmp_path) -> None:
    good = read_applicants()[0]
    bad = {**good, "application_id": "APP-BAD-CODE", "home_ownership": "Z"}  # not an 88-level of HOME-OWNERSHIP
    done = run(java_example, demo_vhost_url, write_applicants(tmp_path / "applicants.csv", [bad, good]))

    assert done.returncode == 0, done.stdout + done.stderr
    replies = by_request(parse_report(done.stdout))
    assert len(replies) == 4
    json_error, record_error = replies["json", "APP-BAD-CODE"], replies["fixed", "APP-BAD-CODE"]
    # JSON: the error shape of the demo queue, the violation named by the caller's own path.
    assert (json_error["status"], json_error["content_type"]) == ("invalid_input", "application/json")
    assert json_error["application_id"] == "APP-BAD-CODE"
    assert json_error["error.code"] == "INVALID_INPUT"
    assert "applicant.home_ownership: UNKNOWN_CATEGORY: unknown code 'Z'" in json_error["error.violations"], json_error
    # Fixed width: a LOAN-RESPONSE with RESULT-CODE 10 (bad input) and the field in ERROR-TEXT.
    assert (record_error["status"], record_error["content_type"]) == ("invalid_input", "application/octet-stream")
    assert record_error["APPLICATION-ID"] == "APP-BAD-CODE"
    assert record_error["RESULT-CODE"] == "10"
    assert "HOME-OWNERSHIP: UNKNOWN_CATEGORY" in record_error["ERROR-TEXT"], record_error
    assert record_error["DECISION"] == "" and record_error["REASON-CODE"] == ""
    # The good applicant of the same run is scored as usual.
    direct = direct_scores(shared_core.client_settings(), [good])[good["application_id"]]
    assert_json_scored(replies["json", good["application_id"]], good["application_id"], direct)
    assert_fixed_scored(replies["fixed", good["application_id"]], good["application_id"], direct)


def test_rpc_client_calls_that_reuse_correlation_ids_each_get_their_own_answer(java_example, demo_gateway,
                                                                              demo_vhost_url, shared_core,
                                                                              tmp_path) -> None:
    """RpcClient, the Java client's own request-reply helper, numbers its calls 1, 2, 3 ... in every
    client and sends no message id: a second run sends the same correlation ids for other
    applicants (the rows reversed), and must not get the first run's answers."""
    rows = read_applicants()
    runs = [run(java_example, demo_vhost_url, path, "RpcCaller")
            for path in (EXAMPLES / "applicants.csv", write_applicants(tmp_path / "reversed.csv", rows[::-1]))]

    direct = direct_scores(shared_core.client_settings(), rows)
    for done, order in zip(runs, (rows, rows[::-1])):
        assert done.returncode == 0, done.stdout + done.stderr
        replies = by_request(parse_report(done.stdout))
        assert len(replies) == 2 * len(rows)
        for number, row in enumerate(order, 1):
            reference = row["application_id"]
            for fmt in ("json", "fixed"):
                assert replies[fmt, reference]["correlation"] == str(number)
            assert_json_scored(replies["json", reference], reference, direct[reference])
            assert_fixed_scored(replies["fixed", reference], reference, direct[reference])
