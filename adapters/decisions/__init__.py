"""Decision recording: what the gateway does with each decision after the caller has its answer.

The scoring client's observer (``core/hooks.py``) hands every decision to :mod:`.recorder`, which
queues it for the audit trail (:mod:`.sqlite`) and for shadow scoring (:mod:`.shadow`);
:mod:`.compare` pairs the two scores in the audit. No channel imports this package: the gateway
plugs it into each channel's scoring client.
"""
