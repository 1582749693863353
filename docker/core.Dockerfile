# The scoring core. Build from the repository root:
#   docker build -f docker/core.Dockerfile -t scoregate-core .
#   docker run -p 50051:50051 -v $PWD/models:/models scoregate-core
# Without a volume the image serves the demo model it ships.

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY core ./core
COPY adapters ./adapters
COPY app ./app
RUN python -m venv /opt/scoregate \
 && /opt/scoregate/bin/pip install --no-cache-dir --upgrade pip \
 && /opt/scoregate/bin/pip install --no-cache-dir .

FROM python:3.11-slim
RUN groupadd --system scoregate && useradd --system --gid scoregate --home-dir /nonexistent scoregate && mkdir /models
COPY --from=build /opt/scoregate /opt/scoregate
# The demo model as the default content of the models volume.
RUN cp -r /opt/scoregate/lib/python3.11/site-packages/scoregate/app/defaults/models/. /models/ \
 && chown -R scoregate:scoregate /models
ENV PATH=/opt/scoregate/bin:$PATH \
    SCOREGATE_CORE_ADDRESS=0.0.0.0:50051 \
    SCOREGATE_CORE_MODELS_DIR=/models
USER scoregate
VOLUME ["/models"]
EXPOSE 50051
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
    CMD ["scoregate", "core", "health", "--address", "127.0.0.1:50051"]
ENTRYPOINT ["scoregate", "core", "serve"]
