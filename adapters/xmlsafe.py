"""Untrusted XML parsed safely: size limit first, then zeep's hardened parser.

zeep's ``parse_xml`` (lxml underneath) is the maintained piece: entities are never resolved,
``forbid_dtd`` rejects any DOCTYPE (so no entity expansion, no billion laughs), and
``forbid_external`` refuses to fetch anything. Every failure becomes ``InvalidInput`` with a
``MALFORMED`` violation, which each channel answers in its own protocol.
"""

from __future__ import annotations

from lxml import etree
from zeep import exceptions as zeep_errors
from zeep.loader import parse_xml
from zeep.settings import Settings

from scoregate.adapters.codecs.base import malformed

DEFAULT_MAX_BYTES = 1024 * 1024

_SETTINGS = Settings(strict=True, forbid_dtd=True, forbid_entities=True, forbid_external=True, xml_huge_tree=False)


class _NoTransport:
    """parse_xml wants a transport for imports; untrusted documents get none."""

    def load(self, url: str) -> bytes:
        raise zeep_errors.ExternalReferenceForbidden(f"external reference refused: {url}")


def parse_untrusted(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> etree._Element:
    """Parse an XML document from a caller; raises InvalidInput (MALFORMED) when it is unfit."""
    if len(data) > max_bytes:
        raise malformed(f"document of {len(data)} bytes exceeds the limit of {max_bytes}")
    try:
        return parse_xml(data, _NoTransport(), settings=_SETTINGS)
    except zeep_errors.DTDForbidden:
        raise malformed("DOCTYPE declarations are not accepted") from None
    except zeep_errors.EntitiesForbidden:
        raise malformed("entity declarations are not accepted") from None
    except zeep_errors.ExternalReferenceForbidden:
        raise malformed("external references are not accepted") from None
    except (zeep_errors.XMLSyntaxError, etree.XMLSyntaxError, ValueError) as exc:
        raise malformed(f"not well-formed XML: {getattr(exc, 'message', None) or exc}") from None
