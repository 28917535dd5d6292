#!/usr/bin/env bash
# `npm start`: the whole service on one machine for a demo: build, make sure Postgres and Redis
# run (compose services where a Docker engine exists, else the local ones), migrate, seed the
# demo tenant, then run the API and one worker with the local SMS provider until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build --silent

if [ -z "${DATABASE_URL:-}" ] && docker info >/dev/null 2>&1; then
  echo "[start] Docker engine found: starting postgres and redis from docker-compose.yml"
  docker compose up -d --wait postgres redis
  export DATABASE_URL=postgresql://postgres:postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379
else
  bash scripts/services.sh
fi

export SMS_PROVIDER="${SMS_PROVIDER:-local}"
if [ -z "${ADMIN_TOKEN:-}" ]; then
  ADMIN_TOKEN="$(node -e 'process.stdout.write(require("crypto").randomBytes(24).toString("base64url"))')"
  export ADMIN_TOKEN
  echo "[start] generated ADMIN_TOKEN=${ADMIN_TOKEN}"
fi

node apps/cli/dist/main.js migrate
node apps/cli/dist/main.js seed-demo

node apps/api/dist/main.js &
api=$!
# Worker Node flags as in package.json's start:worker (docs/performance.md "Worker memory").
node --max-semi-space-size=4 apps/worker/dist/main.js &
worker=$!
trap 'kill -TERM $api $worker 2>/dev/null; wait $api $worker 2>/dev/null; exit 0' INT TERM
echo "[start] API on http://127.0.0.1:${PORT:-3000} (OpenAPI at /docs/json), worker metrics on :${METRICS_PORT:-9464}; Ctrl-C stops both"
wait -n $api $worker
status=$?
kill -TERM $api $worker 2>/dev/null || true
wait 2>/dev/null || true
exit $status
