"""A SAP-size WSDL (1 MB and more), written deterministically for bench/soap_contracts_bench.py.

SAP's enterprise services publish document/literal WSDLs of one to several megabytes: a few hundred
operations, each with its own request and response types, deep structures of code lists and
documentation annotations. This one has that shape: ``operations`` operations, each with a request
of ``fields`` elements in nested groups (enumerations, restricted decimals, dates, attributes) and
a response with repeated items, in SOAP 1.1 and 1.2 bindings.
"""

from __future__ import annotations

import argparse
from pathlib import Path

NS = "urn:sap-com:document:sap:soap:functions:mc-style"
_KINDS = ("xs:string", "tns:Amount", "xs:date", "tns:Code", "xs:int", "tns:Quantity")


def _fields(prefix: str, count: int) -> str:
    out = []
    for n in range(count):
        kind = _KINDS[n % len(_KINDS)]
        out.append(
            f'<xs:element name="{prefix}{n:03d}" type="{kind}" minOccurs="0">'
            f"<xs:annotation><xs:documentation>Field {prefix}{n:03d} of the business object, as the "
            f"data dictionary describes it (domain {kind.split(':')[1].upper()}).</xs:documentation></xs:annotation>"
            "</xs:element>"
        )
    return "".join(out)


def _operation_types(n: int, fields: int) -> str:
    groups = "".join(
        f'<xs:element name="Group{g}" minOccurs="0"><xs:complexType><xs:sequence>{_fields(f"G{g}F", fields // 4)}'
        f'</xs:sequence><xs:attribute name="action" type="tns:Code"/></xs:complexType></xs:element>'
        for g in range(4)
    )
    return (
        f'<xs:element name="Op{n:03d}"><xs:complexType><xs:sequence>{groups}</xs:sequence></xs:complexType></xs:element>'
        f'<xs:element name="Op{n:03d}Response"><xs:complexType><xs:sequence>'
        f'<xs:element name="Item" minOccurs="0" maxOccurs="unbounded"><xs:complexType><xs:sequence>{_fields("R", 12)}'
        '</xs:sequence></xs:complexType></xs:element><xs:element name="Return" type="tns:Bapiret2" minOccurs="0"/>'
        "</xs:sequence></xs:complexType></xs:element>"
    )


def big_wsdl(operations: int = 180, fields: int = 40) -> bytes:
    codes = "".join(f'<xs:enumeration value="{c:02d}"/>' for c in range(60))
    types = (
        f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="{NS}" targetNamespace="{NS}" '
        'elementFormDefault="unqualified" attributeFormDefault="qualified">'
        '<xs:simpleType name="Amount"><xs:restriction base="xs:decimal"><xs:totalDigits value="23"/>'
        '<xs:fractionDigits value="4"/></xs:restriction></xs:simpleType>'
        '<xs:simpleType name="Quantity"><xs:restriction base="xs:decimal"><xs:totalDigits value="13"/>'
        '<xs:fractionDigits value="3"/></xs:restriction></xs:simpleType>'
        f'<xs:simpleType name="Code"><xs:restriction base="xs:string">{codes}</xs:restriction></xs:simpleType>'
        f'<xs:complexType name="Bapiret2"><xs:sequence>{_fields("Message", 10)}</xs:sequence></xs:complexType>'
        + "".join(_operation_types(n, fields) for n in range(operations))
        + "</xs:schema>"
    )
    messages = "".join(
        f'<wsdl:message name="Op{n:03d}"><wsdl:part name="parameters" element="tns:Op{n:03d}"/></wsdl:message>'
        f'<wsdl:message name="Op{n:03d}Response"><wsdl:part name="parameters" element="tns:Op{n:03d}Response"/></wsdl:message>'
        for n in range(operations)
    )
    port_ops = "".join(
        f'<wsdl:operation name="Op{n:03d}"><wsdl:input message="tns:Op{n:03d}"/>'
        f'<wsdl:output message="tns:Op{n:03d}Response"/></wsdl:operation>'
        for n in range(operations)
    )

    def binding(name: str, soap: str) -> str:
        ops = "".join(
            f'<wsdl:operation name="Op{n:03d}"><{soap}:operation soapAction="{NS}:Op{n:03d}" style="document"/>'
            f'<wsdl:input><{soap}:body use="literal"/></wsdl:input><wsdl:output><{soap}:body use="literal"/></wsdl:output>'
            "</wsdl:operation>"
            for n in range(operations)
        )
        return (f'<wsdl:binding name="{name}" type="tns:Service"><{soap}:binding transport='
                f'"http://schemas.xmlsoap.org/soap/http" style="document"/>{ops}</wsdl:binding>')

    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" '
        f'xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/" xmlns:tns="{NS}" targetNamespace="{NS}">'
        f"<wsdl:types>{types}</wsdl:types>{messages}<wsdl:portType name=\"Service\">{port_ops}</wsdl:portType>"
        f'{binding("Binding", "soap")}{binding("Binding_soap12", "soap12")}'
        '<wsdl:service name="service"><wsdl:port name="Binding" binding="tns:Binding">'
        '<soap:address location="http://sap.example.org:8000/sap/bc/srt/rfc/sap/z_service/100/binding"/></wsdl:port>'
        '<wsdl:port name="Binding_soap12" binding="tns:Binding_soap12">'
        '<soap12:address location="http://sap.example.org:8000/sap/bc/srt/rfc/sap/z_service/100/binding"/></wsdl:port>'
        "</wsdl:service></wsdl:definitions>"
    ).encode()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--operations", type=int, default=180)
    args = parser.parse_args()
    args.out.write_bytes(big_wsdl(args.operations))
