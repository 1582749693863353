"""One package per legacy channel: decode legacy input, call the scoring client, encode the answer."""
