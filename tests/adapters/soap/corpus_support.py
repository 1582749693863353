"""The WSDL conformance corpus (tests/data/wsdl): one folder per public WSDL with its imported
documents and a ``case.toml`` saying which operation is scored and how a client calls it.

``case.toml`` keys: ``wsdl`` (path in the folder), ``operation``, ``bindings`` (zeep binding names
to call, one per SOAP version the contract has), ``args`` (the call's arguments: a table of
keywords or an array of positional values), ``features`` (what the mapping must make of ``args``:
written by hand), ``[request]`` and ``[response]`` (the mapping of the contract's own fields),
optionally ``[documents]`` (WCF ``?xsd=NAME`` files), ``[types]`` (output paths written as a
derived type; a table in ``args`` with ``_type`` is sent as that type, ``xsi:type``), ``wsdl_query`` (``wsdl`` unless the client
must load another form) and ``refused`` (the contract must be refused at start with a message
containing that word).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from requests import HTTPError

from soap_support import ChannelThread
from zeep.exceptions import Fault

from scoregate.adapters.soap import ContractError, SoapChannelConfig
from scoregate.core.client import ScoringClient
from scoregate.core.contract import ScoreRequest
from scoregate.core.settings import ClientSettings

CORPUS = Path(__file__).resolve().parents[2] / "data" / "wsdl"
CASE_FILE = "case.toml"
MODEL = "credit-risk"
REASON_COUNT = 3
# What the contracts lack: a typical applicant, so that mapping one field of a contract scores.
DEFAULTS: dict[str, Any] = {
    "age": 40, "annual_income": 52000.0, "home_ownership": "RENT", "residence_years": 3, "number_of_dependants": 0,
    "loan_amount": 10000.0, "loan_term_months": 36, "loan_purpose": "OTHER", "interest_rate": 9.9, "has_cosigner": 0,
    "open_accounts": 4, "delinquencies_2y": 0, "inquiries_6m": 0, "bankruptcies": 0,
}
STAGES = ("loads", "served", "round_trip")

# Cases today's engine does not serve, by the first stage that fails and the one-line failure it
# gives (a later stage of the same case fails for the same reason). Delete a line when the engine
# serves that case: the tests are strict xfails, so an unexpected pass turns the suite red.
_ONE_WAY = "AttributeError: 'NoneType' object has no attribute 'body'"
EXPECTED_FAILURES: dict[str, dict[str, str]] = {
    "loads": {
    },
    "served": {},
    "round_trip": {
    },
}


# The exception each failure above starts with: a case that fails in another way is a failure.
_RAISES = {"AttributeError": AttributeError, "AssertionError": AssertionError, "ContractError": ContractError,
           "Fault": Fault, "HTTPError": HTTPError}


@dataclass(frozen=True)
class Case:
    name: str
    folder: Path
    spec: dict[str, Any]

    @property
    def wsdl(self) -> Path:
        return self.folder / self.spec["wsdl"]

    @property
    def refused(self) -> str | None:
        return self.spec.get("refused")

    @property
    def features(self) -> dict[str, Any]:
        """The canonical features a call with ``args`` must be scored with."""
        return {**DEFAULTS, **self.spec["features"]}

    def config(self) -> SoapChannelConfig:
        """The channel configuration: the case's mapping, defaults for every other feature."""
        if self.refused:  # no mapping: the contract itself must be refused
            return SoapChannelConfig(wsdl=self.wsdl, path="/refused", operations={}, unmapped_operations="fault")
        request = dict(self.spec.get("request", {}))
        mapped = {f["feature"] for f in request.get("features", [])}
        request["features"] = [*request.get("features", []), *({"feature": k, "default": v} for k, v in DEFAULTS.items() if k not in mapped)]
        operation = {"request": {"model": MODEL, "reason_count": REASON_COUNT, **request}, "response": self.spec["response"],
                     "types": self.spec.get("types", {})}
        return SoapChannelConfig(
            wsdl=self.wsdl,
            path=f"/corpus/{self.name}/service",
            host="127.0.0.1",
            port=0,
            documents={name: self.folder / file for name, file in self.spec.get("documents", {}).items()},
            operations={self.spec["operation"]: operation},
            unmapped_operations="fault",
        )

    def reference(self) -> str:
        """The caller's reference a call carries (``request.reference`` looked up in ``args``)."""
        path = self.spec.get("request", {}).get("reference")
        value: Any = self.spec["args"]
        for part in path.split("/") if path else ():
            value = value[part.lstrip("@")]  # zeep takes an attribute by its bare name
        return "" if not path else str(value)

    def documents(self) -> list[Path]:
        """Every file of the contract: the WSDL and what it imports, directly or not."""
        return sorted(p for p in self.folder.rglob("*") if p.is_file() and p.name != CASE_FILE)


def load_cases() -> list[Case]:
    return [
        Case(folder.name, folder, tomllib.loads((folder / CASE_FILE).read_text()))
        for folder in sorted(CORPUS.iterdir())
        if (folder / CASE_FILE).is_file()
    ]


def expected_failure(stage: str, name: str) -> str | None:
    if name in EXPECTED_FAILURES[stage]:  # a stage's own entry: it fails there in its own way
        return EXPECTED_FAILURES[stage][name]
    for earlier in STAGES[: STAGES.index(stage) + 1]:
        if name in EXPECTED_FAILURES[earlier]:
            return EXPECTED_FAILURES[earlier][name]
    return None


def param(stage: str, case: Case, *values: Any, id: str | None = None) -> Any:  # noqa: A002 (pytest's name)
    """A pytest param of ``case`` (and ``values``), a strict xfail where the engine fails the case today."""
    reason = expected_failure(stage, case.name)
    marks = [pytest.mark.xfail(strict=True, reason=reason, raises=_RAISES[reason.split(":")[0]])] if reason else []
    return pytest.param(case, *values, id=id or case.name, marks=marks)


def params(stage: str, cases: list[Case]) -> list:
    """One pytest param per case, id = folder name."""
    return [param(stage, case) for case in cases]


def same(got: Any, expected: Any) -> bool:
    """A value read back by a client equals what the mapping wrote (types differ: Decimal, float32, date)."""
    if isinstance(expected, bool) or expected is None:
        return got == expected
    if isinstance(expected, float):
        return got is not None and float(got) == pytest.approx(expected, rel=1e-6)
    if isinstance(expected, int):
        return got is not None and int(got) == expected
    if isinstance(got, (date, datetime)):
        return got.isoformat() == str(expected)
    return str(got) == str(expected)


def body_children(envelope: etree._Element) -> list[etree._Element]:
    """The elements in a SOAP envelope's Body."""
    body = next(child for child in envelope if etree.QName(child).localname == "Body")
    return [child for child in body if isinstance(child.tag, str)]


def leaf_values(element: etree._Element, prefix: str = "", out: dict[str, str] | None = None) -> dict[str, str]:
    """The text of every leaf and attribute below ``element`` by mapping path (local names, ``[n]``
    for repeats, the unindexed path naming the first, ``@name`` for an attribute): what went over
    the wire, not what zeep made of it."""
    out = {} if out is None else out
    for name, value in element.attrib.items():
        out[f"{prefix}@{etree.QName(name).localname}"] = value
    children = [child for child in element if isinstance(child.tag, str)]
    for child in children:
        name = etree.QName(child).localname
        same_tag = [c for c in children if c.tag == child.tag]
        paths = [f"{prefix}{name}"]
        if len(same_tag) > 1 or same_tag.index(child) > 0:
            paths.insert(0, f"{prefix}{name}[{same_tag.index(child) + 1}]")
        for path in paths if same_tag.index(child) == 0 else paths[:1]:
            if len(child):
                leaf_values(child, f"{path}/", out)
            else:  # a leaf: its text, and its attributes (a simple content value's or an empty element's)
                out[path] = child.text or ""
                out.update({f"{path}/@{etree.QName(k).localname}": v for k, v in child.attrib.items()})
    return out


class CorpusServers:
    """One channel per case, started on first use, all stopped together: a module's tests share them."""

    def __init__(self, settings: ClientSettings) -> None:
        self.settings = settings
        self.started: dict[str, ChannelThread] = {}

    def __call__(self, case: Case) -> ChannelThread:
        if case.name not in self.started:
            self.started[case.name] = ChannelThread(case.config(), self.settings).start()
        return self.started[case.name]

    def stop(self) -> None:
        for server in self.started.values():
            server.stop()


def expected_answer(case: Case, core: ScoringClient) -> dict[str, Any]:
    """What the response must hold: the mapping applied to what the core says for the case's features."""
    direct = core.score(ScoreRequest(request_id="direct", model=MODEL, features=case.features, reason_count=REASON_COUNT))
    return case.config().operations[case.spec["operation"]].response.encode_result(direct, reference=case.reference())


def assert_answer(response: etree._Element, expected: dict[str, Any], where: str) -> None:
    """The response element (the Body's child) holds the expected values, as they went over the wire."""
    got = leaf_values(response)
    if not len(response):  # a bare value (document/literal bare): the element's own name is its path
        got[etree.QName(response).localname] = response.text or ""
    for path, value in expected.items():
        if isinstance(value, list):
            assert [got.get(f"{path}[{n}]") for n in range(1, len(value) + 1)] == value, f"{where} {path}"
        else:
            assert same(got.get(path), value), f"{where} {path}: {got.get(path)!r} != {value!r}"
