"""`scoregate scaffold amqp` end to end, for a JSON queue (paths from a sample message) and a
fixed-width queue (the demo copybooks): each draft fails `config check` on its TODO placeholders
alone, checks once they are filled, and, served on the real broker and core, answers the demo's
requests as the hand-written demo queues do."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from amqp_support import DEMO_CONFIG, Producer, demo_record_codecs, fixed_request, json_request
from click.testing import CliRunner

from scoregate.adapters.amqp.config import AmqpChannelConfig
from scoregate.adapters.placeholders import find_placeholders
from scoregate.app.cli import main

PURPOSES = {"DEBT_CONSOLIDATION": "DC", "CREDIT_CARD": "CC", "HOME_IMPROVEMENT": "HI", "CAR": "CA", "SMALL_BUSINESS": "SB", "OTHER": "OT"}


def _scaffold(folder: Path, *args: str) -> tuple[Path, list[str]]:
    """The draft and the lines of `config check` on it."""
    file = folder / "amqp.toml"
    runner = CliRunner()
    made = runner.invoke(main, ["scaffold", "amqp", *args, "--model", "credit-risk", "--out", str(file)])
    assert made.exit_code == 0, made.output
    check = runner.invoke(main, ["config", "check", str(folder / "gateway.toml")])
    assert "Traceback" not in check.output
    return file, check.output.removeprefix("Error: ").splitlines()


def _serve(gateway, file: Path, url: str):  # noqa: ANN001, ANN202
    check = CliRunner().invoke(main, ["config", "check", str(file.parent / "gateway.toml")])
    assert (check.exit_code, check.output) == (0, f"{file.parent / 'gateway.toml'}: ok (amqp)\n")
    return gateway(AmqpChannelConfig.load(file, url=url)), gateway(AmqpChannelConfig.load(DEMO_CONFIG, url=url))


def _ask(url: str, queue: str, body: bytes | dict, content_type: str) -> bytes:
    producer = Producer(url=url)
    try:
        producer.send(queue, body, content_type=content_type)
        (reply,) = producer.wait(1)
        return reply.body
    finally:
        producer.close()


def test_a_json_queue_scaffolded_from_a_sample_answers_as_the_demo(tmp_path: Path, gateway, vhost) -> None:  # noqa: ANN001
    shutil.copy(DEMO_CONFIG.parent / "sample-request.json", tmp_path)
    file, lines = _scaffold(tmp_path, "--format", "json", "--sample", str(tmp_path / "sample-request.json"))
    assert lines == [f"{tmp_path / 'gateway.toml'}: ok (amqp)"]  # every feature found in the sample: nothing to fill
    _serve(gateway, file, vhost)
    ours = json.loads(_ask(vhost, "scoregate.credit-risk.json", json_request("J-1"), "application/json"))
    demo = json.loads(_ask(vhost, "scoregate.demo.json", json_request("J-1"), "application/json"))
    assert ours["reference"] == demo["application_id"] == "J-1"
    # The reply's shape is the draft's (result.*), its values the demo's.
    assert (round(ours["result"]["probability"], 6), ours["result"]["decision"], ours["result"]["reasons"], ours["result"]["model"]) == \
        (demo["result"]["probability"], demo["result"]["decision"], demo["result"]["reasons"], demo["result"]["model"])


def test_a_fixed_width_queue_scaffolded_from_copybooks_answers_as_the_demo(
        tmp_path: Path, gateway, vhost, fill_placeholders) -> None:  # noqa: ANN001
    for copybook in ("LOANREQ.cpy", "LOANRESP.cpy"):
        shutil.copy(DEMO_CONFIG.parent / "copybooks" / copybook, tmp_path)
    file, lines = _scaffold(tmp_path, "--format", "fixedwidth", "--copybook", str(tmp_path / "LOANREQ.cpy"),
                            "--response", str(tmp_path / "LOANRESP.cpy"))
    # HOME-OWNERSHIP's codes come from its 88-levels; LOAN-PURPOSE has none: one TODO key per model code.
    assert lines == [p.problem(file) for p in find_placeholders(file)]
    assert [line.split(": ", 1)[1] for line in lines] == \
        [f"queues[0].request.features[8].codes: TODO: LOAN-PURPOSE's code for {code} (a key to replace)" for code in PURPOSES]
    fill_placeholders(file, {f"code for {code}": legacy for code, legacy in PURPOSES.items()})
    _serve(gateway, file, vhost)
    _, response = demo_record_codecs()
    ours = response.decode_one(_ask(vhost, "scoregate.credit-risk.fixedwidth", fixed_request("F-1"), "application/octet-stream"))
    demo = response.decode_one(_ask(vhost, "scoregate.demo.fixedwidth", fixed_request("F-1"), "application/octet-stream"))
    del demo["RESULT-CODE"], ours["RESULT-CODE"]  # the demo's constant "00"; the draft proposes none
    assert ours == demo and ours["APPLICATION-ID"] == "F-1"
