"""pika connection parameters from the channel's config: URL, TLS (CA, client certificate), password file.

Read at every (re)connect, so a rotated client certificate or password is used from the next
connection on without a restart.
"""

from __future__ import annotations

import ssl

import pika

from scoregate.adapters.amqp.config import AmqpChannelConfig


def connection_parameters(config: AmqpChannelConfig) -> pika.URLParameters:
    params = pika.URLParameters(config.url)
    if config.password_file is not None:
        params.credentials = pika.PlainCredentials(params.credentials.username, config.password_file.read_text().strip())
    if config.tls is not None:
        context = ssl.create_default_context(cafile=str(config.tls.ca_file))
        if config.tls.cert_file is not None and config.tls.key_file is not None:
            context.load_cert_chain(str(config.tls.cert_file), str(config.tls.key_file))
        params.ssl_options = pika.SSLOptions(context, config.tls.server_name or params.host)
    return params
