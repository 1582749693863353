"""A file whose first records do not decode is set aside with a hint naming the code page or RECFM it
looks like (the rule itself, ``framing_hint``, is tested in tests/adapters/codecs/fixedwidth/test_fixedwidth_framing.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from files_support import dirs, drop, wait_for, with_channel

from scoregate.adapters.files import FileJobConfig
from scoregate.adapters.files.demo import drop_demo_file
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


@pytest.mark.parametrize(("name", "convert", "expected"), [
    ("ASCII.DAT", _as_ascii, "the data looks ASCII (spaces 0x20, digits 0x30-0x39) but the job says cp037: set encoding ascii"),
    ("VB.DAT", _as_vb, "the first bytes look like an RDW (a 200-byte record), but the job says RECFM FB: set recfm V"),
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
