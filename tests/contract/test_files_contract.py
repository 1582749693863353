"""The channel contract for files: the shipped demo job (loans.toml, EBCDIC copybook records) in temporary
directories. A request is one detail record; a caller reads the response and reject files of the outbox."""

from __future__ import annotations

import itertools
from pathlib import Path

from contract_support import INVALID, SCORED, Answer, ChannelContract

from scoregate.adapters.codecs.fixedwidth import RecordCodec
from scoregate.adapters.files import FileChannel, FileJobConfig
from scoregate.adapters.files.demo import drop_demo_file
from scoregate.adapters.files.rejects import reject_layout
from scoregate.app.paths import DEFAULTS_DIR
from scoregate.core.settings import ClientSettings

DEMO_JOB = DEFAULTS_DIR / "files" / "loans.toml"
RECORDS_PER_FILE = 10
"""Requests are sent as files of at most this many records, so many requests are many files."""


def _reference(name: str, detail_no: int) -> str:
    """The caller's reference of a detail record: its file and application number (1-based detail)."""
    return f"{name}/A{detail_no:011d}"


class TestFilesContract(ChannelContract):
    BAD_FIELD = "LD-BIRTH-DATE"

    def open_transport(self) -> None:
        config = FileJobConfig.load(DEMO_JOB)
        # Small scoring batches give a file several chunks, between which a stop can release it.
        self.config = config.model_copy(update={
            "base_dir": self.tmp_path / "job", "poll_s": 0.05, "retry_s": 1.0, "batch_records": 2})
        self.inbox, self.outbox, self.archive, self.error = (
            self.config.path(getattr(self.config, k)) for k in ("inbox", "outbox", "archive", "error"))
        self._files = itertools.count(1)
        self._sent: dict[str, int] = {}
        self._read: dict[str, tuple[float, list[tuple[str, Answer]]]] = {}
        lrecl = self.config.input_codec.lrecl
        self._rejects = RecordCodec(reject_layout(lrecl), self.config.input.encoding, "FB")

    def make_channel(self, settings: ClientSettings) -> FileChannel:
        return FileChannel(self.config, self.scoring_client(settings))

    def send(self, count: int, bad: frozenset[int] = frozenset()) -> list[str]:
        refs = []
        for first in range(0, count, RECORDS_PER_FILE):
            n = min(RECORDS_PER_FILE, count - first)
            number = next(self._files)
            name = f"LOANS.C{number:04d}"
            invalid = {i - first + 1: "age" for i in bad if first <= i < first + n}
            # Seed and file id differ per file: the ledger would skip a file with the same content.
            drop_demo_file(self.inbox, n, name=name, invalid=invalid, seed=number, file_id=f"CT{number:06d}")
            self._sent[name] = n
            refs += [_reference(name, k) for k in range(1, n + 1)]
        return refs

    def answers(self) -> list[tuple[str, Answer]]:
        out: list[tuple[str, Answer]] = []
        for name, count in self._sent.items():
            if (set_aside := [p for p in self._entries(self.error, name) if not p.name.endswith(".reason")]):
                reason = Path(f"{set_aside[0]}.reason").read_text() if Path(f"{set_aside[0]}.reason").exists() else ""
                out += [(_reference(name, k), Answer(INVALID, f"file set aside: {reason}")) for k in range(1, count + 1)]
            response = self.outbox / (name + self.config.response_suffix)
            if not (response.parent / (response.name + self.config.output_done_suffix)).exists():
                continue
            # A file answered twice is archived twice (the second under a longer name).
            out += self._outputs(name) * max(1, len(self._entries(self.archive, name)))
        return out

    @staticmethod
    def _entries(folder: Path, name: str) -> list[Path]:
        if not folder.is_dir():
            return []
        return [p for p in folder.iterdir() if p.name == name or p.name.startswith(name + ".")]

    def _outputs(self, name: str) -> list[tuple[str, Answer]]:
        response = self.outbox / (name + self.config.response_suffix)
        rejects = self.outbox / (name + self.config.reject_suffix)
        stamp = response.stat().st_mtime
        if (cached := self._read.get(name)) and cached[0] == stamp:
            return cached[1]
        codec = self.config.output_codec
        detail = codec.decode(codec.split(response.read_bytes(), final=True)).parts[self.config.output.detail].columns
        out = [(f"{name}/{ref}", Answer(SCORED, model)) for ref, model in zip(detail["RD-APPL-NO"], detail["RD-MODEL"])]
        raw = rejects.read_bytes() if rejects.exists() else b""
        if raw:
            (part,) = self._rejects.decode(self._rejects.split(raw, final=True)).parts.values()
            c = part.columns
            for record_no, reason, field in zip(c["REJ-RECORD-NO"], c["REJ-REASON"], c["REJ-FIELD"]):
                # Record numbers count the header as record 1.
                out.append((_reference(name, int(record_no) - 1), Answer(INVALID, f"record {record_no}: {field} {reason}")))
        self._read[name] = (stamp, out)
        return out
