"""The amqp channel (in progress)."""
