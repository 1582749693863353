"""Fixtures of the COBOL tests: the GnuCOBOL compiler, with a per-session cache of executables."""

from __future__ import annotations

import shutil

import pytest

from gnucobol import Compiler


@pytest.fixture(scope="session")
def cobol(tmp_path_factory: pytest.TempPathFactory) -> Compiler:
    """GnuCOBOL's ``cobc``; scripts/test.sh installs Debian's gnucobol3 when it is missing."""
    cobc = shutil.which("cobc")
    if cobc is None:
        pytest.fail("cobc (GnuCOBOL) is not installed: apt-get install -y gnucobol3, or run bash scripts/test.sh")
    return Compiler(cobc, tmp_path_factory.mktemp("cobol-bin"))
