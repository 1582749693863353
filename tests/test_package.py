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
from scoregate.adapters.registry import CHANNELS as BUILT_IN_CHANNELS

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


def _imports(path: Path, *, top_level_only: bool = False) -> set[str]:
    """Absolute module names a file imports; ``top_level_only``: those run at import time (the
    module's own statements and ``if TYPE_CHECKING:`` blocks), not the lazy ones inside functions."""
    names: set[str] = set()
    tree = ast.parse(path.read_text(), str(path))
    nodes = ast.walk(tree) if not top_level_only else _top_level(tree.body)
    for node in nodes:
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            # ``from scoregate.adapters import soap`` imports a module too
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def _top_level(body: list[ast.stmt]) -> list[ast.stmt]:
    out: list[ast.stmt] = []
    for node in body:
        out.append(node)
        if isinstance(node, ast.If | ast.Try):
            out += _top_level(node.body) + _top_level(node.orelse)
    return out


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(("scoregate", *(parts[:-1] if parts[-1] == "__init__" else parts)))


def _sources(*folders: str) -> list[Path]:
    return [path for folder in folders for path in sorted((ROOT / folder).rglob("*.py"))]


# Dependencies point inward: core knows no adapter or app; adapters know no app.
FORBIDDEN = {
    "core": ("scoregate.adapters", "scoregate.app", "zeep", "pika"),
    "adapters": ("scoregate.app",),
}
CHANNELS = tuple(f"scoregate.adapters.{name}" for name in BUILT_IN_CHANNELS)
"""The channel packages (each registered in adapters/registry.py)."""
PUBLIC_CORE = {
    f"scoregate.core.{name}"
    for name in ("contract", "client", "errors", "hooks", "settings", "encoder", "logcontext", "probe", "ports", "train", "auth",
                 "performance")
}
"""What adapters may import of the core: the canonical contract and errors, the scoring client with
its hooks, settings and readiness probe, the public encoder, the request-id context (logcontext)
that carries a caller's id into the client's gRPC metadata, the port-in-use check every listener
shares, the demo data generator (train) the demo file job draws from, and who a caller is (auth:
the SOAP channel matches client certificate subjects as the core does), and the statistics of model
performance on outcomes (performance: the same AUC as the holdout metrics). The rest (validation,
convert, scoring, registry, the generated code...) is the core's own."""
CODEC_MODULES = ("adapters/codecs", "adapters/mapping.py", "adapters/columnar.py", "adapters/xmlsafe.py")
"""Formats and mappings: bytes and columns in, canonical objects out, and back."""
TRANSPORTS = (
    "pika", "uvicorn", "httptools", "http", "socket", "asyncio", "grpc", "urllib", "requests", "sqlite3",
    "scoregate.adapters.registry", "scoregate.adapters.decisions", *CHANNELS,
)
"""What a codec never imports: network and server libraries, storage, the channels (the file
channel's I/O modules included) and what wires them."""


def _banned(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_dependencies_point_inward() -> None:
    problems = []
    for folder, banned in FORBIDDEN.items():
        for path in (ROOT / folder).rglob("*.py"):
            for name in _imports(path):
                if name.startswith(banned):
                    problems.append(f"{path.relative_to(ROOT)} imports {name}")
    assert problems == []


def test_no_channel_imports_another_and_shared_code_imports_none() -> None:
    assert CHANNELS, "no built-in channel registered"
    problems = []
    for path in _sources("adapters"):
        own = _module(path)
        mine = tuple(c for c in CHANNELS if own == c or own.startswith(c + "."))
        for name in _imports(path):
            if _banned(name, tuple(c for c in CHANNELS if c not in mine)):
                problems.append(f"{path.relative_to(ROOT)} imports {name}")
            if mine and _banned(name, ("scoregate.adapters.decisions",)):
                problems.append(f"{path.relative_to(ROOT)} imports {name} (the gateway plugs decisions into the client)")
    assert problems == []


def test_codecs_import_no_transport() -> None:
    problems = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _sources(*CODEC_MODULES) for name in _imports(path) if _banned(name, TRANSPORTS)
    ]
    assert problems == []


def test_adapters_use_only_the_public_core() -> None:
    problems = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _sources("adapters") for name in _imports(path)
        if name.startswith("scoregate.core.") and not any(name == m or name.startswith(m + ".") for m in PUBLIC_CORE)
    ]
    assert problems == []


def test_no_import_cycles() -> None:
    """Not even through ``if TYPE_CHECKING:`` imports: a cycle means two modules are one concern."""
    paths = _sources("core", "adapters", "app")
    modules = {_module(path): path for path in paths}
    graph = {
        name: {m for m in _imports(path, top_level_only=True) if m in modules and m != name}
        for name, path in modules.items()
    }
    cycles, done = [], set()

    def visit(name: str, stack: list[str]) -> None:
        if name in stack:
            cycles.append(" -> ".join(stack[stack.index(name):] + [name]))
            return
        if name in done:
            return
        for nxt in sorted(graph[name]):
            visit(nxt, [*stack, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])
    # A package importing its own submodules (re-exports in __init__) is not a cycle of concerns.
    cycles = [c for c in cycles if not any(a.startswith(b + ".") or b.startswith(a + ".")
                                           for a, b in zip(c.split(" -> "), c.split(" -> ")[1:]))]
    assert cycles == []


def test_no_bare_top_level_imports() -> None:
    problems = []
    for folder in ("core", "adapters", "app", "tests", "bench", "scripts"):
        for path in (ROOT / folder).rglob("*.py"):
            for name in _imports(path):
                if name.split(".")[0] in {"core", "adapters", "app"}:
                    problems.append(f"{path.relative_to(ROOT)} imports {name}")
    assert problems == []


MODEL_LIBRARIES = ("xgboost",)
RUNTIME_MODULES = {"core/runtime/xgboost_runtime.py", "core/runtime/xgboost_direct.py"}
"""The only modules that may import a model library: the runtimes behind ``core/runtime`` (and
``core/train.py``, which makes the demo model). The registry, batching, validation, the scorer and
every adapter reach a model through the runtime seam."""


def test_only_the_runtimes_import_a_model_library() -> None:
    allowed = RUNTIME_MODULES | {"core/train.py"}
    problems = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _sources("core", "adapters", "app") for name in _imports(path)
        if _banned(name, MODEL_LIBRARIES) and str(path.relative_to(ROOT)) not in allowed
    ]
    assert problems == []


def test_every_registered_runtime_is_one_module() -> None:
    from scoregate.core.runtime import RUNTIMES

    for name, target in RUNTIMES.items():
        module, _, attribute = target.partition(":")
        path = ROOT / Path(*module.split(".")[1:]).with_suffix(".py")
        assert path.is_file() and attribute, f"runtime {name}: {target}"


def _reads_category_codes(node: ast.AST) -> bool:
    """``enumerate(x.codes)`` or ``x.codes.index(...)``: the category code -> matrix cell rule."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Name) and func.id == "enumerate":
        return any(isinstance(a, ast.Attribute) and a.attr == "codes" for a in node.args)
    return isinstance(func, ast.Attribute) and func.attr == "index" and isinstance(func.value, ast.Attribute) and func.value.attr == "codes"


def test_the_category_rule_is_written_once_in_the_core_encoder() -> None:
    problems = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in _sources("core", "adapters", "app") if path.relative_to(ROOT) != Path("core/encoder.py")
        for node in ast.walk(ast.parse(path.read_text(), str(path))) if _reads_category_codes(node)
    ]
    assert problems == []
