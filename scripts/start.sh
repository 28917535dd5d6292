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
seed_out="$(node apps/cli/dist/main.js seed-demo)"
echo "$seed_out"
key="$(sed -n 's/^API key (shown once): //p' <<<"$seed_out")"

# Each process in a session of its own, so the terminal's Ctrl-C reaches only this script,
# which passes it on once as SIGTERM: one Ctrl-C is one graceful drain. (npm forwards the
# same Ctrl-C to this script too, so signals within a second of the first count as one.)
# A Ctrl-C later in the drain is passed on as a second signal, which makes both exit at once.
setsid node apps/api/dist/main.js &
api=$!
# Worker Node flags as in package.json's start:worker (docs/performance.md "Worker memory").
setsid node --max-semi-space-size=4 apps/worker/dist/main.js &
worker=$!

stopping=0
first_signal_us=0
stop() {
  local now_us=${EPOCHREALTIME/./}
  if [ "$stopping" = 0 ]; then
    stopping=1
    first_signal_us=$now_us
    echo "[start] stopping: draining the worker and the API (Ctrl-C again to force)"
    kill -TERM "$api" "$worker" 2>/dev/null || true
  elif (( now_us - first_signal_us > 1000000 )); then
    echo "[start] forcing exit"
    kill -INT "$api" "$worker" 2>/dev/null || true
  fi
}
trap stop INT TERM HUP
running() { kill -0 "$1" 2>/dev/null; }

echo "[start] API on http://127.0.0.1:${PORT:-3000} (OpenAPI at /docs/json), worker metrics on :${METRICS_PORT:-9464}; Ctrl-C stops both"
echo "[start] in another shell, for the README's curl lines:"
echo "  export KEY='${key}' ADMIN_TOKEN='${ADMIN_TOKEN}'"

# Until Ctrl-C, or until one of the two exits on its own (then the other is stopped too).
while [ "$stopping" = 0 ] && running "$api" && running "$worker"; do
  wait -n "$api" "$worker" 2>/dev/null || true
done
if [ "$stopping" = 0 ]; then
  echo "[start] a process exited on its own: stopping the other" >&2
  stop
fi
# A signal interrupts wait; keep waiting until both have finished their drain.
while running "$api" || running "$worker"; do
  wait "$api" "$worker" 2>/dev/null || true
done
wait "$api"; api_status=$?
wait "$worker"; worker_status=$?
(( api_status == 0 && worker_status == 0 )) && exit 0
exit 1
