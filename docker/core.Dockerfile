# syntax=docker/dockerfile:1
# The scoring core. Build from the repository root:
#   docker build -f docker/core.Dockerfile -t scoregate-core .
#   docker run -p 50051:50051 -p 9102:9102 -v $PWD/models:/models scoregate-core
# Without a volume the image serves the demo model it ships.

# Build stage: the project's wheel and every dependency's, so the runtime stage needs no
# compiler, no build backend and no network.
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
# The wheels are bind-mounted, not copied: no layer of the image keeps them.
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    python -m venv /opt/scoregate \
 && /opt/scoregate/bin/pip install --no-cache-dir --no-index --find-links /wheels scoregate
# The demo model as the default content of the models volume.
RUN mkdir /models \
 && cp -r "$(/opt/scoregate/bin/python -c 'from scoregate.app.paths import DEMO_MODELS_DIR; print(DEMO_MODELS_DIR)')/." /models/ \
 && chown -R scoregate:scoregate /models
ENV PATH=/opt/scoregate/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    SCOREGATE_CORE_ADDRESS=0.0.0.0:50051 \
    SCOREGATE_CORE_METRICS_PORT=9102 \
    SCOREGATE_CORE_MODELS_DIR=/models
USER 10001:10001
VOLUME ["/models"]
# 50051: gRPC (scoring, grpc.health.v1, reflection); 9102: Prometheus /metrics.
EXPOSE 50051 9102
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
    CMD ["scoregate", "core", "health", "--address", "127.0.0.1:50051"]
ENTRYPOINT ["scoregate", "core", "serve"]
