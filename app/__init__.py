"""Composition root and CLI: the only code that knows both the core and the adapters."""
