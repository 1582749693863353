"""The files channel (in progress)."""
