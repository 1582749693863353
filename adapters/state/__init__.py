"""State shared by gateway replicas, on real servers named in the gateway file's ``[state]``.

Each store has an embedded default that needs no server (memory or SQLite, per process or per
host) and a shared implementation chosen by the gateway file. A shared store never holds up an
answer: when it does not answer, its users fall back to their process-local default, say so in
readiness and count it (``redis_client.RedisStore``).

- ``settings.py``: the ``[state]`` section of the gateway file.
- ``redis_client.py``: one Redis connection pool per gateway, behind a breaker.
- ``redis_replies.py``: the AMQP reply cache (replies by request key, and whether each went out).
- ``redis_nonces.py``: the SOAP UsernameToken nonce cache.
"""
