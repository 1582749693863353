"""How scoregate is installed and how its layers may depend on each other."""

from __future__ import annotations

import ast
import importlib.metadata
import sysconfig
from importlib.machinery import PathFinder
from pathlib import Path

import scoregate.adapters
import scoregate.app
import scoregate.core

ROOT = Path(__file__).resolve().parents[1]


def test_installs_under_one_package_name() -> None:
    site = Path(sysconfig.get_paths()["purelib"])
    # Nothing answers to a bare name from site-packages (a normal or an editable install).
    for bare in ("core", "adapters", "app"):
        assert PathFinder.find_spec(bare, [str(site)]) is None, f"bare package {bare!r} in {site}"
    installed = [d for d in importlib.metadata.distributions(name="scoregate") if site in Path(str(d._path)).parents]
    assert installed, f"scoregate is not installed in {site}"
    record = installed[0].read_text("RECORD") or ""
    tops = {line.split(",")[0].split("/")[0] for line in record.splitlines() if line}
    assert not tops & {"core", "adapters", "app"}, tops
    for package, folder in ((scoregate.core, "core"), (scoregate.adapters, "adapters"), (scoregate.app, "app")):
        path = Path(package.__file__).resolve().parent
        assert path.name == folder, path


def test_console_script_is_declared() -> None:
    scripts = [e for e in importlib.metadata.entry_points(group="console_scripts") if e.name == "scoregate"]
    assert [e.value for e in scripts] == ["scoregate.app.cli:main"]


def test_demo_model_ships_with_the_package() -> None:
    from scoregate.app.paths import DEMO_MODEL, DEMO_MODELS_DIR

    version = DEMO_MODELS_DIR / DEMO_MODEL / "1"
    assert (version / "model.ubj").stat().st_size > 0
    assert (version / "metadata.json").stat().st_size > 0


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


# Dependencies point inward: core knows no adapter or app; adapters know no app.
FORBIDDEN = {
    "core": ("scoregate.adapters", "scoregate.app", "zeep", "pika"),
    "adapters": ("scoregate.app",),
}


def test_dependencies_point_inward() -> None:
    problems = []
    for folder, banned in FORBIDDEN.items():
        for path in (ROOT / folder).rglob("*.py"):
            for name in _imports(path):
                if name.startswith(banned):
                    problems.append(f"{path.relative_to(ROOT)} imports {name}")
    assert problems == []


def test_no_bare_top_level_imports() -> None:
    problems = []
    for folder in ("core", "adapters", "app", "tests", "bench", "scripts"):
        for path in (ROOT / folder).rglob("*.py"):
            for name in _imports(path):
                if name.split(".")[0] in {"core", "adapters", "app"}:
                    problems.append(f"{path.relative_to(ROOT)} imports {name}")
    assert problems == []
