"""Outcomes: what became of each decision (default, paid, written off), joined to the audit.

Modules: ``records`` (what an outcome is, the outcome words, periods), ``store`` (the
``OutcomeStore`` interface and the stores by name, as the audit's ``STORES``), ``sqlite`` (the
embedded store, a file beside the SQLite audit), ``report`` (figures per model version and
period, champion against challenger; the statistics are ``core.performance``), ``watch`` (the
gateway's refresher: gauges and warnings). The intake channels (``outcome_files``,
``outcome_queue``) hand parsed outcomes to a store.
"""
