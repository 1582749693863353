"""The core's public encoder, for channels that batch single requests themselves (AMQP).

The same code the core runs, so that a channel's encoding and its violations are the core's own:
``encode_features`` turns one request's canonical features into the model's float64 row (with the
field violations the core would report), ``result_from_batch`` turns one row of a scored batch
into a single :class:`~scoregate.core.contract.ScoreResult`. Channels import these from here,
never from ``validation`` or ``convert``, whose other functions are the core's internals.
"""

from scoregate.core.convert import result_from_batch
from scoregate.core.validation import encode_features

__all__ = ["encode_features", "result_from_batch"]
