"""What can be checked of the container and Kubernetes files without a Docker engine or a cluster.

The files are read as the tools would read them, and every name, path and port in them is checked
against the code: the CLI commands, the configuration models, the metric registries, the defaults.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
import urllib.parse
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from prometheus_client import CollectorRegistry
from prometheus_client.metrics import MetricWrapperBase

from scoregate.adapters.metrics import GatewayMetrics
from scoregate.adapters.outcomes.watch import OutcomeWatcher, WatchSettings
from scoregate.adapters.soap.config import DEFAULT_PORT as SOAP_PORT
from scoregate.app.cli import main
from scoregate.app.config import GatewayConfig, HealthSection
from scoregate.app.gateway import Gateway
from scoregate.app.paths import DEFAULTS_DIR
from scoregate.core.settings import DEFAULT_ADDRESS, CoreSettings

ROOT = Path(__file__).resolve().parents[1]
DOCKER = ROOT / "docker"
K8S = ROOT / "deploy" / "k8s"
HEALTH_PORT = HealthSection().port
CORE_PORT = int(DEFAULT_ADDRESS.rpartition(":")[2])
IMAGE_DEFAULTS = "/opt/scoregate/defaults"  # where the gateway image links the package's defaults
UID = 10001


# ---------------------------------------------------------------- YAML, with the traps of two readers
# Kubernetes reads YAML 1.1 and compose 1.2: a plain "yes", "0755" or "22:22" means different
# things to them, so such scalars must be quoted in these files.
_RISKY_PLAIN = re.compile(
    r":\s+(?:yes|no|on|off|y|n|true|false|True|False|0[0-7]+|\d+:\d+(?::\d+)?)\s*(?:#.*)?$", re.I | re.M
)


def load_yaml(path: Path) -> list[object]:
    text = path.read_text()
    risky = [m.group(0).strip() for m in _RISKY_PLAIN.finditer(text) if "true" not in m.group(0).lower()
             and "false" not in m.group(0).lower()]
    assert not risky, f"{path}: plain scalars read differently by YAML 1.1 and 1.2, quote them: {risky}"
    return [doc for doc in yaml.safe_load_all(text) if doc is not None]


@pytest.fixture(autouse=True)
def _secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the Deployment's Secret provides; the files themselves hold no secret."""
    monkeypatch.setenv("SCOREGATE_AMQP_PASSWORD", "from-the-secret")
    monkeypatch.setenv("SCOREGATE_REDIS_URL", "redis://:from-the-secret@127.0.0.1:9/0")  # refused at once


def test_the_gateway_config_map_holds_no_secret_and_the_deployment_brings_it() -> None:
    ((config_map,),) = [[o for o in load_yaml(K8S / "gateway-config.yaml") if o["kind"] == "ConfigMap"]]
    text = config_map["data"]["gateway.toml"]
    assert "amqp://scoregate:${SCOREGATE_AMQP_PASSWORD}@" in text and 'postgres = "${SCOREGATE_POSTGRES_URL}"' in text
    assert 'redis = "${SCOREGATE_REDIS_URL}"' in text  # a managed Redis: its URL holds its password
    env = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in _container("scoregate-gateway")["env"]}
    assert env["SCOREGATE_AMQP_PASSWORD"]["name"] == env["SCOREGATE_POSTGRES_URL"]["name"] == "scoregate-secrets"
    assert env["SCOREGATE_REDIS_URL"] == {"name": "scoregate-secrets", "key": "redis-url"}


def _yaml_files() -> list[Path]:
    return sorted(p for base in (DOCKER, K8S) for p in base.rglob("*") if p.suffix in (".yaml", ".yml"))


@pytest.mark.parametrize("path", _yaml_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_yaml_file_parses(path: Path) -> None:
    docs = load_yaml(path)
    assert docs and all(isinstance(doc, dict) for doc in docs)


# ---------------------------------------------------------------- the files, read as the tools read them
def _dockerfile(name: str) -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", (DOCKER / f"{name}.Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def _final_stage(name: str) -> list[tuple[str, str]]:
    ops = _dockerfile(name)
    return ops[max(i for i, (op, _) in enumerate(ops) if op == "FROM"):]


def _image_env(name: str) -> dict[str, str]:
    pairs = [item.split("=", 1) for op, args in _final_stage(name) if op == "ENV" for item in shlex.split(args)]
    return dict(pairs)


def _exposed(name: str) -> set[int]:
    return {int(port) for op, args in _final_stage(name) if op == "EXPOSE" for port in args.split()}


def _exec_form(name: str, op: str) -> list[str]:
    return json.loads(dict(_final_stage(name))[op])


def _compose() -> dict:
    (compose,) = load_yaml(DOCKER / "compose.yaml")
    return compose


def _k8s() -> list[dict]:
    return [doc for path in sorted(K8S.glob("*.yaml")) if path.name != "kustomization.yaml" for doc in load_yaml(path)]


def _objects(kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for doc in _k8s() if doc["kind"] == kind}


def _container(deployment: str) -> dict:
    (container,) = _objects("Deployment")[deployment]["spec"]["template"]["spec"]["containers"]
    return container


def _port(address: str) -> int:
    return int(address.rpartition(":")[2])


CORE_METRICS_PORT = int(_image_env("core")["SCOREGATE_CORE_METRICS_PORT"])
DROP_DIR = "/var/lib/scoregate/drop"
STATE_URL = "${SCOREGATE_POSTGRES_URL}"  # the containers' audit and file ledger: PostgreSQL, from a Secret


# ---------------------------------------------------------------- Dockerfiles
@pytest.mark.parametrize("name", ["core", "gateway"])
def test_every_copied_path_exists_and_is_in_the_build_context(name: str) -> None:
    ignore = (DOCKER / f"{name}.Dockerfile.dockerignore").read_text().splitlines()
    allowed = [line[1:] for line in ignore if line.startswith("!")]
    copies = [args for op, args in _dockerfile(name) if op == "COPY" and not args.startswith("--from")]
    assert copies
    for args in copies:
        for source in shlex.split(args)[:-1]:
            assert (ROOT / source).exists(), f"{name}.Dockerfile copies missing {source}"
            assert any(source == a or source.startswith(a + "/") for a in allowed), f"{source} not in the context"


@pytest.mark.parametrize("name", ["core", "gateway"])
def test_multi_stage_non_root_and_health_checked(name: str) -> None:
    ops = _dockerfile(name)
    stages = [args for op, args in ops if op == "FROM"]
    assert len(stages) == 2 and stages[0].endswith(" AS build")
    final = _final_stage(name)
    # The runtime stage installs the build stage's wheels and copies no source.
    assert any(op == "RUN" and "from=build" in args and "pip install" in args for op, args in final)
    assert not any(op == "COPY" and args.split()[0] in ("core", "adapters", "app") for op, args in final)
    assert dict(final)["USER"] == f"{UID}:{UID}"
    assert "HEALTHCHECK" in dict(final)


def test_the_commands_the_images_run_exist() -> None:
    runner = CliRunner()
    core_health = dict(_final_stage("core"))["HEALTHCHECK"]
    gateway = _exec_form("gateway", "ENTRYPOINT") + _exec_form("gateway", "CMD")
    for argv in (_exec_form("core", "ENTRYPOINT"), json.loads(core_health.split("CMD", 1)[1]), gateway):
        assert argv[0] == "scoregate"
        result = runner.invoke(main, [*argv[1:], "--help"])
        assert result.exit_code == 0, (argv, result.output)


def test_the_core_health_check_passes_on_a_serving_core_only(shared_core) -> None:  # noqa: ANN001
    check = json.loads(dict(_final_stage("core"))["HEALTHCHECK"].split("CMD", 1)[1])
    assert check[-1] == f"127.0.0.1:{CORE_PORT}"
    runner = CliRunner()
    assert runner.invoke(main, [*check[1:-1], shared_core.target]).exit_code == 0
    assert runner.invoke(main, [*check[1:-1], "127.0.0.1:1", "--timeout", "0.5"]).exit_code != 0


def test_the_gateway_health_check_passes_on_a_live_gateway_only() -> None:
    from scoregate.app.health import HealthServer

    check = json.loads(dict(_final_stage("gateway"))["HEALTHCHECK"].split("CMD", 1)[1])
    url = f"http://127.0.0.1:{HEALTH_PORT}/healthz"
    assert check[0] == "python" and url in check[-1]
    server = HealthServer(lambda: [], "127.0.0.1", 0)
    server.start()
    try:
        live = check[-1].replace(url, f"http://127.0.0.1:{server.port}/healthz")
        assert subprocess.run([sys.executable, *check[1:-1], live], timeout=30).returncode == 0
        missing = check[-1].replace(url, f"http://127.0.0.1:{server.port}/nothing-here")
        assert subprocess.run([sys.executable, *check[1:-1], missing], timeout=30, capture_output=True).returncode != 0
    finally:
        server.stop()


def test_the_images_listen_where_the_code_does() -> None:
    env = _image_env("core")
    settings = {key.removeprefix("SCOREGATE_CORE_").lower() for key in env if key.startswith("SCOREGATE_CORE_")}
    assert settings <= set(CoreSettings.model_fields)
    assert _port(env["SCOREGATE_CORE_ADDRESS"]) == CORE_PORT
    assert _exposed("core") == {CORE_PORT, CORE_METRICS_PORT}
    assert _exposed("gateway") == {SOAP_PORT, HEALTH_PORT}
    assert tomllib.loads((DEFAULTS_DIR / "soap" / "loan-risk.toml").read_text())["port"] == SOAP_PORT
    volumes = json.loads(dict(_final_stage("gateway"))["VOLUME"])
    config = _exec_form("gateway", "CMD")[1]
    assert set(volumes) == {str(Path(config).parent), DROP_DIR}
    assert any(op == "COPY" and args.split()[-1] == config for op, args in _final_stage("gateway"))


def test_the_image_wheel_holds_every_module_and_the_defaults(tmp_path: Path) -> None:
    # The build stage's `pip wheel .`, from exactly the files the Dockerfile copies.
    src = tmp_path / "src"
    src.mkdir()
    for op, args in _dockerfile("gateway"):
        if op == "COPY" and not args.startswith("--from") and not args.split()[-1].startswith("/"):
            for source in shlex.split(args)[:-1]:
                if (ROOT / source).is_dir():
                    shutil.copytree(ROOT / source, src / source, ignore=shutil.ignore_patterns("__pycache__"))
                else:
                    shutil.copy(ROOT / source, src / source)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), "."],
        cwd=src, check=True, timeout=120,
    )
    (wheel,) = tmp_path.glob("scoregate-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for top in ("core", "adapters", "app"):
        for path in (src / top).rglob("*"):
            if path.is_file() and (path.suffix == ".py" or "defaults" in path.parts):
                assert f"scoregate/{top}/{path.relative_to(src / top).as_posix()}" in names, f"{path} not in the image"
    (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    assert "scoregate = scoregate.app.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


# ---------------------------------------------------------------- the gateway's configuration in containers
def _gateway_configs() -> dict[str, str]:
    """The gateway.toml of compose (mounted from docker/gateway) and of the Kubernetes ConfigMap."""
    return {
        "docker": (DOCKER / "gateway" / "gateway.toml").read_text(),
        "k8s": _objects("ConfigMap")["scoregate-gateway"]["data"]["gateway.toml"],
    }


@pytest.fixture
def state_env(pg_migrated: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """What the Secret provides for [state] postgres: here a schema of the test machine's server."""
    monkeypatch.setenv("SCOREGATE_POSTGRES_URL", pg_migrated)
    return pg_migrated


def _built(text: str, tmp_path: Path) -> tuple[GatewayConfig, dict[str, object]]:
    """The config as the image reads it (its paths into the package mapped to this checkout), built."""
    assert IMAGE_DEFAULTS in text and STATE_URL in text  # every decision audited in containers too, shared
    file = tmp_path / "gateway.toml"
    file.write_text(text.replace(IMAGE_DEFAULTS, str(DEFAULTS_DIR)))
    config = GatewayConfig.load(file)
    gateway = Gateway(config, config.client_settings())
    gateway.build()
    return config, {channel.name: channel for channel in gateway.channels}


def test_the_gateway_image_links_the_defaults_the_configs_name() -> None:
    assert any(op == "RUN" and "ln -s" in args and IMAGE_DEFAULTS in args and "DEFAULTS_DIR" in args
               for op, args in _final_stage("gateway"))


@pytest.mark.parametrize("where", ["docker", "k8s"])
def test_the_container_config_builds_every_channel_listening_outside(where: str, tmp_path: Path, state_env: str) -> None:
    config, channels = _built(_gateway_configs()[where], tmp_path)
    assert set(channels) == {"soap", "amqp", "files"}
    checked = CliRunner().invoke(main, ["config", "check", str(tmp_path / "gateway.toml")])
    assert checked.exit_code == 0, checked.output
    assert (config.health.host, config.health.port) == ("0.0.0.0", HEALTH_PORT)
    assert (channels["soap"].config.host, channels["soap"].config.port) == ("0.0.0.0", SOAP_PORT)
    assert str(channels["files"].config.path(channels["files"].config.inbox)) == f"{DROP_DIR}/inbox"
    assert "127.0.0.1" not in channels["amqp"].config.url and "guest" not in channels["amqp"].config.url


def test_the_compose_config_names_compose_services(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, state_env: str) -> None:
    services = _compose()["services"]
    for name, value in services["gateway"]["environment"].items():
        if name != "SCOREGATE_POSTGRES_URL":  # compose's host name; here the test's server
            monkeypatch.setenv(name, value)
    assert services["gateway"]["environment"]["SCOREGATE_POSTGRES_URL"].startswith("postgresql://scoregate:scoregate@postgres:5432/")
    config, channels = _built(_gateway_configs()["docker"], tmp_path)
    host, _, port = config.client["target"].rpartition(":")
    assert host in services and int(port) == CORE_PORT
    broker = re.match(r"amqp://([^:]+):([^@]+)@([^:/]+):(\d+)/", channels["amqp"].config.url)
    env = services["rabbitmq"]["environment"]
    assert (broker[1], broker[2]) == (env["RABBITMQ_DEFAULT_USER"], env["RABBITMQ_DEFAULT_PASS"])
    assert broker[3] == "rabbitmq" and f"{broker[4]}:{broker[4]}" in services["rabbitmq"]["ports"]
    assert config.state.redis is not None
    assert urllib.parse.urlsplit(config.state.redis).hostname == "redis" and "redis" in services


# ---------------------------------------------------------------- compose, Prometheus, Grafana
def test_compose_services_reference_existing_files() -> None:
    compose = _compose()
    assert set(compose["services"]) == {"rabbitmq", "postgres", "state-migrate", "redis", "core", "gateway", "prometheus", "grafana"}
    for name, service in compose["services"].items():
        if "build" in service:
            context = (DOCKER / service["build"]["context"]).resolve()
            assert (context / service["build"]["dockerfile"]).is_file(), name
            assert service["build"]["dockerfile"] == f"docker/{name}.Dockerfile"
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (DOCKER / source).exists(), f"{name} mounts missing {source}"
            else:
                assert source in compose["volumes"], f"{name} uses undeclared volume {source}"
    gateway = compose["services"]["gateway"]
    config = gateway["command"][gateway["command"].index("--config") + 1]
    (mount,) = [v.split(":") for v in gateway["volumes"] if v.split(":")[1] == str(Path(config).parent)]
    assert (DOCKER / mount[0] / Path(config).name).is_file()
    assert DROP_DIR in {v.split(":")[1] for v in gateway["volumes"]}
    assert gateway["command"] == _exec_form("gateway", "CMD")


def test_compose_starts_the_gateway_after_a_healthy_core_and_broker() -> None:
    services = _compose()["services"]
    assert services["gateway"]["depends_on"] == {
        "core": {"condition": "service_healthy"}, "rabbitmq": {"condition": "service_healthy"},
        "state-migrate": {"condition": "service_completed_successfully"},  # the schema first, once
        "redis": {"condition": "service_healthy"},
    }
    migrate = services["state-migrate"]
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert migrate["image"] == services["gateway"]["image"] and migrate["entrypoint"] == ["scoregate", "state", "migrate"]
    assert CliRunner().invoke(main, ["state", "migrate", *migrate["command"], "--help"]).exit_code == 0
    assert services["rabbitmq"]["image"].endswith("-management")
    assert services["rabbitmq"]["healthcheck"]["test"][0] == "CMD"
    # core and gateway are health checked by their images; stop waits longer than the gateway's grace.
    command = services["gateway"]["command"]
    grace = float(command[command.index("--grace") + 1])
    assert int(services["gateway"]["stop_grace_period"].removesuffix("s")) > grace


def test_compose_publishes_the_ports_the_code_listens_on() -> None:
    services = _compose()["services"]
    assert {f"{p}:{p}" for p in (CORE_PORT, CORE_METRICS_PORT)} <= set(services["core"]["ports"])
    assert {f"{p}:{p}" for p in (SOAP_PORT, HEALTH_PORT)} <= set(services["gateway"]["ports"])


def test_prometheus_scrapes_the_gateway_and_the_core() -> None:
    (config,) = load_yaml(DOCKER / "prometheus" / "prometheus.yml")
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    targets = {name: [t for s in job["static_configs"] for t in s["targets"]] for name, job in jobs.items()}
    assert targets == {"scoregate-gateway": [f"gateway:{HEALTH_PORT}"], "scoregate-core": [f"core:{CORE_METRICS_PORT}"]}
    assert all(job["metrics_path"] == "/metrics" for job in jobs.values())
    mounts = [v.split(":") for v in _compose()["services"]["prometheus"]["volumes"]]
    assert ["./prometheus/prometheus.yml", "/etc/prometheus/prometheus.yml", "ro"] in mounts


def test_grafana_is_provisioned_with_the_datasource_and_dashboard() -> None:
    grafana = _compose()["services"]["grafana"]
    mounts = {target: source for source, target, *_ in (v.split(":") for v in grafana["volumes"])}
    provisioning = DOCKER / mounts["/etc/grafana/provisioning"]
    ((datasource,),) = [doc["datasources"] for doc in load_yaml(provisioning / "datasources" / "prometheus.yaml")]
    assert datasource["url"] == "http://prometheus:9090"
    assert "9090:9090" in _compose()["services"]["prometheus"]["ports"]
    ((provider,),) = [doc["providers"] for doc in load_yaml(provisioning / "dashboards" / "scoregate.yaml")]
    folder = DOCKER / mounts[provider["options"]["path"]]
    home = grafana["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert home.startswith(provider["options"]["path"] + "/") and (folder / Path(home).name).is_file()
    dashboard = json.loads((folder / "scoregate.json").read_text())
    uids = {t["datasource"]["uid"] for p in dashboard["panels"] for t in p.get("targets", [])}
    assert uids == {datasource["uid"]}
    panels = dashboard["panels"]
    assert len({p["id"] for p in panels}) == len(panels)
    cells = [(p["gridPos"]["x"] + dx, p["gridPos"]["y"] + dy)
             for p in panels for dx in range(p["gridPos"]["w"]) for dy in range(p["gridPos"]["h"])]
    assert len(cells) == len(set(cells)), "panels overlap"
    assert all(0 <= x < 24 for x, _ in cells), "panels wider than the grid"


_SAMPLES = {
    "counter": ("_total", "_created"), "histogram": ("_bucket", "_count", "_sum", "_created"),
    "summary": ("", "_count", "_sum", "_created"), "info": ("_info",),
}


def _exported(registry: CollectorRegistry) -> dict[str, set[str]]:
    """Sample name -> label names of every family in ``registry``, children or not."""
    families = []
    for collector in list(registry._collector_to_names):
        if isinstance(collector, MetricWrapperBase):
            families.append((collector._type, collector._name, set(collector._labelnames)))
        else:  # a custom collector: its families say their labels
            families += [(f.type, f.name, set(getattr(f, "_labelnames", ()))) for f in collector.collect()]
    return {
        name + suffix: labels | ({"le"} if suffix == "_bucket" else set())
        for kind, name, labels in families for suffix in _SAMPLES.get(kind, ("",))
    }


@pytest.fixture(scope="module")
def exported(shared_core) -> dict[str, set[str]]:  # noqa: ANN001
    """What Prometheus can scrape: a gateway's registry and a running core's."""
    gateway = GatewayMetrics()
    OutcomeWatcher(lambda: None, gateway.registry, WatchSettings())  # the gauges a gateway with an audit adds
    return {**_exported(gateway.registry), **_exported(shared_core.server.metrics.registry)}


def _queries() -> list[str]:
    dashboard = json.loads((DOCKER / "grafana" / "dashboards" / "scoregate.json").read_text())
    return [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]


def test_the_dashboard_queries_only_metrics_and_labels_the_code_exports(exported: dict[str, set[str]]) -> None:
    assert "scoregate_channel_requests_total" in exported and "scoregate_core_score_bucket" in exported
    for expr in _queries():
        names = set(re.findall(r"\bscoregate_[a-z0-9_]+", expr))
        assert names, expr
        for opening, closing in ("()", "[]", "{}"):
            assert expr.count(opening) == expr.count(closing), expr
        for name in names:
            assert name in exported, f"{name} is not exported by the code ({expr})"
        labels = set().union(*(exported[n] for n in names))
        for group in re.findall(r"\bby \(([^)]*)\)", expr) + re.findall(r"\{([^}]*)\}", expr):
            for label in re.findall(r"([a-z_]+)\s*(?:=~|!=|=|,|$)", group):
                assert label in labels, f"label {label} is not on {names} ({expr})"


def test_the_dashboard_shows_every_metric_family(exported: dict[str, set[str]]) -> None:
    queried = set(re.findall(r"\bscoregate_[a-z0-9_]+", " ".join(_queries())))
    families = {re.sub(r"_(total|bucket|sum|count|created)$", "", name) for name in exported}
    missing = sorted(f for f in families if not {f, f"{f}_total", f"{f}_bucket", f"{f}_sum", f"{f}_count"} & queried)
    assert not missing, f"add a panel to docker/grafana/dashboards/scoregate.json for {missing}"


# ---------------------------------------------------------------- Kubernetes
def test_kustomization_lists_every_manifest_and_image() -> None:
    (kustomization,) = load_yaml(K8S / "kustomization.yaml")
    manifests = sorted(p.name for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml")
    assert sorted(kustomization["resources"]) == manifests
    # One image name per component everywhere: the Deployments, the compose builds, the kustomization.
    images = {_container(name)["image"] for name in _objects("Deployment")}
    assert {image["name"] for image in kustomization["images"]} == images
    assert {_compose()["services"][s]["image"] for s in ("core", "gateway")} == images


def test_every_object_kind_is_there() -> None:
    kinds = sorted(doc["kind"] for doc in _k8s())
    assert kinds == sorted(
        ["Deployment"] * 2 + ["Service"] * 3 + ["PodDisruptionBudget"] * 2
        + ["HorizontalPodAutoscaler", "ConfigMap", "PersistentVolumeClaim"]
    )


@pytest.mark.parametrize("name", ["scoregate-core", "scoregate-gateway"])
def test_deployments_run_non_root_with_probes_and_resources(name: str) -> None:
    pod = _objects("Deployment")[name]["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == pod["securityContext"]["runAsGroup"] == UID
    container = _container(name)
    security = container["securityContext"]
    assert security["allowPrivilegeEscalation"] is False and security["readOnlyRootFilesystem"] is True
    assert security["capabilities"]["drop"] == ["ALL"]
    assert {"/tmp"} <= {m["mountPath"] for m in container["volumeMounts"]}  # the one writable place besides volumes
    for kind in ("requests", "limits"):
        assert set(container["resources"][kind]) == {"cpu", "memory"}
    assert "readinessProbe" in container and "livenessProbe" in container


def test_the_core_is_probed_on_its_grpc_health_service() -> None:
    container = _container("scoregate-core")
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"grpc": CORE_PORT, "metrics": CORE_METRICS_PORT}
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["grpc"] == {"port": CORE_PORT}, probe
    env = {e["name"]: e["value"] for e in container["env"]}
    assert set(key.removeprefix("SCOREGATE_CORE_").lower() for key in env) <= set(CoreSettings.model_fields)
    assert _port(env["SCOREGATE_CORE_ADDRESS"]) == CORE_PORT
    assert int(env["SCOREGATE_CORE_METRICS_PORT"]) == CORE_METRICS_PORT
    grace = _objects("Deployment")["scoregate-core"]["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
    assert grace > float(env["SCOREGATE_CORE_GRACE_S"])


def test_the_gateway_is_probed_on_readyz_and_healthz(tmp_path: Path, state_env: str) -> None:
    deployment = _objects("Deployment")["scoregate-gateway"]
    container = _container("scoregate-gateway")
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"soap": SOAP_PORT, "http": HEALTH_PORT}
    # The Service carries SOAP only: readiness of that channel, not of the broker's.
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz/soap", "port": "http"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    args = container["args"]
    assert CliRunner().invoke(main, [*_exec_form("gateway", "ENTRYPOINT")[1:], *args, "--help"]).exit_code == 0
    grace = float(args[args.index("--grace") + 1])
    assert deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] > grace
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]}
    assert mounts["config"] == str(Path(args[args.index("--config") + 1]).parent)
    assert volumes["config"]["configMap"]["name"] in _objects("ConfigMap")
    assert Path(args[args.index("--config") + 1]).name in _objects("ConfigMap")["scoregate-gateway"]["data"]
    assert mounts["drop"] == DROP_DIR
    claim = _objects("PersistentVolumeClaim")[volumes["drop"]["persistentVolumeClaim"]["claimName"]]
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]  # one drop directory for every replica
    config, _ = _built(_gateway_configs()["k8s"], tmp_path)
    assert container["readinessProbe"]["httpGet"]["path"].removeprefix("/readyz/") in config.channels
    host, _, port = config.client["target"].removeprefix("dns:///").rpartition(":")
    core_service = _objects("Service")[host]
    assert int(port) in {p["port"] for p in core_service["spec"]["ports"]} and int(port) == CORE_PORT
    # Calls, not connections, are spread over the core pods: every pod's address, round robin.
    assert core_service["spec"]["clusterIP"] == "None" and config.client["load_balancing"] == "round_robin"


def test_services_budgets_and_autoscaler_select_existing_pods() -> None:
    deployments = _objects("Deployment")
    pod_labels = {name: d["spec"]["template"]["metadata"]["labels"] for name, d in deployments.items()}
    for name, deployment in deployments.items():
        assert deployment["spec"]["selector"]["matchLabels"].items() <= pod_labels[name].items()
    for service in _objects("Service").values():
        selected = [n for n, labels in pod_labels.items() if service["spec"]["selector"].items() <= labels.items()]
        assert len(selected) == 1, service["metadata"]["name"]
        names = {p["name"]: p["containerPort"] for p in _container(selected[0])["ports"]}
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in names and names[port["targetPort"]] == port["port"]
    budgets = [b["spec"]["selector"]["matchLabels"] for b in _objects("PodDisruptionBudget").values()]
    budgeted = [n for n, labels in pod_labels.items() for s in budgets if s.items() <= labels.items()]
    assert sorted(budgeted) == sorted(deployments)
    (hpa,) = _objects("HorizontalPodAutoscaler").values()
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "scoregate-gateway"}
    assert 1 < hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"]
