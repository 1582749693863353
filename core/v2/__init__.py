"""The Open Inference Protocol (KServe V2, ``inference.GRPCInferenceService``) in the core.

``tensors`` turns V2 input tensors into the model's matrix and results into V2 output tensors,
``metadata`` describes a model version as V2 metadata (its feature schema in ``parameters``), and
``service`` is the servicer the core serves beside ``scoregate.v1`` on the same port. The gateway's
V2 client (``core/v2_client.py``) speaks the same tensors to any V2 server.
"""
