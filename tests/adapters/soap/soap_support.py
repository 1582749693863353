"""SOAP test support: a real SoapChannel in a thread, raw HTTP posts, the demo applicant in legacy form."""

from __future__ import annotations

import asyncio
import http.client
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from scoregate.adapters.metrics import ChannelMetrics
from scoregate.adapters.soap import SoapChannel, SoapChannelConfig
from scoregate.app.paths import DEFAULTS_DIR
from scoregate.core.hooks import ClientHooks
from scoregate.core.settings import ClientSettings

DEMO_CONFIG = DEFAULTS_DIR / "soap" / "loan-risk.toml"
DATA = Path(__file__).parent / "data"
ATTRIBUTES = DATA / "attributes12"
"""SOAP 1.2 only; the loan in attributes (Loan/@amount), simple content, repeated simple elements."""
INLINE = DATA / "inline-many"
"""SOAP 1.1; several inline schemas, a choice, a substitution group, xs:any, a list, a union."""
NS = "http://risk.northwind-bank.example/LoanRisk/2011/03"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
BINDING11 = f"{{{NS}}}LoanRiskServiceSoap"
BINDING12 = f"{{{NS}}}LoanRiskServiceSoap12"
ACTION = f"{NS}/AssessCreditApplication"


def born_years_ago(years: int, today: date | None = None) -> date:
    """A birth date that makes someone ``years`` old today, whatever today is."""
    today = today or date.today()
    return date(today.year - years - 1, 12, 31) if (today.month, today.day) != (12, 31) else date(today.year - years, 1, 1)


def age_today(born: date) -> int:
    today = date.today()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


class ChannelThread:
    """A real SoapChannel (uvicorn, real sockets) in its own event loop in a background thread."""

    def __init__(
        self, config: SoapChannelConfig, settings: ClientSettings, metrics: ChannelMetrics | None = None,
        hooks: ClientHooks | None = None, redis: object = None,
    ) -> None:
        self.channel = SoapChannel(config, client_settings=settings, metrics=metrics, client_hooks=hooks, redis=redis)
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="soap-channel", daemon=True)

    def run(self, coroutine, timeout: float = 30):  # noqa: ANN001, ANN201
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def start(self) -> ChannelThread:
        self._thread.start()
        self.run(self.channel.start())
        return self

    def stop(self, grace: float = 1.0) -> None:
        if self.loop.is_closed():
            return
        self.run(self.channel.stop(grace))
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        if not self._thread.is_alive():
            self.loop.close()

    @property
    def url(self) -> str:
        return self.channel.url


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


def http_request(url: str, method: str = "POST", body: bytes = b"", headers: dict | None = None, timeout: float = 10) -> Reply:
    """One request on a fresh connection with http.client: nothing added that we did not ask for."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request(method, target, body=body, headers=headers or {})
        response = conn.getresponse()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        conn.close()


def post_soap11(url: str, body: bytes, action: str | None = f'"{ACTION}"', content_type: str = "text/xml; charset=utf-8") -> Reply:
    headers = {"Content-Type": content_type}
    if action is not None:
        headers["SOAPAction"] = action
    return http_request(url, body=body, headers=headers)


def post_soap12(url: str, body: bytes, content_type: str = f'application/soap+xml; charset=utf-8; action="{ACTION}"') -> Reply:
    return http_request(url, body=body, headers={"Content-Type": content_type})


def demo_file(name: str) -> Path:
    return DEFAULTS_DIR / "soap" / name


# The demo applicant (tests/core/conftest.py APPLICANT) as the loan origination system sends it.
def legacy_application(born: date) -> dict:
    return {
        "ApplicationNo": "LN20110342",
        "BranchCode": "0417",
        "Applicant": {
            "CustomerId": "C-88213", "DateOfBirth": born, "ResidentialStatus": "M", "NumberOfDependants": 2,
            "Employment": {"EmployerName": "Contoso Ltd", "YearsEmployed": "6.5", "GrossAnnualIncome": "58000.00"},
            "Addresses": {"Address": [
                {"AddressType": "CURR", "PostCode": "EC1A 1BB", "YearsAtAddress": 4},
                {"AddressType": "PREV", "PostCode": "N1 9GU", "YearsAtAddress": 7},
            ]},
            "SavingsBalance": "4200.00",
        },
        "Loan": {"ProductCode": "PL36", "PurposeCode": "04", "AmountRequested": "15000.00", "TermMonths": 36,
                 "OfferedRateBps": 790, "CoSignerInd": "N"},
        "Bureau": {"DebtToIncomeRatio": "0.31", "RevolvingUtilPct": "42", "OpenTradelines": 7, "CreditHistoryYears": "12.0",
                   "Delinquencies24M": 0, "MonthsSinceLastDelinq": None, "Inquiries6M": 1, "Bankruptcies": 0},
    }


def expected_features(born: date) -> dict:
    """What the mapping must make of legacy_application: written out by hand, not computed by it."""
    return {
        "age": age_today(born), "annual_income": 58000.0, "employment_years": 6.5, "home_ownership": "MORTGAGE",
        "residence_years": 4, "number_of_dependants": 2, "loan_amount": 15000.0, "loan_term_months": 36,
        "loan_purpose": "CAR", "interest_rate": 790 * 0.01, "has_cosigner": 0, "debt_to_income": 0.31,
        "revolving_utilisation": 42 * 0.01, "open_accounts": 7, "credit_history_years": 12.0, "delinquencies_2y": 0,
        "months_since_last_delinquency": None, "inquiries_6m": 1, "bankruptcies": 0, "savings_balance": 4200.0,
    }


def assess_envelope(
    born: date,
    *,
    env: str = SOAP11,
    env_prefix: str = "soap",
    prefix: str | None = "ns1",
    header: str = "",
    xml_decl: str = '<?xml version="1.0" encoding="utf-8"?>',
    **replace: str,
) -> str:
    """A hand-written AssessCreditApplication envelope; ``replace`` swaps an element's text (by local name),
    and a value of None drops the element."""
    values = {
        "ApplicationNo": "LN20110342", "CustomerId": "C-88213", "DateOfBirth": born.isoformat(), "ResidentialStatus": "M",
        "NumberOfDependants": "2", "YearsEmployed": "6.5", "GrossAnnualIncome": "58000.00", "SavingsBalance": "4200.00",
        "ProductCode": "PL36", "PurposeCode": "04", "AmountRequested": "15000.00", "TermMonths": "36",
        "OfferedRateBps": "790", "CoSignerInd": "N", "DebtToIncomeRatio": "0.31", "RevolvingUtilPct": "42",
        "OpenTradelines": "7", "CreditHistoryYears": "12.0", "Delinquencies24M": "0", "Inquiries6M": "1", "Bankruptcies": "0",
    }
    values.update(replace)
    p = f"{prefix}:" if prefix else ""

    def el(name: str) -> str:
        value = values[name]
        return "" if value is None else f"<{p}{name}>{value}</{p}{name}>"

    ns_decl = f'xmlns:{prefix}="{NS}"' if prefix else f'xmlns="{NS}"'
    e = env_prefix
    return (
        f'{xml_decl}<{e}:Envelope xmlns:{e}="{env}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"{f'<{e}:Header>{header}</{e}:Header>' if header else ''}<{e}:Body>"
        f"<{p}AssessCreditApplication {ns_decl}><{p}Application>{el('ApplicationNo')}"
        f"<{p}Applicant>{el('CustomerId')}{el('DateOfBirth')}{el('ResidentialStatus')}{el('NumberOfDependants')}"
        f"<{p}Employment>{el('YearsEmployed')}{el('GrossAnnualIncome')}</{p}Employment>"
        f"<{p}Addresses><{p}Address><{p}AddressType>CURR</{p}AddressType><{p}PostCode>EC1A 1BB</{p}PostCode>"
        f"<{p}YearsAtAddress>4</{p}YearsAtAddress></{p}Address></{p}Addresses>{el('SavingsBalance')}</{p}Applicant>"
        f"<{p}Loan>{el('ProductCode')}{el('PurposeCode')}{el('AmountRequested')}{el('TermMonths')}{el('OfferedRateBps')}"
        f"{el('CoSignerInd')}</{p}Loan>"
        f"<{p}Bureau>{el('DebtToIncomeRatio')}{el('RevolvingUtilPct')}{el('OpenTradelines')}{el('CreditHistoryYears')}"
        f"{el('Delinquencies24M')}<{p}MonthsSinceLastDelinq xsi:nil=\"true\"/>{el('Inquiries6M')}{el('Bankruptcies')}"
        f"</{p}Bureau></{p}Application></{p}AssessCreditApplication></{e}:Body></{e}:Envelope>"
    )
