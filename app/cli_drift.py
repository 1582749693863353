"""``scoregate drift``: the PSI of each feature per model version and channel, read from a core's /metrics.

The core measures drift (core/monitoring.py) because it holds the training baseline and sees every
gateway replica's traffic; this command only reads what it exports, so it works against any core
whose metrics port is reachable, in production as on a laptop.
"""

from __future__ import annotations

import urllib.request

import click
from prometheus_client.parser import text_string_to_metric_families

from scoregate.app import upstate
from scoregate.core.drift import DEFAULT_THRESHOLD
from scoregate.core.settings import DEFAULT_METRICS_PORT

PSI_METRIC = "scoregate_core_feature_psi"
DEFAULT_METRICS_URL = f"http://127.0.0.1:{DEFAULT_METRICS_PORT}/metrics"
BAR_WIDTH = 30
BAR_FULL_AT = 0.5
"""PSI at which the bar is full: well past the usual 0.25 'real shift' mark."""


def read_psi(metrics_url: str, timeout: float = 10.0) -> list[tuple[str, str, str, str, float]]:
    """(model, version, channel, feature, psi) rows from a Prometheus text endpoint."""
    with urllib.request.urlopen(metrics_url, timeout=timeout) as response:
        text = response.read().decode()
    rows = []
    for family in text_string_to_metric_families(text):
        if family.name == PSI_METRIC:
            for sample in family.samples:
                labels = sample.labels
                rows.append((labels["model"], labels["version"], labels["channel"], labels["feature"], float(sample.value)))
    return sorted(rows)


def bar(psi: float, threshold: float) -> str:
    filled = min(BAR_WIDTH, round(BAR_WIDTH * psi / BAR_FULL_AT))
    mark = round(BAR_WIDTH * threshold / BAR_FULL_AT)
    cells = ["#" if i < filled else ("|" if i == mark else ".") for i in range(BAR_WIDTH)]
    return "".join(cells)


@click.command("drift")
@click.option("--metrics", "metrics_url", default=None,
              help=f"the core's /metrics [the core of `scoregate up` run from here, else "
                   f"http://127.0.0.1:{DEFAULT_METRICS_PORT}/metrics (scoregate core serve --metrics-port)]")
@click.option("--threshold", type=float, default=DEFAULT_THRESHOLD, show_default=True, help="PSI marked as drift")
@click.option("--channel", default=None, help="only this channel")
def drift(metrics_url: str, threshold: float, channel: str | None) -> None:
    """PSI per feature of recent requests against the training distribution, as a table with bars."""
    running = upstate.read()
    if metrics_url is None:
        metrics_url = running.core_metrics if running and running.core_metrics else DEFAULT_METRICS_URL
    try:
        rows = read_psi(metrics_url)
    except OSError as error:
        raise click.ClickException(f"cannot read {metrics_url}: {error}") from None
    rows = [r for r in rows if channel is None or r[2] == channel]
    if not rows:
        click.echo(f"no drift figures at {metrics_url} yet (the core reports them once it has scored requests)")
        return
    width = max(len(r[3]) for r in rows)
    current = None
    for model, version, chan, feature, psi in rows:
        if (model, version, chan) != current:
            current = (model, version, chan)
            click.echo(f"\n{model} version {version}, channel {chan}   (| = threshold {threshold:g})")
        flag = "  DRIFT" if psi > threshold else ""
        click.echo(f"  {feature:<{width}}  {psi:7.3f}  {bar(psi, threshold)}{flag}")
