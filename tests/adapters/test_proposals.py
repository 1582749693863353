"""The pure parts of `scoregate scaffold`: code maps from what codes mean, feature guesses by name
and kind, TOML text that reads back as written, placeholders found by key and line."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from scoregate.adapters.codecs.fixedwidth.conditions import Condition, conditions
from scoregate.adapters.placeholders import find_placeholders, todo, unresolved
from scoregate.adapters.proposals import Leaf, code_map, propose_features
from scoregate.adapters.tomltext import table_array, value
from scoregate.app.config_check import directory_lookup
from scoregate.app.paths import DEMO_MODELS_DIR

HOUSING = ["RENT", "OWN", "MORTGAGE", "OTHER"]


@pytest.mark.parametrize(("codes", "owner", "expected"), [
    # An XSD enumeration with its documentation: meanings decide, a meaning nothing fits is a TODO.
    ((("O", "owner outright"), ("M", "owner with mortgage"), ("R", "renting"), ("L", "living with parents")), "",
     {"O": "OWN", "M": "MORTGAGE", "R": "RENT", "L": todo("one of RENT, OWN, MORTGAGE, OTHER for L (living with parents)")}),
    # 88-level names, less the words of the field they belong to.
    ((("R", "HOME-RENT"), ("X", "HOME-OTHER")), "HOME-OWNERSHIP", {"R": "RENT", "X": "OTHER"}),
    # No meaning: the code itself when it is a word, else a unique first letter.
    ((("OWN", ""), ("R", ""), ("Q", "")), "", {"OWN": "OWN", "R": "RENT", "Q": todo("one of RENT, OWN, MORTGAGE, OTHER for Q")}),
])
def test_legacy_codes_are_mapped_by_what_they_mean(codes, owner, expected) -> None:  # noqa: ANN001
    assert code_map(codes, HOUSING, owner) == expected


def test_level_88_conditions_are_read_with_their_values() -> None:
    text = ("       01  R.\n           05  KIND  PIC X.\n               88  IS-A  VALUE 'A'.\n"
            "               88  IS-BC VALUES 'B' 'C'.\n           05  FILLER PIC X(3).\n")
    assert conditions(text) == {"KIND": (Condition("IS-A", ("A",)), Condition("IS-BC", ("B", "C")))}


def test_features_take_the_best_leaf_of_a_fitting_kind_once() -> None:
    model = directory_lookup(DEMO_MODELS_DIR)("credit-risk")
    leaves = [Leaf("App/DateOfBirth", "xs:date", "date"), Leaf("App/MonthlyIncome", "xs:decimal", "number"),
              Leaf("App/Housing", "xs:string", "text", (("R", "rent"),)), Leaf("App/Income", "xs:string", "text")]
    found = {p.feature.name: p for p in propose_features(model, leaves)}
    assert found["age"].entry == {"feature": "age", "source": "App/DateOfBirth", "type": "date", "age": "years"}
    assert found["annual_income"].entry == {"feature": "annual_income", "source": "App/MonthlyIncome", "type": "number", "scale": 12.0}
    assert found["home_ownership"].entry["codes"] == {"R": "RENT"}
    assert found["loan_amount"].leaf is None and found["loan_amount"].todo  # required, nothing fits
    assert "employment_years" not in found  # may be missing: left out, not a TODO


def test_toml_text_reads_back_as_written_and_its_placeholders_are_found_by_line(tmp_path: Path) -> None:
    rows = [({"feature": "a b", "codes": {"01": 1.5, todo("the code for X"): "X"}}, "a guess"),
            ({"feature": "c", "default": todo("a number"), "flag": True, "range": [0, 999]}, "")]
    file = tmp_path / "draft.toml"
    file.write_text("# a draft\n[request]\n" + "\n".join(table_array("features", rows)) + "\n")
    assert tomllib.loads(file.read_text())["request"]["features"] == [row for row, _ in rows]
    found = find_placeholders(file)
    assert [(p.key, p.line, p.in_key) for p in found] == [("request.features[0].codes", 4, True), ("request.features[1].default", 5, False)]
    problems = ["request.features[1].default: 'TODO: a number' is not a number", "request.model: unknown model"]
    assert unresolved(problems, found, file) == [
        f"{file}:4: request.features[0].codes: TODO: the code for X (a key to replace)",
        f"{file}:5: request.features[1].default: TODO: a number", "request.model: unknown model"]
    assert value('a "quoted" \\ text') == '"a \\"quoted\\" \\\\ text"'
