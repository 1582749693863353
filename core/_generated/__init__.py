"""protoc output, written by scripts/gen_proto.py. Never edit by hand."""
