"""The fixed-width layout engine: copybooks and plain layouts, EBCDIC, zoned/packed/binary numbers.

Shared by the file channel and AMQP fixed-width messages (one codec, two transports). Pure: bytes
in, numpy columns out, and back; no file or socket I/O anywhere in this package.

**Features**

- COBOL copybooks (:func:`parse_copybook`): groups, PIC X/9/S/V, COMP-3, COMP/COMP-4/BINARY,
  COMP-5, zoned with overpunched or separate leading/trailing sign, FILLER, OCCURS n (flattened to
  ``NAME(1)``, ``NAME(2)``), OCCURS ... DEPENDING ON (records decoded by shape, absent
  occurrences in ``Part.absent``), SYNCHRONIZED, REDEFINES (header/detail/trailer record types), sequence numbers,
  comments and continuation lines. A declarative layout (:func:`layout_from_spec`) for files
  without one. :meth:`Layout.describe` lists offsets and lengths.
- Code pages latin-1/ascii and EBCDIC 037, 273, 277, 278, 280, 284, 285, 297, 500, 871, 1047,
  1140-1149.
- RECFM F/FB with or without line ends, V/VB with RDWs (and BDWs), VS/VBS spanned segments, LS
  text lines (a text-mode transfer), streamed chunk by chunk; :func:`framing_hint` names the
  framing or code page a file that does not read as configured looks like.
- Vectorised numpy decode and encode of whole chunks: no Python loop per record.

**Usage**: :class:`RecordCodec` (see ``records.py``).

**Errors**: a layout that cannot be used raises :class:`LayoutError` (with the copybook line).
Bad data never raises while decoding a batch: each bad field of each record is reported in
``DecodedBatch.errors`` with a :class:`Reason` code (BAD_ZONED_DIGIT, BAD_ZONED_SIGN,
BAD_PACKED_DIGIT, BAD_PACKED_SIGN, BINARY_OVERFLOW, SHORT_RECORD, LONG_RECORD, BAD_RDW,
UNKNOWN_RECORD_TYPE, BAD_ODO_COUNT), the other records decode normally. ``decode_one`` raises
:class:`RecordError` (values plus every bad field). Values that do not fit a field on encode
raise :class:`EncodeError`.
"""

from .batch import DecodedBatch, Explained, FieldError, Part, RecordError, Reject, Rejects
from .copybook import parse_copybook
from .declarative import FieldSpec, LayoutSpec, RecordSpec, SelectorSpec, layout_from_spec
from .encoding import CODE_PAGES, CodePage, codepage
from .errors import EncodeError, LayoutError, Reason
from .fields import FieldCodec, Text
from .kinds import codec_for
from .numbers import BinaryInteger, PackedDecimal, ZonedDecimal
from .framing import Framed, RecordFormat
from .layout import DependingOn, Field, Kind, Layout, RecordType, Selector, Shapes
from .records import RecordCodec
from .sniff import framing_hint

__all__ = [
    "CODE_PAGES", "BinaryInteger", "CodePage", "DecodedBatch", "DependingOn", "EncodeError", "Explained", "Field",
    "FieldCodec", "FieldError", "FieldSpec", "Framed", "Kind", "Layout", "LayoutError", "LayoutSpec",
    "PackedDecimal", "Part", "Reason", "RecordCodec", "RecordError", "RecordFormat", "RecordSpec",
    "RecordType", "Reject", "Rejects", "Selector", "SelectorSpec", "Shapes", "Text", "ZonedDecimal", "codec_for",
    "codepage", "framing_hint", "layout_from_spec", "parse_copybook",
]
