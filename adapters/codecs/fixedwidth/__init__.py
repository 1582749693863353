"""The fixed-width layout engine (in progress)."""
