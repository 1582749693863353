"""Helpers of the gateway tests (imported by name): `scoregate` commands as real processes, rabbitmqctl."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

SCOREGATE = str(Path(sys.executable).parent / "scoregate")


def demo_gateway_config(folder: Path, vhost: str) -> Path:
    """The embedded default's four demo channels on free ports, AMQP in ``vhost``, with an audit
    (relative: inside ``scoregate up --workdir``); written as ``folder/gateway.toml``."""
    from scoregate.app.paths import DEFAULTS_DIR

    config = folder / "gateway.toml"
    config.write_text(
        "[core]\naddress = \"127.0.0.1:0\"\n[health]\nport = 0\n[audit]\npath = \"audit.sqlite\"\n[outcomes]\nrefresh_s = 0.5\n"
        f"[channels.soap]\nconfig = \"{DEFAULTS_DIR / 'soap' / 'loan-risk.toml'}\"\nset = {{ port = 0 }}\n"
        f"[channels.amqp]\nconfig = \"{DEFAULTS_DIR / 'amqp' / 'demo.toml'}\"\n"
        f"set = {{ url = \"amqp://guest:guest@127.0.0.1:5672/{vhost}\" }}\n"
        f"[channels.files]\nconfig = \"{DEFAULTS_DIR / 'files' / 'loans.toml'}\"\nset = {{ poll_s = 0.2 }}\n"
        f"[channels.outcome_files]\nconfig = \"{DEFAULTS_DIR / 'outcomes' / 'outcomes.toml'}\"\nset = {{ poll_s = 0.2 }}\n"
    )
    return config


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


class Process:
    """A `scoregate` command with its stdout read in the background (the banner says where things listen)."""

    def __init__(self, *args: str, stderr: int | None = subprocess.DEVNULL, env: dict[str, str] | None = None) -> None:
        self.popen = subprocess.Popen([SCOREGATE, *args], stdout=subprocess.PIPE, stderr=stderr, text=True, env=env)
        self.lines: list[str] = []
        self._seen = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.popen.stdout:
            with self._seen:
                self.lines.append(line)
                self._seen.notify_all()

    def wait_for(self, prefix: str, timeout: float = 90) -> str:
        """The whole output so far, once a line starting with ``prefix`` has appeared."""
        with self._seen:
            ok = self._seen.wait_for(lambda: any(line.startswith(prefix) for line in self.lines), timeout)
            text = "".join(self.lines)
        assert ok, f"no line starting with {prefix!r} within {timeout} s; output:\n{text}"
        return text


def demo_application() -> dict:
    """The demo's sample-request.xml as zeep arguments of AssessCreditApplication."""
    return {
        "ApplicationNo": "LN20110342",
        "Applicant": {
            "CustomerId": "C-88213", "DateOfBirth": "1985-03-14", "ResidentialStatus": "M", "NumberOfDependants": 2,
            "Employment": {"YearsEmployed": "6.5", "GrossAnnualIncome": "58000.00"},
            "Addresses": {"Address": [{"AddressType": "CURR", "PostCode": "EC1A 1BB", "YearsAtAddress": 4}]},
            "SavingsBalance": "4200.00",
        },
        "Loan": {"ProductCode": "PL36", "PurposeCode": "04", "AmountRequested": "15000.00", "TermMonths": 36,
                 "OfferedRateBps": 790, "CoSignerInd": "N"},
        "Bureau": {"DebtToIncomeRatio": "0.31", "RevolvingUtilPct": "42", "OpenTradelines": 7, "CreditHistoryYears": "12.0",
                   "Delinquencies24M": 0, "MonthsSinceLastDelinq": None, "Inquiries6M": 1, "Bankruptcies": 0},
    }
