"""Legacy message formats, no I/O: bytes in, canonical out, and back."""
