#!/usr/bin/env bash
# A private test environment for one checkout, so that several checkouts (git worktrees) can run
# their tests at the same time on one machine without touching each other's data:
#
#   scripts/sandbox.sh NAME SOLR_PORT REDIS_DB
#   .venv/bin/pytest --ckan-ini=test-NAME.ini tests
#
# It creates the databases longan_ckan_test_NAME and longan_datastore_test_NAME, starts a Solr on
# SOLR_PORT (core ckan_test), and writes test-NAME.ini (git-ignored), which inherits test.ini and
# overrides the URLs and Redis databases (REDIS_DB for jobs, REDIS_DB+1 for harvest queues).
# The shared services (PostgreSQL, Redis) must be running: scripts/services.sh start.
set -euo pipefail
cd "$(dirname "$0")/.."
NAME=${1:?usage: $0 NAME SOLR_PORT REDIS_DB}
SOLR_PORT=${2:?usage: $0 NAME SOLR_PORT REDIS_DB}
REDIS_DB=${3:?usage: $0 NAME SOLR_PORT REDIS_DB}
CKAN_DB=longan_ckan_test_$NAME
DS_DB=longan_datastore_test_$NAME
INI=test-$NAME.ini

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}
for db in "$CKAN_DB" "$DS_DB"; do
  as_postgres psql -X -q -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1 \
    || as_postgres createdb -O longan_test -E utf-8 -T template0 --locale=C.UTF-8 "$db"
done

cat >"$INI" <<EOF
# Private test config of the sandbox "$NAME" (scripts/sandbox.sh); not committed.
[app:main]
use = config:test.ini
sqlalchemy.url = postgresql://longan_test:longan_test@127.0.0.1:5432/$CKAN_DB
ckan.datastore.write_url = postgresql://longan_test:longan_test@127.0.0.1:5432/$DS_DB
ckan.datastore.read_url = postgresql://longan_test_ro:longan_test_ro@127.0.0.1:5432/$DS_DB
solr_url = http://127.0.0.1:$SOLR_PORT/solr/ckan_test
ckan.redis.url = redis://127.0.0.1:6379/$REDIS_DB
ckan.harvest.mq.redis_db = $((REDIS_DB + 1))
ckan.site_id = longan_test_$NAME
ckan.storage_path = /tmp/longan_test_storage_$NAME
EOF

SOLR_PORT=$SOLR_PORT scripts/services.sh start-solr "$SOLR_PORT"
.venv/bin/ckan -c "$INI" db init >/dev/null 2>&1
.venv/bin/ckan -c "$INI" datastore set-permissions 2>/dev/null \
  | as_postgres psql -X -q -v ON_ERROR_STOP=1 -d "$DS_DB" >/dev/null
as_postgres psql -X -q -c "ALTER DATABASE \"$DS_DB\" SET default_text_search_config = 'pg_catalog.simple'" >/dev/null
echo "sandbox $NAME ready: .venv/bin/pytest --ckan-ini=$INI tests"
