#!/usr/bin/env bash
# Fuzz every operation of a live server (demo data, SQLite) with schemathesis, as every
# role that can call it (anonymous, platform admin, enterprise, college, department):
# fails on any 5xx, on any response that breaks the OpenAPI schema, and on any operation
# that never got past authentication (only 401/403/429: scripts/fuzz_coverage.py reads the
# server's access log). The rate limit and the sign-in throttle are off: they would answer
# 429 to the fuzzer instead of reaching the logic.
# Usage: scripts/schemathesis.sh [max-examples-per-operation]
set -euo pipefail
cd "$(dirname "$0")/.."
examples=${1:-10}
port=${SCHEMATHESIS_PORT:-8765}
workdir=$(mktemp -d)
export APP_ENV=development DATABASE_URL="sqlite:///$workdir/fuzz.db" APP_RUN_WORKER=false \
  RATE_LIMIT_PER_MINUTE=0 LOGIN_MAX_FAILURES_PER_USER=1000000 \
  LOGIN_MAX_FAILURES_PER_ADDRESS=1000000 LOGIN_MAX_FAILURES_PER_ACCOUNT=1000000 LOG_FORMAT=json
.venv/bin/python -m app seed-demo >/dev/null 2>&1 || { .venv/bin/python -m app migrate >/dev/null; .venv/bin/python -m app seed-demo >/dev/null; }
.venv/bin/python -m app serve --port "$port" >"$workdir/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$workdir"' EXIT
for _ in $(seq 60); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.5
done
token() {
  curl -sf -d username="$1" -d password=demo-pass-2026 "http://127.0.0.1:$port/api/v1/auth/token" \
    | .venv/bin/python -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
# The rate limit must be off, or the fuzzer measures it instead of the platform.
curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/v1/demands" | grep -q 200
admin=$(token admin)
college=$(token college01)
enterprise=$(token ent01)
department=$(token edu)
industry=$(token industry)
curl -sf "http://127.0.0.1:$port/openapi.json" >"$workdir/openapi.json"
# A pass fails on any failed check (a 5xx or a response that breaks the schema). Errors
# inside schemathesis itself (it has a few, now and then, generating coverage cases) are
# reported but do not fail the run: they say nothing about the platform.
fuzz() {
  local report="$workdir/$1.xml"
  shift
  .venv/bin/schemathesis --config-file scripts/schemathesis.toml run "http://127.0.0.1:$port/openapi.json" \
    --checks not_a_server_error,response_schema_conformance \
    --max-examples "$examples" --phases examples,coverage,fuzzing --workers 2 \
    --seed 20261129 --generation-database none --no-color \
    --report junit --report-junit-path "$report" "$@" || true
  .venv/bin/python - "$report" <<'PY'
import sys
import xml.etree.ElementTree as ET

cases = list(ET.parse(sys.argv[1]).getroot().iter("testcase"))
failed = sum(len(case.findall("failure")) for case in cases)
errored = sum(len(case.findall("error")) for case in cases)
print(f"schemathesis: {len(cases)} operations, {failed} failed checks, "
      f"{errored} internal errors (not counted)")
# A pass that tested no operation (schemathesis stopped before its phases) proves nothing.
sys.exit(1 if failed or not cases else 0)
PY
}
status=0
echo "--- every operation, anonymously"
fuzz anonymous || status=$?
echo "--- every operation, as the platform admin"
fuzz admin -H "Authorization: Bearer $admin" || status=$?
echo "--- every operation, as an enterprise"
fuzz enterprise -H "Authorization: Bearer $enterprise" --exclude-path-regex '/import$' || status=$?
echo "--- every operation, as departments (education, industry)"
fuzz department -H "Authorization: Bearer $department" --exclude-path-regex '/import$' || status=$?
fuzz industry -H "Authorization: Bearer $industry" --include-path-regex '/demands|/enterprises|/cooperation' \
  --exclude-path-regex '/import$' || status=$?
echo "--- what colleges write, as a college"
# (the multipart import is left out of this pass: schemathesis 4.32 fails with an internal
# KeyError generating its coverage cases; tests/test_distribution_imports.py covers bad files.
# A pass as an enterprise over /demands hit the same internal errors now and then, so it
# is not run here: tests/test_demands.py covers bad input of every demand field.)
fuzz college -H "Authorization: Bearer $college" \
  --include-path-regex '/colleges/|/demands/[^/]+/responses$|/trainings/[^/]+/enrollments(/[^/]+)?$' \
  --exclude-path-regex '/import$' || status=$?
echo "--- per-operation status coverage"
.venv/bin/python scripts/fuzz_coverage.py "$workdir/openapi.json" "$workdir/server.log" || status=1
if grep -q "Traceback" "$workdir/server.log"; then
  echo "server logged a traceback:"; grep -B2 -A30 "Traceback" "$workdir/server.log" | head -80 || true
  status=1
fi
exit $status
