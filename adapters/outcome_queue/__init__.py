"""The outcome queue: outcomes as JSON messages on a RabbitMQ queue, taken in batches into the
outcome store. Modules: ``config``, ``channel`` (the consumer thread), ``spec`` (the registration)."""
