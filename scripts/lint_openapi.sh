#!/usr/bin/env bash
# Lint the OpenAPI document with Redocly CLI (redocly.yaml): the document is built from the
# app itself, no server, no database. Fails on any error. Needs `npm ci` once.
# Usage: scripts/lint_openapi.sh [more redocly lint options]
set -euo pipefail
cd "$(dirname "$0")/.."
python=${VENV:-.venv}/bin/python
workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true  # offline CI, intranets
APP_ENV=development DATABASE_URL="sqlite:///$workdir/unused.db" PYTHONPATH=. "$python" -c '
import json, sys
from app.main import create_app
json.dump(create_app().openapi(), open(sys.argv[1], "w", encoding="utf-8"), ensure_ascii=False, indent=1)
' "$workdir/openapi.json"
npx --no-install redocly lint "$workdir/openapi.json" --config redocly.yaml "$@"
