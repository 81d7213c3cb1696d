#!/usr/bin/env bash
# Serve the portal the way production does, for measuring (bench/pages.py): gunicorn with 2 sync workers,
# DEBUG off (production settings), PostgreSQL, Redis for the cache, hashed static files.
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/cqpt_bench_1k bench/serve.sh          # foreground
#   PORT=8000 (default), REDIS_URL=redis://127.0.0.1:6379/13 (default), GUNICORN_ARGS="--daemon --pid ..."
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?set DATABASE_URL to the PostgreSQL database to serve}"
export DATABASE_URL
export DEBUG=false
export SECRET_KEY="${SECRET_KEY:-bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGH}"
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/13}"
export STATIC_ROOT="${STATIC_ROOT:-$PWD/var/bench-static}"
export MEDIA_ROOT="${MEDIA_ROOT:-$PWD/var/bench-media}"
export SITE_URL="${SITE_URL:-https://127.0.0.1:${PORT:-8000}}"
export LOG_LEVEL="${LOG_LEVEL:-WARNING}"
export RATELIMIT_ENABLE="${RATELIMIT_ENABLE:-false}"  # wrk sends thousands of requests from one address
.venv/bin/python manage.py collectstatic --noinput -v0
# shellcheck disable=SC2086
exec .venv/bin/gunicorn cqpt_portal.wsgi:application --workers 2 --worker-class sync --backlog 2048 \
  --bind "127.0.0.1:${PORT:-8000}" ${GUNICORN_ARGS:-}
