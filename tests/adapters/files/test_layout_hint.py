"""The code-page and RECFM hint of a file whose first records do not decode (adapters/files/hint.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from files_support import dirs, drop, wait_for, with_channel

from scoregate.adapters.files import FileJobConfig
from scoregate.adapters.files.demo import drop_demo_file
from scoregate.adapters.files.hint import is_ebcdic, layout_hint, looks_like, rdw_lengths
from scoregate.core.client import ScoringClient

LRECL = 200  # the demo layout's record length


@pytest.fixture(scope="module")
def ebcdic_fb(tmp_path_factory) -> bytes:
    """The demo file as the job expects it: cp037, fixed 200-byte records, packed decimals."""
    return drop_demo_file(tmp_path_factory.mktemp("demo"), 20).path.read_bytes()


def _as_ascii(data: bytes) -> bytes:
    # A transfer that converted the text (and garbled the packed fields, as it would).
    return data.decode("cp037").encode("latin-1", errors="replace")


def _as_vb(data: bytes) -> bytes:
    records = [data[i:i + LRECL] for i in range(0, len(data), LRECL)]
    return b"".join((len(r) + 4).to_bytes(2, "big") + b"\0\0" + r for r in records)


def test_what_the_job_expects_gets_no_hint(ebcdic_fb: bytes) -> None:
    assert looks_like(ebcdic_fb[:4096]) == "ebcdic" and rdw_lengths(ebcdic_fb) == []
    assert layout_hint(ebcdic_fb[:4096], "cp037", "FB", LRECL) == ""
    assert layout_hint(_as_ascii(ebcdic_fb)[:4096], "latin-1", "FB", LRECL) == ""
    assert layout_hint(_as_vb(ebcdic_fb)[:4096], "cp037", "VB", LRECL) == ""
    assert layout_hint(b"", "cp037", "FB", LRECL) == ""


def test_ascii_on_an_ebcdic_job_and_the_reverse(ebcdic_fb: bytes) -> None:
    assert layout_hint(_as_ascii(ebcdic_fb)[:4096], "cp037", "FB", LRECL) == (
        "hint: the first records look like ASCII text, but the job reads cp037 (EBCDIC); check input.encoding")
    assert layout_hint(ebcdic_fb[:4096], "ascii", "FB", LRECL) == (
        "hint: the first records look like EBCDIC text, but the job reads ascii (ASCII); check input.encoding")
    assert is_ebcdic("cp1047") and is_ebcdic("cp500") and not is_ebcdic("latin-1") and not is_ebcdic("no-such")


def test_variable_records_on_a_fixed_job_and_the_reverse(ebcdic_fb: bytes) -> None:
    assert layout_hint(_as_vb(ebcdic_fb)[:4096], "cp037", "FB", LRECL) == (
        "hint: the file starts with record descriptor words (records of 200, 200, 200 bytes): variable-length "
        "records, but the job reads RECFM FB; check input.recfm")
    assert layout_hint(ebcdic_fb[:4096], "cp037", "VB", LRECL) == (
        "hint: the file does not start with a record descriptor word: fixed-length records (LRECL 200?), "
        "but the job reads RECFM VB; check input.recfm")


@pytest.mark.parametrize(("name", "convert", "expected"), [
    ("ASCII.DAT", _as_ascii, "look like ASCII text, but the job reads cp037 (EBCDIC); check input.encoding"),
    ("VB.DAT", _as_vb, "variable-length records, but the job reads RECFM FB; check input.recfm"),
])
def test_a_file_set_aside_says_what_it_looks_like(
    tmp_path: Path, job_config: FileJobConfig, client: ScoringClient, ebcdic_fb: bytes, name: str, convert, expected: str,  # noqa: ANN001
) -> None:
    source = tmp_path / name
    source.write_bytes(convert(ebcdic_fb))
    drop(job_config, source)
    error = dirs(job_config)["error"]

    async def body(channel) -> None:  # noqa: ANN001
        await wait_for(lambda: (error / f"{name}.reason").exists())

    with_channel(job_config, client, body)
    reason = (error / f"{name}.reason").read_text()
    assert expected in reason, reason
