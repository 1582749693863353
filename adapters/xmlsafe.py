"""Untrusted XML parsed safely: size limit first, then a hardened lxml parser.

The parser never resolves entities (``resolve_entities=False``), never loads a DTD
(``load_dtd=False``) nor anything from the network (``no_network=True``), keeps libxml2's limits
on tree size and depth (``huge_tree=False``) and refuses anything that would fetch a document (its
only resolver refuses). Any DOCTYPE is refused after parsing, so no entity declaration (no billion
laughs, no external entity) gets through; these are the checks zeep's ``parse_xml`` makes (with
``forbid_dtd``, ``forbid_entities`` and ``forbid_external``), made here on one parser per thread:
``parse_xml`` built a new parser and resolver for every document, a third of the parse's time
(research: docs/BENCHMARKS.md, the SOAP channel's round 2). Every failure becomes
``InvalidInput`` with a ``MALFORMED`` violation, which each channel answers in its own protocol.
"""

from __future__ import annotations

import threading

from lxml import etree

from scoregate.adapters.codecs.base import malformed

DEFAULT_MAX_BYTES = 1024 * 1024


class _ExternalReference(Exception):
    pass


class _RefuseAll(etree.Resolver):
    """Untrusted documents fetch nothing: asked for any URL, refuse."""

    def resolve(self, url, pubid, context):  # noqa: ANN001, ANN201 (lxml's signature)
        raise _ExternalReference(url)


class _Parsers(threading.local):
    """lxml parsers must not be shared between threads: one per thread, made on first use."""

    def __init__(self) -> None:
        self.parser = etree.XMLParser(
            resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False, recover=False, remove_comments=True,
        )
        self.parser.resolvers.add(_RefuseAll())


_PARSERS = _Parsers()


def parse_untrusted(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> etree._Element:
    """Parse an XML document from a caller; raises InvalidInput (MALFORMED) when it is unfit."""
    if len(data) > max_bytes:
        raise malformed(f"document of {len(data)} bytes exceeds the limit of {max_bytes}")
    try:
        root = etree.fromstring(data, _PARSERS.parser)
    except _ExternalReference:
        raise malformed("external references are not accepted") from None
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise malformed(f"not well-formed XML: {getattr(exc, 'msg', None) or exc}") from None
    info = root.getroottree().docinfo
    if info.doctype:
        raise malformed("DOCTYPE declarations are not accepted")
    if info.internalDTD is not None and any(True for _ in info.internalDTD.iterentities()):
        raise malformed("entity declarations are not accepted")  # an empty DOCTYPE name cannot hide them
    return root
