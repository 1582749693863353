"""State shared by several gateway replicas, on real servers chosen in the gateway file's ``[state]``.

Every store keeps its embedded default (SQLite files, process memory): with no ``[state]`` section
``scoregate up`` needs no server. Modules: ``settings`` (the ``[state]`` section), and one module
per shared implementation: ``postgres_*`` (connections, schema migrations, the audit trail) and
``redis_*``. What belongs to one channel stays in its package (the file ledger and claims on
PostgreSQL: ``files/postgres_state.py``, on this package's pool and schema): no shared code
imports a channel.
"""
