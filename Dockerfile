# Production image: migrations, then Uvicorn with $WEB_CONCURRENCY workers.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /srv
RUN useradd --create-home --uid 10001 platform

# The runtime dependencies exactly as uv.lock pins them (hashes checked), then the app.
COPY pyproject.toml uv.lock README.md alembic.ini ./
RUN pip install uv==0.13.9 \
 && uv export --locked --no-dev --no-emit-project --format requirements-txt -o /tmp/requirements.txt \
 && pip install --require-hashes -r /tmp/requirements.txt \
 && pip uninstall -y uv && rm /tmp/requirements.txt
COPY app ./app
COPY migrations ./migrations
RUN pip install --no-deps . && mkdir -p /srv/data && chown platform /srv/data

USER platform
ENV APP_ENV=production \
    DATABASE_URL=sqlite:////srv/data/platform.db \
    WEB_CONCURRENCY=2 \
    PORT=8000
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=2)"

# `serve` migrates (under a PostgreSQL advisory lock), loads reference data, then serves.
CMD ["sh", "-c", "exec python -m app serve --host 0.0.0.0 --port \"$PORT\" --workers \"$WEB_CONCURRENCY\""]
