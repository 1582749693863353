"""Why a connection to the broker failed, in one clause an operator can act on.

pika wraps the cause in layers (``AMQPConnectionError`` around ``AMQPConnectionWorkflowFailed``
around ``AMQPConnectorSocketConnectError`` around ``ConnectionRefusedError``) and logs each layer
itself. The channel's log line and the CLI's error both say it once, from here.
"""

from __future__ import annotations

import socket

import pika.exceptions
from pika.adapters.utils.connection_workflow import AMQPConnectionWorkflowFailed, AMQPConnectorPhaseErrorBase


def _cause(error: BaseException) -> BaseException:
    """The innermost exception pika wrapped."""
    for _ in range(5):  # a few layers at most
        if isinstance(error, AMQPConnectionWorkflowFailed) and error.exceptions:
            error = error.exceptions[-1]
        elif isinstance(error, AMQPConnectorPhaseErrorBase):
            error = error.exception
        elif isinstance(error, pika.exceptions.AMQPConnectionError) and error.args and isinstance(error.args[0], BaseException):
            error = error.args[0]
        else:
            break
    return error


def broker_reason(error: BaseException) -> str:
    """``connection refused``, ``the broker refused the login (user or password)``, ... ."""
    cause = _cause(error)
    if isinstance(cause, pika.exceptions.ProbableAuthenticationError):
        return "the broker refused the login (wrong user or password)"
    if isinstance(cause, pika.exceptions.ProbableAccessDeniedError):
        return "the broker denied access to the virtual host (it does not exist, or the user has no permission on it)"
    if isinstance(cause, pika.exceptions.ConnectionClosedByBroker | pika.exceptions.ChannelClosedByBroker):
        return f"closed by the broker: {cause.reply_code} {cause.reply_text}"
    if isinstance(cause, socket.gaierror):
        return f"host name not found ({cause.strerror})"
    if isinstance(cause, ConnectionRefusedError):
        return "connection refused (is the broker running on that port?)"
    if isinstance(cause, OSError):
        return cause.strerror or type(cause).__name__
    text = str(cause).strip()
    return f"{type(cause).__name__}: {text}" if text else type(cause).__name__
