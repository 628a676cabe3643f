#!/usr/bin/env bash
# Sets up and serves the portal with demo content (make portal), or stops it (make stop).
#
#   scripts/portal.sh start  # services, ckan.ini, databases, sysadmin, demo data, web + workers
#   scripts/portal.sh stop   # web server, workers, then the services
#
# Logs: .run/log/web.log (gunicorn), .run/log/worker-*.log; the sysadmin's API token is written
# to .run/api-token (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUN=$ROOT/.run
LOG=$RUN/log
BIN=$ROOT/.venv/bin
PORT=${PORTAL_PORT:-5000}
ADMIN=${PORTAL_ADMIN:-admin}
export CKAN_INI=$ROOT/ckan.ini
mkdir -p "$LOG"
say() { printf '[portal] %s\n' "$*"; }

running() { [ -f "$RUN/$1.pid" ] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }

start_bg() {  # name command...
  local name=$1; shift
  if running "$name"; then return; fi
  nohup "$@" >"$LOG/$name.log" 2>&1 &
  echo $! >"$RUN/$name.pid"
}

stop_bg() {
  if running "$1"; then
    kill "$(cat "$RUN/$1.pid")" 2>/dev/null || true
    for _ in $(seq 20); do running "$1" || break; sleep 0.5; done
  fi
  rm -f "$RUN/$1.pid"
}

ensure_sysadmin() {
  if "$BIN/ckan" user show "$ADMIN" 2>/dev/null | grep -q "name=$ADMIN"; then
    say "sysadmin '$ADMIN' exists (password printed at first setup; reset it with:" \
        "$BIN/ckan -c ckan.ini user setpass $ADMIN)"
  else
    local password
    password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(12))')
    "$BIN/ckan" user add "$ADMIN" "email=$ADMIN@longan.invalid" "password=$password" \
      "fullname=Quản trị cổng dữ liệu" >"$LOG/sysadmin.log" 2>&1
    "$BIN/ckan" sysadmin add "$ADMIN" >>"$LOG/sysadmin.log" 2>&1
    echo "$password" >"$RUN/first-login"
    say "created sysadmin '$ADMIN'"
  fi
  if [ ! -s "$RUN/api-token" ]; then
    (umask 077; "$BIN/ckan" user token add "$ADMIN" make-portal 2>/dev/null | tail -n 1 | tr -d '\t ' \
      >"$RUN/api-token")
    say "API token of '$ADMIN' written to .run/api-token"
  fi
  # xloader fetches uploaded files from the portal with this token
  "$BIN/ckan" config-tool ckan.ini "ckanext.xloader.api_token=$(cat "$RUN/api-token")" >/dev/null
}

start() {
  scripts/services.sh start
  scripts/setup-ckan.sh portal
  ensure_sysadmin
  "$BIN/ckan" longan load-demo --user "$ADMIN" 2>>"$LOG/demo.log"
  start_bg worker-gather "$BIN/ckan" harvester gather-consumer
  start_bg worker-fetch "$BIN/ckan" harvester fetch-consumer
  start_bg worker-jobs "$BIN/ckan" jobs worker
  if ! curl -sf "http://127.0.0.1:$PORT/api/3/action/status_show" >/dev/null; then
    start_bg web "$BIN/gunicorn" --bind "127.0.0.1:$PORT" --workers "${WEB_WORKERS:-2}" \
      --timeout 120 --chdir "$ROOT" ckanext.longan_opendata.wsgi:application
  fi
  for _ in $(seq 90); do
    curl -sf "http://127.0.0.1:$PORT/api/3/action/status_show" >/dev/null && break
    running web || { say "web server failed; see $LOG/web.log"; tail -n 30 "$LOG/web.log"; exit 1; }
    sleep 1
  done
  say "Cổng dữ liệu mở tỉnh Long An: http://127.0.0.1:$PORT"
  if [ -f "$RUN/first-login" ]; then
    say "đăng nhập / login: $ADMIN / $(cat "$RUN/first-login")  (shown once)"
    rm -f "$RUN/first-login"
  else
    say "đăng nhập / login: $ADMIN"
  fi
  say "API token: .run/api-token; logs: .run/log/; stop with: make stop"
}

stop() {
  for name in web worker-gather worker-fetch worker-jobs; do stop_bg "$name"; done
  scripts/services.sh stop
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop"; exit 2 ;;
esac
