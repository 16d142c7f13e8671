# 导办助手 — the API, the web chat and the staff console in one image (no torch: the `st` extra stays optional).
# Build:  docker build -t daoban-assistant .        (add --build-arg EXTRAS=pg,milvus for the Milvus backend)
# Run:    docker compose up -d                       (see README, "Deployment")
FROM python:3.11-slim-bookworm AS build
ARG EXTRAS=pg
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY assistant ./assistant
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir ".[${EXTRAS}]"

FROM python:3.11-slim-bookworm
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ASSISTANT_CORPUS_DIR=/app/corpus \
    ASSISTANT_INDEX_DIR=/app/index \
    ASSISTANT_DATABASE_URL=sqlite:////app/var/assistant.db \
    ASSISTANT_HOST=0.0.0.0 \
    ASSISTANT_PORT=8000 \
    ASSISTANT_WORKERS=1 \
    ASSISTANT_EMBED_WORKERS=2
RUN groupadd --system --gid 10001 assistant \
    && useradd --system --uid 10001 --gid assistant --home-dir /app --shell /usr/sbin/nologin assistant
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY corpus ./corpus
# The index is built into the image, so every replica serves the same one and starts in seconds.
# (A corpus change is a new image; `assistant serve` refuses a stale index and names the fix.)
RUN assistant corpus check \
    && assistant index build \
    && mkdir -p /app/var \
    && chown assistant:assistant /app/var
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=4s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=3).status != 200)"]
# Behind nginx: trust its X-Forwarded-* (ASSISTANT_FORWARDED_ALLOW_IPS names the proxy's network).
CMD ["assistant", "serve", "--proxy-headers"]
