"""A request mapping against the model it names: found before anything serves, one line per problem.

Every channel's preflight calls :func:`check_request` for each of its request mappings, with a
lookup of model descriptions (a models directory, or a running core). It reports: a model that does
not exist; a mapped name that is not a feature of the model; a required feature (one that may not
be missing) with no source, expression or default; a kind that cannot fit (text into a number
without codes, a number into a category); code-map values and defaults that are not codes of the
model. Without it each of these surfaced per request, as a reject or a fault.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from scoregate.adapters.expressions import fraction_source
from scoregate.adapters.mapping import FeatureMap, RequestMapping, occurrences
from scoregate.adapters.registry import ModelLookup
from scoregate.core.contract import FeatureKind, FeatureSpec, ModelDescription



def missing_fields(key: str, names: Iterable[str], record: set[str], record_name: str) -> list[str]:
    """One line per name (a table's ``NAME(*)`` needs ``NAME(1)``...) that is not a field of the record."""
    out = []
    for name in names:
        found = occurrences(name, record) if "*" in name else name in record
        if not found:
            close = difflib.get_close_matches(name, sorted(record), n=1)
            out.append(f"{key}: {name} is not a field of {record_name}" + (f"; did you mean {close[0]}?" if close else ""))
    return out


def hint(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _kind_problems(spec: FeatureMap, feature: FeatureSpec, key: str) -> list[str]:
    problems = []
    category = feature.kind is FeatureKind.CATEGORY
    if spec.codes is not None:
        for legacy, value in spec.codes.items():
            if category and str(value) not in feature.codes:
                problems.append(f"{key}.codes.{legacy}: {value!r} is not a code of {feature.name} "
                                f"({', '.join(feature.codes)}){hint(str(value), list(feature.codes))}")
            elif not category and (isinstance(value, bool) or not isinstance(value, int | float)):
                problems.append(f"{key}.codes.{legacy}: {feature.name} is a {feature.kind.value}: map codes to numbers, not {value!r}")
    elif category and (spec.source is not None or spec.expression is not None) and spec.type != "text":
        problems.append(f"{key}: {feature.name} is a category ({', '.join(feature.codes)}): read it with type = \"text\" "
                        f"(and codes), not as a {spec.type if spec.expression is None else 'expression'}")
    elif not category and spec.type == "text":
        problems.append(f"{key}: {feature.name} is a {feature.kind.value}: a text value needs codes mapping it to numbers")
    if spec.expr is not None and (feature.kind is FeatureKind.INTEGER or spec.type == "integer"):
        if (why := fraction_source(spec.expr)) is not None:
            problems.append(f"{key}.expr: {feature.name} is a whole number, and {why} can make it a fraction: "
                            "wrap the expression in round(...)")
    if spec.default is not None:
        if category and str(spec.default) not in feature.codes:
            problems.append(f"{key}.default: {spec.default!r} is not a code of {feature.name} ({', '.join(feature.codes)})")
        elif not category and (isinstance(spec.default, bool) or not isinstance(spec.default, int | float)):
            problems.append(f"{key}.default: {feature.name} is a {feature.kind.value}, not {spec.default!r}")
    return problems


def check_request(mapping: RequestMapping, lookup: ModelLookup, key: str) -> list[str]:
    """Problems of one request mapping (``key``: its key path in the channel's file), one line each."""
    try:
        description = lookup(mapping.model, mapping.version)
    except Exception as exc:  # noqa: BLE001 - the lookup's message is the problem to report
        return [f"{key}.model: {exc}"]
    if description is None:
        return []
    schema = description.feature_schema
    problems = []
    mapped: set[str] = set()
    for i, spec in enumerate(mapping.features):
        where = f"{key}.features[{i}]"
        if spec.feature not in schema:
            problems.append(f"{where}.feature: {spec.feature!r} is not a feature of {description.name}"
                            f"{hint(spec.feature, list(schema.names))}")
            continue
        if spec.feature in mapped:
            problems.append(f"{where}.feature: {spec.feature} is mapped twice")
        mapped.add(spec.feature)
        problems += _kind_problems(spec, schema.features[schema.index(spec.feature)], where)
    for feature in schema.features:
        if not feature.nullable and feature.name not in mapped:
            problems.append(f"{key}.features: {description.name} requires {feature.name} ({feature.kind.value}): "
                            "map it with a source, an expr or a default")
    bands = [b.name for b in description.bands]
    for band in mapping.reason_bands:
        if band not in bands:
            problems.append(f"{key}.reason_bands: {band!r} is not a decision band of {description.name} "
                            f"({', '.join(bands)}){hint(band, bands)}")
    return problems


def request_mappings(config: object) -> list[tuple[str, RequestMapping]]:
    """Every request mapping of a channel's configuration with its key path: SOAP's per operation
    (``operations.NAME.request``), AMQP's per queue (``queues[i].request``), a file job's one."""
    found: list[tuple[str, RequestMapping]] = []
    for name, operation in (getattr(config, "operations", None) or {}).items():
        if isinstance(getattr(operation, "request", None), RequestMapping):
            found.append((f"operations.{name}.request", operation.request))
    for i, queue in enumerate(getattr(config, "queues", None) or ()):
        if isinstance(getattr(queue, "request", None), RequestMapping):
            found.append((f"queues[{i}].request", queue.request))
    if isinstance(getattr(config, "request", None), RequestMapping):
        found.append(("request", config.request))  # type: ignore[attr-defined]
    return found


def check_config(config: object, lookup: ModelLookup) -> list[str]:
    """Problems of every request mapping of a channel's configuration against its model."""
    return [problem for key, mapping in request_mappings(config) for problem in check_request(mapping, lookup, key)]
