"""Decision recording: what the gateway does with each decision after the caller has its answer.

The scoring client's observer (``core/hooks.py``) of each channel is a :mod:`.recorder`, which
queues every decision for the audit store and for shadow scoring (:mod:`.shadow`); :mod:`.compare`
pairs the two scores in the audit. No channel imports this package: the gateway plugs it into each
channel's scoring client.

Modules: ``records`` (what a decision record is, as a row), ``store`` (the ``AuditStore``
interface and the stores by name), ``sqlite`` (the embedded store, ``scoregate audit show``'s
reader), ``recorder``, ``shadow``, ``compare``. Imports run one way, with no cycle: ``records``
at the bottom, ``store`` and ``sqlite`` on it, ``shadow`` on those, ``recorder`` on ``shadow``.
"""
