# Sourced by .ci/run and .ci/deploy_smoke: start PostgreSQL and Redis on this machine if
# they are down, and wait until both answer.

step() { printf '\n=== %s ===\n' "$*"; }

wait_for() {  # wait_for NAME COMMAND...
  local name=$1; shift
  for _ in $(seq 1 30); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  echo "$name did not come up" >&2
  return 1
}

start_services() {
  if ! pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
  fi
  wait_for PostgreSQL pg_isready -h 127.0.0.1 -p 5432
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log
  fi
  wait_for Redis redis-cli -h 127.0.0.1 -p 6379 ping
}

# The admin pages' browser tests (marker "browser") drive the system's Chromium through
# Playwright; with REQUIRE_SERVICES=1 a missing one fails them, so CI installs it.
ensure_chromium() {
  if command -v chromium >/dev/null 2>&1; then return 0; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  command -v chromium >/dev/null 2>&1 || { echo "Chromium did not install" >&2; return 1; }
}
