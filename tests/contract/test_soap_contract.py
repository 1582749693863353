"""The channel contract for SOAP: the shipped LoanRiskService endpoint, called by a real zeep client."""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import requests
import zeep
from contract_support import (
    INVALID,
    LONG_GRACE,
    NOT_ACCEPTED,
    SCORED,
    SERVER_ERROR,
    SHORT_GRACE_S,
    Answer,
    ChannelContract,
    free_port,
)
from zeep.exceptions import Fault
from zeep.transports import Transport

from scoregate.adapters.soap import SoapChannel, SoapChannelConfig
from scoregate.app.paths import DEFAULTS_DIR
from scoregate.core.settings import ClientSettings

DEMO_CONFIG = DEFAULTS_DIR / "soap" / "loan-risk.toml"
NS = "http://risk.northwind-bank.example/LoanRisk/2011/03"
BINDING = f"{{{NS}}}LoanRiskServiceSoap"


def _born(years: int) -> date:
    today = date.today()
    return date(today.year - years - 1, 12, 31) if (today.month, today.day) != (12, 31) else date(today.year - years, 1, 1)


def _application(reference: str, born: date) -> dict[str, Any]:
    """The applicant of app/defaults/soap/sample-request.xml, under another application number."""
    return {
        "ApplicationNo": reference, "BranchCode": "0417",
        "Applicant": {
            "CustomerId": "C-88213", "DateOfBirth": born, "ResidentialStatus": "M", "NumberOfDependants": 2,
            "Employment": {"YearsEmployed": Decimal("6.5"), "GrossAnnualIncome": Decimal("58000.00")},
            "Addresses": {"Address": [{"AddressType": "CURR", "PostCode": "EC1A 1BB", "YearsAtAddress": 4}]},
            "SavingsBalance": Decimal("4200.00"),
        },
        "Loan": {"ProductCode": "PL36", "PurposeCode": "04", "AmountRequested": Decimal("15000.00"), "TermMonths": 36,
                 "OfferedRateBps": 790, "CoSignerInd": "N"},
        "Bureau": {"DebtToIncomeRatio": Decimal("0.31"), "RevolvingUtilPct": Decimal("42"), "OpenTradelines": 7,
                   "CreditHistoryYears": Decimal("12.0"), "Delinquencies24M": 0, "MonthsSinceLastDelinq": None,
                   "Inquiries6M": 1, "Bankruptcies": 0},
    }


def _fault_answer(fault: Fault) -> Answer:
    detail = fault.detail.find(f"{{{NS}}}RiskServiceFault") if fault.detail is not None else None
    if fault.code == "soap:Client":
        errors = [] if detail is None else detail.findall(f"{{{NS}}}ValidationErrors/{{{NS}}}ValidationError")
        return Answer(INVALID, "; ".join(f"{e.findtext(f'{{{NS}}}FieldName')} {e.findtext(f'{{{NS}}}ErrorCode')}"
                                         for e in errors))
    if fault.code == "soap:Server":
        return Answer(SERVER_ERROR, "" if detail is None else detail.findtext(f"{{{NS}}}ErrorCode") or "")
    return Answer(f"fault {fault.code}", fault.message)


class TestSoapContract(ChannelContract):
    OUTAGE_ANSWER = SERVER_ERROR
    BAD_FIELD = "Application/Applicant/DateOfBirth"
    # A request sent while no instance listens is refused on connect, and the caller sees it; one
    # still in flight when a short grace ends may be answered with a Server fault (retry later).
    STOPPED_KINDS = frozenset({NOT_ACCEPTED, SERVER_ERROR})

    def open_transport(self) -> None:
        # A fixed port: a fresh instance on the same configuration serves the same URL.
        self.config = SoapChannelConfig.load(DEMO_CONFIG, host="127.0.0.1", port=free_port())
        self.url = f"http://127.0.0.1:{self.config.port}{self.config.path}"
        self._numbers = itertools.count(1)
        self._answers: list[tuple[str, Answer]] = []
        self._pool = ThreadPoolExecutor(max_workers=self.CONCURRENT + 8, thread_name_prefix="soap-caller")
        self._service: Any = None

    def close_transport(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def make_channel(self, settings: ClientSettings) -> SoapChannel:
        return SoapChannel(self.config, client_settings=settings)

    def _client(self) -> Any:
        if self._service is None:
            session = requests.Session()
            # One connection per call: a pooled connection to a stopped instance must not be
            # mistaken for a refusal by the next one.
            session.headers["Connection"] = "close"
            session.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=self.CONCURRENT + 8))
            client = zeep.Client(f"{self.url}?wsdl", transport=Transport(session=session, timeout=30, operation_timeout=30))
            self._service = client.create_service(BINDING, self.url)
        return self._service

    def send(self, count: int, bad: frozenset[int] = frozenset()) -> list[str]:
        service = self._client()
        refs = [f"CT{next(self._numbers):08d}" for _ in range(count)]
        for i, ref in enumerate(refs):
            self._pool.submit(self._call, service, ref, _born(12 if i in bad else 41))
        return refs

    def _call(self, service: Any, ref: str, born: date) -> None:
        try:
            result = service.AssessCreditApplication(Application=_application(ref, born))
            answer = Answer(SCORED, result.ScorecardId)
            ref = result.ApplicationNo  # the caller matches the answer by the number it carries
        except Fault as fault:
            answer = _fault_answer(fault)
        except requests.exceptions.ConnectionError as error:
            answer = Answer(NOT_ACCEPTED, type(error).__name__)
        except Exception as error:  # anything else is a finding, shown by the assertion that sees it
            answer = Answer(f"error {type(error).__name__}", f"{error} {getattr(error, 'status_code', '')} {getattr(error, 'content', b'')[:80]!r}")
        self._answers.append((ref, answer))

    def answers(self) -> list[tuple[str, Answer]]:
        return list(self._answers)

    @pytest.mark.parametrize("grace", [
        # A call still at the core when the grace ends is answered with a Server fault (adapters/soap/app.py).
        pytest.param(SHORT_GRACE_S, id="grace-shorter-than-a-call"),
        LONG_GRACE,
    ])
    def test_stop_with_requests_in_flight_loses_nothing(self, grace: float) -> None:
        super().test_stop_with_requests_in_flight_loses_nothing(grace)
