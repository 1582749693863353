"""State shared by several gateway replicas, on real servers chosen in the gateway file's ``[state]``.

Every store keeps its embedded default (SQLite files, process memory): with no ``[state]`` section
``scoregate up`` needs no server. A shared store never holds up an answer: when it does not answer,
its users buffer (the audit) or fall back to their process-local default (the caches), say so in
readiness and count it.

- ``settings.py``: the ``[state]`` section of the gateway file.
- ``postgres_*``: connections, schema migrations, the audit trail.
- ``redis_client.py``: one Redis connection pool per gateway, behind a breaker;
  ``redis_replies.py``: the AMQP reply cache; ``redis_nonces.py``: the SOAP UsernameToken nonces.

What belongs to one channel stays in its package (the file ledger and claims on PostgreSQL:
``files/postgres_state.py``, on this package's pool and schema): no shared code imports a channel.
"""
