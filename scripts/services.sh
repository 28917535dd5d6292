#!/usr/bin/env bash
# Makes sure Postgres and Redis answer on their default local ports, starting the machine's
# own services when they are down. Used by .ci/run and `npm start`.
set -u
pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

if ! pg_up; then
  echo "[services] starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
fi
if ! redis_up; then
  echo "[services] starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
fi
for _ in $(seq 1 60); do
  pg_up && redis_up && exit 0
  sleep 0.5
done
pg_up || echo "[services] PostgreSQL is not answering on 127.0.0.1:5432" >&2
redis_up || echo "[services] Redis is not answering on 127.0.0.1:6379" >&2
exit 1
