"""The outcome file job: a loan system's outcome file (fixed-width, copybook or plain layout)
dropped into an inbox, read and joined to the audit. Modules: ``config`` (the job's file),
``reader`` (records -> outcomes, with the problems of records that do not read), ``channel``
(the watcher thread), ``spec`` (the registration)."""
