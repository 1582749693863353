"""scoregate: legacy protocols in, one canonical score request over gRPC, legacy answers out.

The code lives in ``scoregate.core`` (the domain and the scoring service), ``scoregate.adapters``
(one package per legacy channel) and ``scoregate.app`` (composition root and CLI); the top-level
folders ``core/``, ``adapters/`` and ``app/`` of the source tree are mapped onto them.
"""

__version__ = "0.1.0"
