"""The file channel: mainframe jobs drop fixed-width record files and get a scored response file back.

**Features**

- [x] Directories per job (inbox, work, outbox, archive, error); a file is taken only when
  complete: its done file (``NAME.done``) or a stable size with a minimum age (``claim.py``).
- [x] Claim by atomic rename into the work directory: two gateways on one inbox never take the
  same file; claims of a dead process of this host are taken over (``watcher.py``), and claims of
  another host once its lease lapses (``claim_lease_s``; owners refresh theirs while they work, and
  one that lost its claim publishes nothing).
- [x] COBOL copybook layouts, EBCDIC, packed and zoned decimals, header/detail/trailer records
  by a type field (the shared ``codecs.fixedwidth`` engine).
- [x] Trailer validation: record count and control totals over all detail records
  (``trailer_check``); a mismatch sets the whole file aside with a reason file (``control.py``).
- [x] Record-level rejects (record number, reason code, field, message, original bytes) in a
  reject file while the other records are scored (``rejects.py``).
- [x] Response file in input order keyed by the caller's reference, with its own header (copied
  fields, model) and trailer (counts, totals).
- [x] Streaming in chunks, columnar from bytes to the core and back; decoding overlaps scoring
  (``pipeline.py``). Memory is bounded by a few chunks: peak RSS of the gateway process measured
  at ~310 MB for both 1,000,000 and 3,000,000 records with 32,768-record chunks, ~280 MB for
  1,000,000 with the 8,192 default (``bench/files_bench.py``).
- [x] Crash safety: temporary names, fsync, rename, done files last, archive after; a SQLite
  ledger with states claimed / written / done / failed / retry (``job.py``, ``ledger.py``); a
  crash after archiving but before ``done`` is finished at the next start, nothing redone.
- [x] Prometheus metrics (adapters/metrics.py): records are the requests (scored, rejected as
  ``error``, ``dead_letter`` / ``retry`` for files set aside / put back), in-flight in records,
  one event per file step (``watcher.py`` lists them).
- [x] Repeated drops detected by checksum (``on_duplicate``: skip with a notice, or process).
- [x] Core unavailable: the file goes back into the inbox and is retried after ``retry_s``.
- [x] One-off use: :func:`process_file` (``scoregate files process``), the same pipeline.
- [x] Demo files of any size: :func:`~.demo.write_demo_file`.

**Configuration**: :class:`FileJobConfig` (``config.py``), one per job, documented field by field;
``FileJobConfig.load(path)`` reads JSON (or YAML) and resolves relative paths against the file's
folder (``base_dir`` defaults to that folder: override it, as the gateway does with its working
folder, rather than drop files inside the package). The demo job is ``app/defaults/files/loans.toml``.

**Errors** (``rejects.py`` is the one mapping):

| canonical | file channel |
| --- | --- |
| decode Reason / mapping or schema FieldViolation | reject record, other records scored |
| ``InvalidInput`` for a whole batch, ``UnknownModel`` | file into error/ with ``NAME.reason`` |
| ``CoreUnavailable``, ``CoreFailure``, ``DeadlineExpired`` | file back into the inbox, retried; never rejected |
| trailer count/total mismatch, no header or trailer, duplicate | file into error/ with ``NAME.reason`` |
"""

from scoregate.adapters.files.config import FileJobConfig
from scoregate.adapters.files.job import FileJob, JobSummary, process_file
from scoregate.adapters.files.watcher import FileChannel

__all__ = ["FileChannel", "FileJob", "FileJobConfig", "JobSummary", "process_file"]
