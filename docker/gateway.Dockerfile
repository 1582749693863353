# syntax=docker/dockerfile:1
# The gateway (SOAP, RabbitMQ and file channels) calling a core elsewhere. Build from the repository root:
#   docker build -f docker/gateway.Dockerfile -t scoregate-gateway .
#   docker run -p 8080:8080 -p 8081:8081 -e SCOREGATE_CLIENT_TARGET=core-host:50051 \
#       -v $PWD/drop:/var/lib/scoregate/drop scoregate-gateway
# The default configuration (/etc/scoregate/gateway.toml, from docker/gateway/gateway.toml) runs the
# demo channels; mount your own over /etc/scoregate or pass --config.

# Build stage: the same wheels as the core image (one distribution, two entry points).
FROM python:3.11-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml setup.py README.md ./
COPY core ./core
COPY adapters ./adapters
COPY app ./app
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim-bookworm
RUN groupadd --system --gid 10001 scoregate \
 && useradd --system --uid 10001 --gid scoregate --home-dir /nonexistent --shell /usr/sbin/nologin scoregate
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    python -m venv /opt/scoregate \
 && /opt/scoregate/bin/pip install --no-cache-dir --no-index --find-links /wheels scoregate
# A fixed path for the demo contracts shipped in the package (WSDL, copybooks, channel files), so
# that configurations name them without knowing the Python version.
RUN ln -s "$(/opt/scoregate/bin/python -c 'from scoregate.app.paths import DEFAULTS_DIR; print(DEFAULTS_DIR)')" \
          /opt/scoregate/defaults \
 && mkdir -p /etc/scoregate /var/lib/scoregate/drop \
 && chown scoregate:scoregate /var/lib/scoregate/drop
COPY docker/gateway/gateway.toml /etc/scoregate/gateway.toml
ENV PATH=/opt/scoregate/bin:$PATH \
    PYTHONUNBUFFERED=1
USER 10001:10001
# /etc/scoregate: configuration (read only); /var/lib/scoregate/drop: the file channel's
# directories and ledger (written; shared between gateways that serve one drop directory).
VOLUME ["/etc/scoregate", "/var/lib/scoregate/drop"]
# 8080: SOAP; 8081: /healthz, /readyz, /metrics.
EXPOSE 8080 8081
# No curl in a slim image; the interpreter is there anyway. Liveness only: /readyz is for
# orchestrators that route traffic (a gateway waiting for its broker is alive, not broken).
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8081/healthz', timeout=3)"]
ENTRYPOINT ["scoregate", "gateway", "serve"]
CMD ["--config", "/etc/scoregate/gateway.toml", "--grace", "10"]
