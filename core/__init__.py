"""The domain: canonical contract, model registry, scoring service and the client adapters use.

It knows nothing of SOAP, AMQP or files.
"""
