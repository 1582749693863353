#!/usr/bin/env bash
# Make sure GnuCOBOL's cobc is on PATH: the COBOL tests compile programs with it. Installs
# Debian's gnucobol3 when it is missing; fails (the tests never skip for a missing compiler).
set -euo pipefail

if command -v cobc >/dev/null 2>&1; then exit 0; fi

echo "ensure_gnucobol: installing gnucobol3" >&2
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get install -y -qq gnucobol3 >/dev/null 2>&1 \
       || { apt-get update -qq && apt-get install -y -qq gnucobol3 >/dev/null; }; }; then
    echo "ensure_gnucobol: could not install gnucobol3 (apt-get install -y gnucobol3)" >&2
    exit 1
fi
command -v cobc >/dev/null 2>&1 || { echo "ensure_gnucobol: gnucobol3 installed but no cobc on PATH" >&2; exit 1; }
