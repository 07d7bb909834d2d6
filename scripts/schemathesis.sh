#!/usr/bin/env bash
# Fuzz every operation of a live server (demo data, SQLite) with schemathesis:
# fails on any 5xx and on any response that breaks the OpenAPI schema.
# Usage: scripts/schemathesis.sh [max-examples-per-operation]
set -euo pipefail
cd "$(dirname "$0")/.."
examples=${1:-25}
port=${SCHEMATHESIS_PORT:-8765}
workdir=$(mktemp -d)
export APP_ENV=development DATABASE_URL="sqlite:///$workdir/fuzz.db" APP_RUN_WORKER=false
.venv/bin/python -m app seed-demo >/dev/null 2>&1 || { .venv/bin/python -m app migrate >/dev/null; .venv/bin/python -m app seed-demo >/dev/null; }
.venv/bin/python -m app serve --port "$port" >"$workdir/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$workdir"' EXIT
for _ in $(seq 60); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.5
done
token=$(curl -sf -d username=admin -d password=demo-pass-2026 "http://127.0.0.1:$port/api/v1/auth/token" \
  | .venv/bin/python -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
status=0
.venv/bin/schemathesis run "http://127.0.0.1:$port/openapi.json" \
  --checks not_a_server_error,response_schema_conformance \
  --max-examples "$examples" --phases examples,coverage,fuzzing --workers 2 \
  --seed 20261129 --generation-database none --no-color \
  -H "Authorization: Bearer $token" || status=$?
if grep -q "Traceback" "$workdir/server.log"; then
  echo "server logged a traceback:"; grep -B2 -A30 "Traceback" "$workdir/server.log" | head -80
  status=1
fi
exit $status
