"""One input file -> a response file and a reject file, complete, renamed into a directory.

Columnar all the way: a chunk of records is decoded by the fixed-width engine, turned into the
model's matrix by ``adapters.columnar.feature_matrix``, scored in one ``score_batch`` call and
encoded back in one ``encode`` call. Per-record Python runs for rejected records only.

A reader thread decodes and maps the next chunks while the core scores earlier ones, and
``IN_FLIGHT`` scoring calls are outstanding while the gateway encodes: memory is bounded by about
PREFETCH + IN_FLIGHT + 2 chunks of ``batch_records`` records, whatever the file size.

Nothing is published partially: outputs grow under hidden temporary names (``.NAME.RSP.<owner>.tmp``)
and are renamed into place only after the trailer checked out, flushed and fsynced, and only while
this process still holds the input's claim (``ClaimLost`` otherwise). Any failure (``FileRejected``,
a ``ScoreError``, ``Abandoned``, ``ClaimLost``) removes the temporary files and propagates.
"""

from __future__ import annotations

import glob
import os
import queue
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np

from scoregate.adapters.codecs.fixedwidth import DecodedBatch
from scoregate.adapters.columnar import feature_matrix, response_columns
from scoregate.adapters.files.claim import owner_tag, refresh_claim
from scoregate.adapters.files.chunks import Chunk, Outputs
from scoregate.adapters.files.config import FileJobConfig
from scoregate.adapters.files.control import FileControl, decimal_value, units_sum
from scoregate.adapters.files.framing import check_framing
from scoregate.adapters.files.rejects import RejectEncoder
from scoregate.core.client import ScoringClient
from scoregate.core.contract import CallerRef, ColumnBatch

PREFETCH = 2
IN_FLIGHT = 2
"""Scoring calls outstanding at once, so that the core never waits for the gateway's encoding."""
_END = object()

Hook = Callable[[str], None]
"""Called with a step name ("chunk", "renamed", "written", "archived") as the job passes it; tests
use it to crash the process at that point (tests/adapters/files/test_recovery.py)."""


class Abandoned(Exception):
    """The gateway is stopping: the file is released untouched for a later attempt."""


class ClaimLost(Exception):
    """Another gateway took the input's claim over (this one was silent for longer than the lease):
    the file is its now, and nothing of this attempt is published."""


class Pipeline:
    """Streams one file through decode -> score -> encode for one job config."""

    def __init__(self, config: FileJobConfig, client: ScoringClient, *, hook: Hook | None = None,
                 abandon: threading.Event | None = None, today: date | None = None,
                 taken: Callable[[int], None] | None = None) -> None:
        self.config = config
        self.client = client
        self.hook = hook or (lambda step: None)
        self.taken = taken or (lambda records: None)
        """Told each chunk's number of detail records as the chunk is taken (the channel's in-flight)."""
        self.abandon = abandon or threading.Event()
        self.today = today
        self.fence: Callable[[Path], bool] = refresh_claim
        """Checked just before publishing a claimed file: False when its claim is another's now."""
        self.codec = config.input_codec
        self.out = config.output_codec
        reject = config.reject
        self.rejects = RejectEncoder(self.codec, config.request) if reject is None else RejectEncoder(
            self.codec, config.request, config.reject_record(), reject.fields, self.codec.layout.record_type(config.input.detail))
        self._widths = {f.name: f.length for f in self.out.layout.record_type(config.output.detail).fields}

    # -- the reader thread ----------------------------------------------------------------------
    def _prepare(self, batch: DecodedBatch, schema, today: date, header: dict[str, np.ndarray] | None) -> Chunk:
        part = batch.parts[self.config.input.detail]
        rows = part.index
        decoded_ok = ~batch.bad[rows]
        matrix, violations = feature_matrix(self.config.request, schema, part.real_columns(), len(rows), today, header)
        good = decoded_ok.copy()
        good[list(violations)] = False
        chunk = Chunk(batch, rows, good, matrix[good])
        chunk.rejects = self.rejects.from_decode(batch, batch.errors.records)
        for r, found in violations.items():
            if decoded_ok[r]:  # a field that did not decode has no meaningful mapped value
                record = int(rows[r])
                chunk.rejects.setdefault(record, []).extend(self.rejects.from_violations(batch.start + record + 1, found))
        return chunk

    def _read(self, source: Path, schema, today: date, out: queue.Queue, stop: threading.Event,
              progress: Callable[[int], None] | None) -> None:
        def put(item: object) -> bool:
            while not stop.is_set():
                try:
                    out.put(item, timeout=0.2)
                    return True
                except queue.Full:
                    continue
            return False

        header_group = self.config.input.header
        header = None  # the header record's fields, kept for the ages measured to its run date
        try:
            with source.open("rb") as f:
                def chunks():
                    while data := f.read(self.config.chunk_bytes):
                        if progress:
                            progress(len(data))
                        yield data
                for batch in self.codec.iter_batches(chunks(), self.config.batch_records):
                    check_framing(batch, source, self.config.input, self.codec.lrecl)
                    if header is None and header_group and header_group in batch.parts and len(batch.parts[header_group].index):
                        header = {k: v[:1] for k, v in batch.parts[header_group].real_columns().items()}
                    if not put(self._prepare(batch, schema, today, header)):
                        return
            put(_END)
        except BaseException as exc:  # noqa: BLE001 - handed to the consuming thread, raised there
            put(exc)

    # -- the consuming thread -------------------------------------------------------------------
    def run(self, source: Path, name: str, out_dir: Path, progress: Callable[[int], None] | None = None, *,
            claimed: bool = False) -> Outputs:
        """Raises FileRejected, ScoreError, Abandoned or ClaimLost, with no temporary file left behind.

        ``claimed``: ``source`` is this process's claim (the watcher's jobs), renewed and checked just
        before publishing; a one-off run reads a file it does not own and never touches it."""
        cfg = self.config
        request = cfg.request
        description = self.client.describe(request.model, request.version)
        schema = description.feature_schema
        names = tuple(f.name for f in schema.features)
        out_dir.mkdir(parents=True, exist_ok=True)
        outputs = Outputs(out_dir / (name + cfg.response_suffix), out_dir / (name + cfg.reject_suffix),
                          model=f"{description.name}:{description.version}")
        temps = [out_dir / f".{p.name}.{owner_tag()}.tmp" for p in (outputs.response, outputs.rejects)]
        for final in (outputs.response, outputs.rejects):  # left by an earlier attempt that crashed
            for stale in out_dir.glob(f".{glob.escape(final.name)}.*.tmp"):
                stale.unlink(missing_ok=True)
        chunks: queue.Queue = queue.Queue(maxsize=PREFETCH)
        stop = threading.Event()
        reader = threading.Thread(target=self._read, name=f"files-read-{name}", daemon=True,
                                  args=(source, schema, self.today or datetime.now(UTC).date(), chunks, stop, progress))
        state = FileControl(cfg, outputs)
        pending: deque[tuple[Chunk, Future | None]] = deque()
        scoring = ThreadPoolExecutor(IN_FLIGHT, thread_name_prefix=f"files-score-{name}")
        reader.start()
        try:
            with temps[0].open("wb") as rsp, temps[1].open("wb") as rej:
                while (item := chunks.get()) is not _END:
                    if isinstance(item, BaseException):
                        raise item
                    if self.abandon.is_set():
                        raise Abandoned(name)
                    self.taken(len(item.rows))
                    state.structure(item)
                    if state.header is not None and not state.header_written:
                        rsp.write(self._response_header(state.header, outputs.model))
                        state.header_written = True
                    pending.append((item, self._submit(scoring, item, names, description, name)))
                    # The next calls are queued at the core while this chunk is encoded and written.
                    while len(pending) > IN_FLIGHT:
                        self._write(*pending.popleft(), state, rsp, rej)
                while pending:
                    self._write(*pending.popleft(), state, rsp, rej)
                state.finish()
                if cfg.output.header and not state.header_written:
                    rsp.write(self._response_header(None, outputs.model))
                if cfg.output.trailer:
                    rsp.write(self._response_trailer(state))
                for f in (rsp, rej):
                    f.flush()
                    os.fsync(f.fileno())
            # The fence: a gateway that was paused past its lease finds its claim renamed away.
            # (Renewing it here also gives this process a whole lease for the last steps.)
            if claimed and not self.fence(source):
                raise ClaimLost(name)
            for temp, final in zip(temps, (outputs.response, outputs.rejects), strict=True):
                os.replace(temp, final)
            _fsync_dir(out_dir)
        except BaseException:
            for temp in temps:
                temp.unlink(missing_ok=True)
            raise
        finally:
            stop.set()
            for _, future in pending:
                if future is not None:
                    future.cancel()
            scoring.shutdown(wait=True)
            reader.join(10)
        return outputs

    def _submit(self, pool: ThreadPoolExecutor, chunk: Chunk, names: tuple[str, ...], description, name: str) -> Future | None:
        if not chunk.good.any():
            return None
        # Each record's own reference travels with it (the audit finds a decision by it); the
        # file name and the chunk's first record number identify the call in the core's logs.
        part = chunk.batch.parts[self.config.input.detail]
        # astype(str) then tolist: one C-level conversion per chunk, no Python loop per record.
        references = tuple(part.columns[self.config.reference][chunk.good].astype(str).tolist())
        return pool.submit(self.client.score_batch, ColumnBatch(names, chunk.matrix, references), description.name,
                           description.version, reason_count=self.config.request.reason_count,
                           reason_bands=self.config.request.reason_bands,
                           batch_id=f"{name}/{chunk.batch.start + 1}", caller=CallerRef(reference=name, channel="files"))

    def _write(self, chunk: Chunk, future: Future | None, state: FileControl, rsp, rej) -> None:
        """One chunk's response records (in input order) and reject records; raises its ScoreError."""
        cfg = self.config
        part = chunk.batch.parts[cfg.input.detail]
        good_rows = np.flatnonzero(chunk.good)
        rejects = chunk.rejects
        if future is not None:
            result = future.result()
            keep = np.ones(result.rows, bool)
            for i, found in result.rejects.items():
                keep[i] = False
                record = int(chunk.rows[good_rows[i]])
                rejects.setdefault(record, []).extend(self.rejects.from_violations(chunk.batch.start + record + 1, found))
            references = part.columns[cfg.reference][good_rows]
            copied = cfg.response.copied_fields
            inputs = {k: v[good_rows] for k, v in part.real_columns().items() if k in copied} if copied else None
            columns = response_columns(cfg.response, result, references, inputs)
            columns = {k: self._text(k, v[keep]) for k, v in columns.items()}
            rsp.write(self.out.encode(columns, cfg.output.detail))
            scored = good_rows[keep]
            state.scored += int(scored.size)
            for target, source in cfg.response_trailer.totals.items():
                scale = part.record_type.field(source).scale
                state.response_totals[target] = state.response_totals.get(target, 0) + units_sum(
                    part.columns[source][scored], scale)
        if rejects:
            order = sorted(rejects)
            rows = [row for record in order for row in rejects[record]]
            records = chunk.batch.records[[record for record in order for _ in rejects[record]]]
            rej.write(self.rejects.encode(rows, records))
            state.rejected += len(order)
        self.hook("chunk")

    def _text(self, name: str, values: np.ndarray) -> np.ndarray:
        """Object columns (decisions, reason codes) as ``U``: with the width given, numpy converts
        4x faster; one character more keeps an overlong value an encode error, not a silent cut."""
        if values.dtype != object:
            return values
        width = self._widths.get(name, 0)
        return values.astype(f"U{width + 1}") if width else values.astype(str)

    def _response_header(self, header: dict[str, np.ndarray] | None, model: str) -> bytes:
        cfg = self.config
        columns = {target: header[source] for target, source in cfg.header_copy.items()} if header else {}
        if cfg.header_model_field:
            columns[cfg.header_model_field] = np.array([model])
        if not columns and cfg.output.type_field:  # one record of defaults needs one column
            columns[cfg.output.type_field] = np.array([cfg.type_value(cfg.output, cfg.output.header)])
        return self.out.encode(columns, cfg.output.header)

    def _response_trailer(self, state: FileControl) -> bytes:
        cfg, rt = self.config, self.config.response_trailer
        columns: dict[str, np.ndarray] = {}
        if rt.count:
            columns[rt.count] = np.array([state.scored], np.int64)
        if rt.rejects:
            columns[rt.rejects] = np.array([state.rejected], np.int64)
        detail = self.codec.layout.record_type(cfg.input.detail)
        for target, source in rt.totals.items():
            value = decimal_value(state.response_totals.get(target, 0), detail.field(source).scale)
            columns[target] = np.array([value], dtype=object)
        return self.out.encode(columns, cfg.output.trailer)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
