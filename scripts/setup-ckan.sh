#!/usr/bin/env bash
# Prepares CKAN on the running services, idempotently.
#
#   scripts/setup-ckan.sh portal   # ckan.ini (generated, git-ignored), portal databases, migrations
#   scripts/setup-ckan.sh test     # test databases for test.ini (committed), migrations, and
#                                  # those of the suite's parallel workers (TEST_WORKERS, default 2)
#
# Database roles and databases (PostgreSQL on 127.0.0.1:5432):
#   portal: longan / longan_datastore_ro on longan_ckan, longan_datastore
#           (passwords generated once into .run/secrets.env)
#   test:   longan_test / longan_test_ro on longan_ckan_test, longan_datastore_test
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUN=$ROOT/.run
CKAN=$ROOT/.venv/bin/ckan
mkdir -p "$RUN/log"
say() { printf '[setup] %s\n' "$*"; }

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}
psql_admin() { as_postgres psql -X -q -v ON_ERROR_STOP=1 "$@"; }

ensure_role() {  # name password
  psql_admin -d postgres <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$1') THEN
    CREATE ROLE "$1" LOGIN PASSWORD '$2';
  ELSE
    ALTER ROLE "$1" LOGIN PASSWORD '$2';
  END IF;
END \$\$;
SQL
}

# limit_read_role ROLE: no statement of the DataStore's read-only role runs longer than 30 s,
# whatever the path (datastore_search, datastore_search_sql has its own shorter limit: issue 14)
limit_read_role() {
  psql_admin -d postgres -c "ALTER ROLE \"$1\" SET statement_timeout = '30s'"
}

ensure_db() {  # name owner
  if ! psql_admin -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$1'" | grep -q 1; then
    say "creating database $1"
    as_postgres createdb -O "$2" -E utf-8 -T template0 --locale=C.UTF-8 "$1"
  fi
}

secret() { python3 -c 'import secrets; print(secrets.token_urlsafe(24))'; }

# datastore_permissions INI DB: grants of `ckan datastore set-permissions`; the database's
# default text search configuration (that of the DataStore's full-text trigger) set to the one
# `q` searches with (ckan.datastore.default_fts_lang, `simple`: Vietnamese words as written)
datastore_permissions() {
  "$CKAN" -c "$1" datastore set-permissions 2>/dev/null | psql_admin -d "$2" >/dev/null
  psql_admin -d postgres -c "ALTER DATABASE \"$2\" SET default_text_search_config = 'pg_catalog.simple'" >/dev/null
}

migrate() {  # INI
  local log=$RUN/log/db-init-${1%.ini}.log
  "$CKAN" -c "$1" db init >"$log" 2>&1 || { cat "$log"; exit 1; }
  "$CKAN" -c "$1" db pending-migrations --apply >>"$log" 2>&1 || { cat "$log"; exit 1; }
}

setup_test() {
  ensure_role longan_test longan_test
  ensure_role longan_test_ro longan_test_ro
  limit_read_role longan_test_ro
  ensure_db longan_ckan_test longan_test
  ensure_db longan_datastore_test longan_test
  local n workers=()
  for n in $(seq 1 $((${TEST_WORKERS:-2} - 1))); do  # alongside test.ini's (each a few ckan runs)
    setup_test_worker "gw$n" "$n" & workers+=($!)
  done
  migrate test.ini
  datastore_permissions test.ini longan_datastore_test
  for n in "${workers[@]}"; do wait "$n"; done
  say "test databases ready"
}

# setup_test_worker NAME N: the private databases, Solr core, Redis databases and test-NAME.ini
# (git-ignored; it inherits test.ini) of the test suite's parallel worker NAME (pytest-xdist's
# gw1, gw2...; gw0 runs on test.ini itself): see tests/conftest.py
setup_test_worker() {
  local name=$1 n=$2 ini=test-$1.ini
  ensure_db "longan_ckan_test_$name" longan_test
  ensure_db "longan_datastore_test_$name" longan_test
  "$ROOT/scripts/services.sh" ensure-core "ckan_test_$name"
  cat >"$ini" <<EOF
# The test config of the parallel test worker $name (scripts/setup-ckan.sh test); not committed.
[app:main]
use = config:test.ini
sqlalchemy.url = postgresql://longan_test:longan_test@127.0.0.1:5432/longan_ckan_test_$name
ckan.datastore.write_url = postgresql://longan_test:longan_test@127.0.0.1:5432/longan_datastore_test_$name
ckan.datastore.read_url = postgresql://longan_test_ro:longan_test_ro@127.0.0.1:5432/longan_datastore_test_$name
solr_url = http://127.0.0.1:8983/solr/ckan_test_$name
ckan.redis.url = redis://127.0.0.1:6379/$((3 + 2 * n))
ckan.harvest.mq.redis_db = $((4 + 2 * n))
ckan.site_id = longan_test_$name
ckan.storage_path = /tmp/longan_test_storage_$name
EOF
  migrate "$ini"
  datastore_permissions "$ini" "longan_datastore_test_$name"
}

write_portal_ini() {
  if [ ! -f "$RUN/secrets.env" ]; then
    umask 077
    printf 'LONGAN_DB_PASSWORD=%s\nLONGAN_DS_RO_PASSWORD=%s\n' "$(secret)" "$(secret)" >"$RUN/secrets.env"
  fi
  # shellcheck disable=SC1091
  . "$RUN/secrets.env"
  ensure_role longan "$LONGAN_DB_PASSWORD"
  ensure_role longan_datastore_ro "$LONGAN_DS_RO_PASSWORD"
  limit_read_role longan_datastore_ro
  ensure_db longan_ckan longan
  ensure_db longan_datastore longan
  if [ ! -f ckan.ini ]; then
    say "writing ckan.ini"
    "$CKAN" generate config ckan.ini >/dev/null
  fi
  "$CKAN" config-tool ckan.ini \
    "sqlalchemy.url=postgresql://longan:$LONGAN_DB_PASSWORD@127.0.0.1:5432/longan_ckan" \
    "ckan.datastore.write_url=postgresql://longan:$LONGAN_DB_PASSWORD@127.0.0.1:5432/longan_datastore" \
    "ckan.datastore.read_url=postgresql://longan_datastore_ro:$LONGAN_DS_RO_PASSWORD@127.0.0.1:5432/longan_datastore" \
    "ckan.datastore.default_fts_lang=simple" \
    "ckan.datastore.default_fts_index_method=gin" \
    "solr_url=http://127.0.0.1:${SOLR_PORT:-8983}/solr/ckan" \
    "ckan.redis.url=redis://127.0.0.1:${REDIS_PORT:-6379}/0" \
    "ckan.harvest.mq.type=redis" \
    "ckan.harvest.mq.hostname=127.0.0.1" \
    "ckan.harvest.mq.port=${REDIS_PORT:-6379}" \
    "ckan.harvest.mq.redis_db=2" \
    "ckan.site_url=http://127.0.0.1:${PORTAL_PORT:-5000}" \
    "ckan.site_id=longan" \
    "ckan.site_title=Cổng dữ liệu mở tỉnh Long An" \
    "ckan.site_description=Dữ liệu mở của các cơ quan nhà nước tỉnh Long An (nay thuộc tỉnh Tây Ninh)" \
    "ckan.locale_default=vi" \
    "ckan.locales_offered=vi en" \
    "ckan.display_timezone=Asia/Ho_Chi_Minh" \
    "ckan.gravatar_default=disabled" \
    "ckan.storage_path=$RUN/storage" \
    "ckan.plugins=$(plugins_line)" \
    "scheming.dataset_schemas=ckanext.longan_opendata.schemas:dataset.yaml ckanext.longan_opendata.schemas:dataset_series.yaml ckanext.longan_opendata.schemas:reuse.yaml" \
    "scheming.organization_schemas=ckanext.longan_opendata.schemas:organization.yaml" \
    "ckanext.dcat.rdf.profiles=euro_dcat_ap_3 longan_dcat_ap_3" \
    "ckanext.dcat.structured_data.profiles=longan_schemaorg" \
    "scheming.presets=ckanext.scheming:presets.json ckanext.dataset_series.schemas:presets.yaml" \
    "ckan.views.default_views=datatables_view" \
    "ckanext.xloader.site_url=http://127.0.0.1:${PORTAL_PORT:-5000}" \
    "ckan.auth.create_user_via_web=false" \
    "ckan.auth.user_create_organizations=false" \
    "ckanext.longan_opendata.ssrf.allowed_hosts=127.0.0.1:5432 127.0.0.1:${LGSP_PORT:-8765}" \
    "ckanext.longan_opendata.harvest.secret_bindings=LONGAN_HARVEST_SHARED_DB_PW 127.0.0.1 cuc-thong-ke; LONGAN_HARVEST_LGSP_CLIENT_SECRET 127.0.0.1 cuc-thong-ke" \
    >/dev/null
  mkdir -p "$RUN/storage"
}

plugins_line() {
  sed -n 's/^ckan.plugins *= *//p' test.ini
}

setup_portal() {
  write_portal_ini
  say "migrating databases"
  migrate ckan.ini
  datastore_permissions ckan.ini longan_datastore
  say "portal databases ready"
}

case "${1:-}" in
  test) setup_test ;;
  portal) setup_portal ;;
  *) echo "usage: $0 portal|test"; exit 2 ;;
esac
