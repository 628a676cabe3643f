#!/usr/bin/env bash
# Installs (when missing) and starts the services the portal needs, idempotently:
# PostgreSQL (Debian package), Redis (Debian package) and Apache Solr 9 (Maven Central).
#
#   scripts/services.sh start   # install what is missing, start what is not running
#   scripts/services.sh stop    # stop what this script started
#   scripts/services.sh status
#   scripts/services.sh ensure-core CORE   # add a CKAN core to the running Solr (test workers)
#
# Logs: .run/log/solr.log, .run/log/redis.log; PostgreSQL logs where Debian puts them
# (/var/log/postgresql/postgresql-<version>-main.log).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUN=$ROOT/.run
LOG=$RUN/log
SOLR_PORT=${SOLR_PORT:-8983}
REDIS_PORT=${REDIS_PORT:-6379}
SOLR_VERSION=9.10.1
mkdir -p "$LOG"

say() { printf '[services] %s\n' "$*"; }

sudo_if_needed() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

install_apt_packages() {
  local missing=()
  for pkg in postgresql postgresql-contrib libpq-dev redis-server openjdk-17-jdk-headless maven curl chromium nginx-light; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >"$LOG/apt.log" 2>&1 || {
      sudo_if_needed apt-get update -q >>"$LOG/apt.log" 2>&1
      sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >>"$LOG/apt.log" 2>&1
    }
  fi
}

java_bin() {
  if [ -x /usr/lib/jvm/java-17-openjdk-amd64/bin/java ]; then
    echo /usr/lib/jvm/java-17-openjdk-amd64/bin/java
  else
    command -v java
  fi
}

# ---------------------------------------------------------------- PostgreSQL
pg_cluster() { pg_lsclusters --no-header | awk 'NR==1 {print $1, $2}'; }

start_postgres() {
  if pg_isready -q -h 127.0.0.1 -p 5432; then say "PostgreSQL already running"; return; fi
  local cluster
  cluster=$(pg_cluster)
  if [ -z "$cluster" ]; then
    say "creating PostgreSQL cluster"
    sudo_if_needed pg_createcluster "$(ls /usr/lib/postgresql | sort -n | tail -1)" main >/dev/null
    cluster=$(pg_cluster)
  fi
  say "starting PostgreSQL $cluster"
  # shellcheck disable=SC2086
  sudo_if_needed pg_ctlcluster $cluster start
  for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && return; sleep 1; done
  say "PostgreSQL did not start; see /var/log/postgresql/"; exit 1
}

stop_postgres() {
  local cluster
  cluster=$(pg_cluster)
  # shellcheck disable=SC2086
  [ -n "$cluster" ] && sudo_if_needed pg_ctlcluster $cluster stop 2>/dev/null || true
}

# ---------------------------------------------------------------- Redis
start_redis() {
  if redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; then
    say "Redis already running"; return
  fi
  say "starting Redis on 127.0.0.1:$REDIS_PORT"
  mkdir -p "$RUN/redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" \
    --dir "$RUN/redis" --pidfile "$RUN/redis.pid" --logfile "$LOG/redis.log" --save ""
  for _ in $(seq 20); do
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && return; sleep 0.5
  done
  say "Redis did not start; see $LOG/redis.log"; exit 1
}

stop_redis() {
  [ -f "$RUN/redis.pid" ] && kill "$(cat "$RUN/redis.pid")" 2>/dev/null || true
  rm -f "$RUN/redis.pid"
}

# ---------------------------------------------------------------- Solr
solr_ping() { curl -sf "http://127.0.0.1:$1/solr/ckan/admin/ping" >/dev/null 2>&1; }

fetch_solr_jars() {
  if [ ! -f solr/lib/solr-core-$SOLR_VERSION.jar ]; then
    say "fetching Solr $SOLR_VERSION jars from Maven Central (solr/lib/)"
    mvn -q -B -f solr/pom.xml dependency:copy-dependencies >"$LOG/maven.log" 2>&1 || {
      say "Maven failed; see $LOG/maven.log"; exit 1; }
  fi
}

ckan_schema() {
  local py=${PYTHON:-$ROOT/.venv/bin/python}
  "$py" -c 'import ckan, os; print(os.path.join(os.path.dirname(ckan.__file__), "config", "solr", "schema.xml"))'
}

# write_core_conf HOME CORE: the configuration of a CKAN core (CKAN's schema, our solrconfig)
write_core_conf() {
  mkdir -p "$1/$2/conf"
  cp solr/conf/solrconfig.xml solr/conf/*.txt "$1/$2/conf/"
  cp "$(ckan_schema)" "$1/$2/conf/schema.xml"
}

# ensure_core CORE [PORT HOME]: a CKAN core added to the running Solr when it lacks it (the test
# suite's parallel workers each have their own: ckan_test_gw1, ...)
ensure_core() {
  local core=$1 port=${2:-$SOLR_PORT} home=${3:-$RUN/solr/home}
  local admin="http://127.0.0.1:$port/solr/admin/cores"
  curl -sf "$admin?action=STATUS&core=$core&wt=json" | grep -q '"instanceDir"' && return
  write_core_conf "$home" "$core"
  curl -sf "$admin?action=CREATE&name=$core&instanceDir=$core" >/dev/null \
    || { say "Solr on $port could not create the core $core"; exit 1; }
  say "Solr core $core created"
}

# start_solr PORT HOME: serves the core "ckan" from HOME on 127.0.0.1:PORT
start_solr() {
  local port=${1:-$SOLR_PORT} home=${2:-$RUN/solr/home}
  if solr_ping "$port"; then say "Solr already running on $port"; return; fi
  fetch_solr_jars
  mkdir -p "$home"
  cp solr/conf/solr.xml "$home/solr.xml"
  local core
  for core in ckan ckan_test; do  # the portal's core and the test suite's
    write_core_conf "$home" "$core"
    echo "name=$core" >"$home/$core/core.properties"
  done
  say "starting Solr $SOLR_VERSION on 127.0.0.1:$port (log $LOG/solr-$port.log)"
  nohup "$(java_bin)" -Xms256m -Xmx${SOLR_HEAP:-768m} \
    -Dlog4j2.configurationFile="$ROOT/solr/conf/log4j2.xml" \
    -Dsolr.log.dir="$LOG" -Dsolr.data.home="$home/data" \
    -cp "$ROOT/solr/lib/*" "$ROOT/solr/Launcher.java" "$home" "$port" \
    >"$LOG/solr-$port.log" 2>&1 &
  echo $! >"$RUN/solr-$port.pid"
  for _ in $(seq 120); do
    solr_ping "$port" && { say "Solr ready"; return; }
    kill -0 "$(cat "$RUN/solr-$port.pid")" 2>/dev/null || break
    sleep 1
  done
  say "Solr did not start; last lines of $LOG/solr-$port.log:"; tail -n 30 "$LOG/solr-$port.log"; exit 1
}

stop_solr() {
  local port=${1:-$SOLR_PORT}
  if [ -f "$RUN/solr-$port.pid" ]; then
    kill "$(cat "$RUN/solr-$port.pid")" 2>/dev/null || true
    rm -f "$RUN/solr-$port.pid"
  fi
}

case "${1:-start}" in
  install) install_apt_packages; fetch_solr_jars ;;
  start) install_apt_packages; start_postgres; start_redis; start_solr ;;
  start-solr) start_solr "${2:-$SOLR_PORT}" "${3:-$RUN/solr/home-${2:-$SOLR_PORT}}" ;;
  stop-solr) stop_solr "${2:-$SOLR_PORT}" ;;
  ensure-core) ensure_core "${2:?usage: $0 ensure-core CORE}" ;;
  stop) stop_solr; stop_redis; stop_postgres; say "stopped" ;;
  status)
    pg_isready -h 127.0.0.1 -p 5432 || true
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping || true
    solr_ping "$SOLR_PORT" && echo "solr: up" || echo "solr: down" ;;
  *) echo "usage: $0 install|start|stop|status|start-solr PORT|stop-solr PORT|ensure-core CORE"; exit 2 ;;
esac
