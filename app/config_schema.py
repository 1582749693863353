"""JSON Schemas of the configuration files, from their pydantic models, for editors and for docs.

``scoregate config schema`` writes one schema per file kind into ``docs/schema/`` (the gateway file
and each channel's file); ``docs/configuration/keys.md`` lists every key from the same schemas. A
test regenerates both and fails when the committed copies are stale.

Field descriptions come from the attribute docstrings every config model carries. The models do
not set pydantic's ``use_attribute_docstrings`` (it would change every channel's base class), so
they are read here, once, from each class's source.
"""

from __future__ import annotations

import ast
import inspect
import json
import textwrap
from pathlib import Path
from typing import Any

from pydantic import BaseModel

#: schema file stem -> "module:Class" of the model that reads that kind of file
CONFIG_MODELS = {
    "gateway": "scoregate.app.config:GatewayConfig",
    "soap": "scoregate.adapters.soap.config:SoapChannelConfig",
    "amqp": "scoregate.adapters.amqp.config:AmqpChannelConfig",
    "files": "scoregate.adapters.files.config:FileJobConfig",
    "outcome_files": "scoregate.adapters.outcome_files.config:OutcomeJobConfig",
    "outcome_queue": "scoregate.adapters.outcome_queue.config:OutcomeQueueConfig",
}


def _model(spec: str) -> type[BaseModel]:
    import importlib

    module, name = spec.split(":")
    return getattr(importlib.import_module(module), name)


def _attribute_docstrings(cls: type) -> dict[str, str]:
    """``name: type = default`` followed by a string literal: that string, for each field."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    except (OSError, TypeError, SyntaxError):
        return {}
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
    out = {}
    for node, following in zip(body, body[1:]):
        if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                and isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)):
            out[node.target.id] = inspect.cleandoc(following.value.value)
    return out


def _models_in(model: type[BaseModel]) -> dict[str, type[BaseModel]]:
    """Every pydantic model reachable from ``model``'s fields, by class name (the schema's $defs keys)."""
    import typing

    found: dict[str, type[BaseModel]] = {}

    def visit(tp: Any) -> None:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if tp.__name__ in found:
                return
            found[tp.__name__] = tp
            for field in tp.model_fields.values():
                visit(field.annotation)
        for arg in typing.get_args(tp):
            visit(arg)

    visit(model)
    return found


def _describe(schema: dict[str, Any], model: type[BaseModel]) -> None:
    for mro_class in reversed(model.__mro__):
        docs = _attribute_docstrings(mro_class) if mro_class.__module__.startswith("scoregate") else {}
        for name, text in docs.items():
            prop = schema.get("properties", {}).get(name)
            if prop is not None:
                prop.setdefault("description", text)
    if model.__doc__ and "description" not in schema:
        schema["description"] = inspect.cleandoc(model.__doc__)


def config_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of one kind of configuration file, every field described."""
    model = _model(CONFIG_MODELS[kind])
    schema = model.model_json_schema(mode="validation")
    classes = _models_in(model)
    _describe(schema, model)
    for name, definition in schema.get("$defs", {}).items():
        if name in classes:
            _describe(definition, classes[name])
    if kind == "gateway":  # [client] is a plain table in the model, checked as ClientSettings later
        from scoregate.core.settings import ClientSettings

        client = ClientSettings.model_json_schema()
        _describe(client, ClientSettings)
        client.pop("title", None)
        schema["properties"]["client"] = {**client, "additionalProperties": False}
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"scoregate {kind} configuration file"
    return schema


def write_schemas(out_dir: Path) -> list[Path]:
    """One ``<kind>.schema.json`` per configuration file kind; returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in CONFIG_MODELS:
        path = out_dir / f"{kind}.schema.json"
        path.write_text(json.dumps(config_schema(kind), indent=2, sort_keys=True) + "\n", encoding="utf-8")
        written.append(path)
    return written


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref") or next((a["$ref"] for a in node.get("anyOf", []) if "$ref" in a), None)
    return schema["$defs"][ref.rsplit("/", 1)[-1]] if ref else node


def _type(node: dict[str, Any]) -> str:
    if "enum" in node:
        return " | ".join(json.dumps(v) for v in node["enum"])
    if "const" in node:
        return json.dumps(node["const"])
    if "$ref" in node:
        return "table"
    if "anyOf" in node:
        return " or ".join(_type(a) for a in node["anyOf"])
    kind = node.get("type", "any")
    if kind == "array":
        return f"list of {_type(node.get('items', {}))}"
    if kind == "object" and isinstance(node.get("additionalProperties"), dict):
        return f"table of {_type(node['additionalProperties'])}"
    return {"object": "table", "null": "none"}.get(kind, kind)


def _rows(schema: dict[str, Any], node: dict[str, Any], prefix: str, out: list[tuple[str, str, str, str]]) -> None:
    for name, prop in node.get("properties", {}).items():
        key = f"{prefix}{name}"
        default = json.dumps(prop["default"]) if "default" in prop else "required" if name in node.get("required", ()) else ""
        description = " ".join(prop.get("description", "").split())
        out.append((key, _type(prop).replace("|", "\\|"), default.replace("|", "\\|"), description.replace("|", "\\|")))
        inner = _resolve(schema, prop)
        items = prop.get("items") or next((a.get("items") for a in prop.get("anyOf", []) if "items" in a), None)
        if inner is not prop and "properties" in inner:
            _rows(schema, inner, f"{key}.", out)
        elif items is not None and "properties" in _resolve(schema, items):
            _rows(schema, _resolve(schema, items), f"{key}[].", out)
        elif isinstance(prop.get("additionalProperties"), dict) and "properties" in _resolve(schema, prop["additionalProperties"]):
            _rows(schema, _resolve(schema, prop["additionalProperties"]), f"{key}.<name>.", out)
        elif "properties" in prop:
            _rows(schema, prop, f"{key}.", out)


def keys_markdown(kind: str) -> str:
    """Every key of one kind of file as a Markdown table (generated: edit the models, not this)."""
    schema = config_schema(kind)
    rows: list[tuple[str, str, str, str]] = []
    _rows(schema, schema, "", rows)
    lines = [f"# Keys of the {kind} configuration file", "",
             "Generated by `scoregate config schema` from the pydantic models; do not edit by hand.", "",
             "| key | type | default | what it is |", "| --- | --- | --- | --- |"]
    lines += [f"| `{k}` | {t} | {d and f'`{d}`'} | {w} |" for k, t, d, w in rows]
    return "\n".join(lines) + "\n"


def write_key_docs(out_dir: Path) -> list[Path]:
    """``<kind>-keys.md`` for every configuration file kind."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in CONFIG_MODELS:
        path = out_dir / f"{kind}-keys.md"
        path.write_text(keys_markdown(kind), encoding="utf-8")
        written.append(path)
    return written
