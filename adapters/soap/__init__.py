"""The SOAP channel: legacy SOAP clients call their unchanged endpoint and get a score.

Contract-first: the legacy WSDL is the contract and is served as it is; zeep's WSDL and XSD objects
parse each request by the operation's input message and build the response by its output message;
lxml's XMLSchema validates what zeep would not; a declarative mapping joins the two to the canonical
contract. Nothing is generated from code, and a new WSDL is configuration.

Features
========
- [x] SOAP 1.1 and 1.2 bindings of one WSDL on one HTTP path: document/literal (wrapped, or bare with one part)
      and rpc/literal; schemas inline (with or without a targetNamespace, several importing each
      other) or in XSD files imported or included at any depth, by relative or absolute location
      (WCF ``?xsd=xsd0`` style too); ``wsdl:import``; rpc/encoded refused at start; one-way
      operations not served
- [x] Mapping paths for attributes (``Loan/@amount``), simple content, one occurrence (``Item[2]``),
      choice branches and substitution groups (values.py); responses write attributes and fill
      repeated elements
- [x] Dispatch on the Body child's qualified name; SOAPAction (quoted, unquoted, empty, missing)
      and the SOAP 1.2 ``action`` parameter only break ties
- [x] ``GET ?wsdl`` byte for byte (only ``soap:address/@location`` rewritten to ``public_url``),
      ``?xsd=NAME`` and relative schema paths for imported documents; ``?singleWsdl`` (single.py)
- [x] Content-Type checked per version (415), a SOAP action of another operation refused; both
      tolerable per channel (``[tolerate]``)
- [x] Body validated against the WSDL's schemas (lxml XMLSchema), then by the canonical contract;
      violations name the caller's element paths
- [x] Faults: Client/Sender and Server/Receiver with the WSDL-declared detail and 1.2 subcode,
      VersionMismatch (1.2: Upgrade), MustUnderstand (1.2: NotUnderstood); never a stack trace
- [x] WS-Addressing and .NET ``addressing/none`` headers with mustUnderstand count as understood;
      an addressed request (``wsa:MessageID``) gets ``wsa:Action`` and ``wsa:RelatesTo`` back
- [x] Any prefixes or a default namespace, ``xsi:type``/``xsi:nil``, ISO-8859-1, BOM, comments
- [x] DTDs, entities and external references refused; body size limit; request timeout (also the
      core deadline); health and readiness endpoints; HTTPS when a certificate is configured
- [x] Mapping checked against the WSDL at start, one line per problem, with "did you mean"
      (``preflight.preflight(config) -> list[str]``)
- [x] WS-Security UsernameToken: PasswordText and PasswordDigest, freshness window, bounded
      replay cache; credentials from the config file or the environment
- [x] Compiled read/write plans from zeep's XSD objects (zeep's generic parse/serialize as fallback)
- [x] Several worker processes: ``uvicorn --factory --workers N scoregate.adapters.soap.server:create_app``
- [x] Prometheus metrics (adapters/metrics.py): each POST to the endpoint counted once, scored or
      error by kind; latency and in-flight; VersionMismatch, MustUnderstand, failed WS-Security and
      oversized bodies count as invalid input plus an event; ``?wsdl`` is an event, not a request.
      In the gateway they are on its health port; under ``--workers N`` with ``PROMETHEUS_MULTIPROC_DIR``
      set, on ``metrics_path`` of any worker, added up over all of them
- [x] Nonce replay cache shared between the worker processes of a host (`security.nonce_store`, SQLite)
- [x] Nonce replay cache shared between gateway replicas (`[state] redis` in the gateway file;
      Redis down: per process again, said in readiness, `nonce_cache_fallbacks`)
- [x] Audit records: through the gateway's decision recorder (adapters/decisions/recorder.py), like every channel
- [ ] Signed messages (XML-DSig), MTOM

Configuration
=============
:class:`~scoregate.adapters.soap.config.SoapChannelConfig`, from a TOML or JSON file
(the demo: ``scoregate/app/defaults/soap/loan-risk.toml``)::

    wsdl = "LoanRiskService.wsdl"
    path = "/RiskServices/LoanRiskService.asmx"
    [operations.AssessCreditApplication.request]     # a RequestMapping (adapters/mapping.py)
    [operations.AssessCreditApplication.response]    # a ResponseMapping
    [[operations.AssessCreditApplication.faults]]    # error kinds -> declared fault + detail

Errors
======
(faults.py is the one place they are built; reason texts of server faults never carry internals)

| error | SOAP 1.1 (always HTTP 500) | SOAP 1.2 |
| --- | --- | --- |
| InvalidInput: XSD, mapping or model schema | ``Client`` + declared detail | ``Sender`` 400 + subcode + detail |
| CoreUnavailable, DeadlineExpired, CoreFailure, UnknownModel | ``Server`` + declared detail | ``Receiver`` 500 + subcode + detail |
| bad, stale or replayed UsernameToken | ``wsse:FailedAuthentication`` / ``InvalidSecurity`` | ``Sender`` 400 + that subcode |
| not a SOAP envelope, unsupported version | ``VersionMismatch`` (+ ``Upgrade``) | ``VersionMismatch`` 500 + ``Upgrade`` |
| Content-Type not the version's own | ``Client``, HTTP 415 | ``Sender``, HTTP 415 |
| unknown header with mustUnderstand | ``MustUnderstand`` | ``MustUnderstand`` 500 + ``NotUnderstood`` |
"""

from scoregate.adapters.soap.app import SoapApp
from scoregate.adapters.soap.codec import SoapCodec
from scoregate.adapters.soap.config import SoapChannelConfig
from scoregate.adapters.soap.contract import ContractError, ServiceContract, SoapVersion
from scoregate.adapters.soap.server import SoapChannel, create_app

__all__ = [
    "ContractError", "ServiceContract", "SoapApp", "SoapChannel", "SoapChannelConfig", "SoapCodec", "SoapVersion",
    "create_app",
]
