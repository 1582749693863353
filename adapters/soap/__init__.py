"""The soap channel (in progress)."""
