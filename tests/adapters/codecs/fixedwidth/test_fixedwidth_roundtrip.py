"""Properties: encode then decode gives the input back, for every kind (edited pictures, HFP and
IEEE floats, national included), code page and record format; decoding arbitrary bytes never raises."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoregate.adapters.codecs.fixedwidth import RecordCodec, RecordError, layout_from_spec
from scoregate.adapters.codecs.fixedwidth.layout import binary_length

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ENCODINGS = ["latin-1", "cp037", "cp500", "cp1047", "cp273", "cp1141", "cp285", "cp1148"]
FRAMINGS = [("FB", {}), ("F", {"line_end": b"\n"}), ("V", {}), ("VB", {"block_descriptors": True, "block_size": 400}),
            ("VBS", {"block_descriptors": True, "block_size": 400})]


EDITED = ["ZZ,ZZ9.99", "$$$,$$9.99CR", "***,**9.99", "----9.99", "-ZZZ9", "ZZ9V99DB", "99/99/99"]
EDITED_DIGITS = {"ZZ,ZZ9.99": (6, 2, False), "$$$,$$9.99CR": (7, 2, True), "***,**9.99": (7, 2, False),
                 "----9.99": (6, 2, True), "-ZZZ9": (4, 0, True), "ZZ9V99DB": (5, 2, True), "99/99/99": (6, 0, False)}


@st.composite
def field_specs(draw, index: int) -> dict:
    kind = draw(st.sampled_from(["text", "zoned", "packed", "binary", "binary-native", "edited", "float",
                                 "national"]))
    name = f"F{index}"
    if kind == "text":
        return {"name": name, "type": "text", "length": draw(st.integers(1, 12))}
    if kind == "national":
        return {"name": name, "type": "national", "length": 2 * draw(st.integers(1, 6))}
    if kind == "float":
        return {"name": name, "type": "float", "length": draw(st.sampled_from([4, 8])),
                "float_format": draw(st.sampled_from(["hfp", "ieee"]))}
    if kind == "edited":
        picture = draw(st.sampled_from(EDITED))
        digits, scale, signed = EDITED_DIGITS[picture]
        return {"name": name, "type": "edited", "picture": picture, "digits": digits, "scale": scale,
                "signed": signed}
    digits = draw(st.integers(1, 18))
    spec = {"name": name, "type": kind.split("-")[0], "digits": digits, "signed": draw(st.booleans()),
            "scale": draw(st.integers(0, digits))}
    if kind == "zoned" and spec["signed"]:
        spec["sign"] = draw(st.sampled_from(["trailing", "leading"]))
        spec["sign_separate"] = draw(st.booleans())
    if kind == "binary-native":
        spec.pop("digits")
        spec["scale"] = 0
        spec["length"] = binary_length(digits)
    if spec["type"] != "text" and draw(st.booleans()):
        spec["occurs"] = draw(st.integers(2, 3))
    return spec


def _bounds(spec: dict) -> tuple[int, int]:
    if spec["type"] == "edited":
        top = 10 ** spec["digits"] - 1
        return (-top if spec["signed"] else 0), top
    if "digits" in spec:
        top = 10 ** spec["digits"] - 1
        return (-top if spec["signed"] else 0), top
    bits = spec["length"] * 8
    if spec["signed"]:
        return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    return 0, min(2**bits - 1, 2**63 - 1)


def _names(spec: dict) -> list[str]:
    occurs = spec.get("occurs", 1)
    return [f"{spec['name']}({i + 1})" for i in range(occurs)] if occurs > 1 else [spec["name"]]


@st.composite
def layouts_and_rows(draw):
    specs = [draw(field_specs(i)) for i in range(draw(st.integers(1, 5)))]
    if draw(st.booleans()):
        specs.insert(draw(st.integers(0, len(specs))), {"name": "FILLER", "type": "text", "length": 3})
    n = draw(st.integers(1, 12))
    columns: dict[str, np.ndarray] = {}
    for spec in specs:
        if spec["name"] == "FILLER":
            continue
        for name in _names(spec):
            if spec["type"] == "text":
                # Any Latin-1 character but NUL (numpy's 'U' padding), the currency sign the euro pages
                # replace and the macron Python's cp273 lacks; decode strips trailing spaces.
                text = st.text(st.characters(min_codepoint=1, max_codepoint=255, blacklist_characters="\xa4\xaf"),
                               max_size=spec["length"])
                columns[name] = np.array(draw(st.lists(text, min_size=n, max_size=n)), dtype=f"U{spec['length']}")
            elif spec["type"] == "national":  # any character of the BMP but surrogates and NUL
                chars = spec["length"] // 2
                text = st.text(st.characters(min_codepoint=1, max_codepoint=0xFFFF, blacklist_categories=["Cs"]),
                               max_size=chars)
                columns[name] = np.array(draw(st.lists(text, min_size=n, max_size=n)), dtype=f"U{chars}")
            elif spec["type"] == "float":  # values every format holds exactly: 24-bit fractions
                values = st.builds(lambda m, e: m * 2.0**e, st.integers(-(2**20), 2**20), st.integers(-40, 40))
                columns[name] = np.array(draw(st.lists(values, min_size=n, max_size=n)), dtype=np.float64)
            else:
                low, high = _bounds(spec)
                values = st.one_of(st.integers(low, high), st.sampled_from([low, high, 0]))
                columns[name] = np.array(draw(st.lists(values, min_size=n, max_size=n)), dtype=np.int64)
    return {"fields": specs}, columns


@SETTINGS
@given(layouts_and_rows(), st.sampled_from(ENCODINGS), st.sampled_from(FRAMINGS), st.integers(1, 64))
def test_encode_then_decode_gives_the_columns_back(case, encoding: str, framing, piece: int) -> None:
    spec, columns = case
    recfm, options = framing
    codec = RecordCodec(layout_from_spec(spec), encoding, recfm, **options)
    data = codec.encode(columns)
    batches = list(codec.iter_batches((data[i: i + piece] for i in range(0, len(data), piece)), batch_records=5))
    assert sum(len(b.errors) for b in batches) == 0
    for name, expected in columns.items():
        got = np.concatenate([b.columns[name] for b in batches])
        if expected.dtype.kind == "U":
            expected = np.strings.rstrip(expected, " ")
        assert got.tolist() == expected.tolist(), name
    assert codec.encode({k: np.concatenate([b.columns[k] for b in batches]) for k in columns}) == data


@SETTINGS
@given(layouts_and_rows(), st.sampled_from(ENCODINGS))
def test_single_messages_round_trip_as_python_values(case, encoding: str) -> None:
    spec, columns = case
    codec = RecordCodec(layout_from_spec(spec), encoding, "F")
    scales = {name: s.get("scale", 0) for s in spec["fields"] for name in _names(s)}
    values = {}
    for name, column in columns.items():
        v = column[0]
        values[name] = str(v).rstrip(" ") if column.dtype.kind == "U" else float(v) if column.dtype.kind == "f" \
            else (Decimal(int(v)).scaleb(-scales[name]) if scales[name] else int(v))
    message = codec.encode_one(values)
    assert codec.decode_one(message) == values
    assert codec.encode_one(codec.decode_one(message)) == message


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600), st.sampled_from(ENCODINGS), st.sampled_from(FRAMINGS))
def test_decoding_arbitrary_bytes_never_raises(data: bytes, encoding: str, framing) -> None:
    spec = {"record_types": [
        {"name": "H", "fields": [{"name": "T", "type": "text", "length": 1},
                                 {"name": "DATE", "type": "zoned", "digits": 8}]},
        {"name": "D", "fields": [{"name": "T", "type": "text", "length": 1},
                                 {"name": "AMT", "type": "packed", "digits": 9, "scale": 2, "signed": True},
                                 {"name": "N", "type": "binary", "digits": 4, "signed": True},
                                 {"name": "Z", "type": "zoned", "digits": 5, "signed": True, "scale": 1},
                                 {"name": "NAME", "type": "text", "length": 6}]}],
        "select": {"field": "T", "values": {"H": "H", "D": "D"}}}
    recfm, options = framing
    codec = RecordCodec(layout_from_spec(spec), encoding, recfm, **options)
    batch = codec.decode(codec.split(data, final=True))
    assert len(batch.explain()) == len(batch.errors)
    # Records that decoded cleanly encode to records that decode to the same values.
    detail = batch.parts["D"]
    good = ~batch.bad[detail.index]
    if good.any():
        columns = {k: v[good] for k, v in detail.columns.items()}
        again = codec.decode(codec.split(codec.encode(columns, "D"))).parts["D"].columns
        assert all(again[k].tolist() == columns[k].tolist() for k in columns)
    for record in data[:0] or [data[:20]]:
        try:
            codec.decode_one(record)
        except RecordError as exc:
            assert exc.errors
