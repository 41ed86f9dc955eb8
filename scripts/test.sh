#!/usr/bin/env bash
# The README's test command (make test): go vet, then the whole suite with the race
# detector, on real PostgreSQL and Redis.
#
# It finds PostgreSQL (127.0.0.1:5432, user postgres, trust auth), Redis
# (127.0.0.1:6379) and etcd (127.0.0.1:2379), or starts throwaway servers from installed binaries in a temp dir,
# or installs them with apt-get when run as root; likewise poppler-utils and
# fonts-droid-fallback, with which the printing tests read their PDFs back. Each test
# then makes its own database and Redis key prefix (persistence/pgtest,
# persistence/redistest), so packages run in parallel. The services and tools are then
# required: a test that cannot reach them fails.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/services.sh
ensure_services
ensure_etcd
ensure_print_tools

export ONECODE_TEST_PG_DSN ONECODE_TEST_REDIS_ADDR
export ONECODE_TEST_REQUIRE_SERVICES=1

echo "== go vet"
go vet ./...
echo "== go test -race (PostgreSQL: ${ONECODE_TEST_PG_DSN%%\?*}, Redis: $ONECODE_TEST_REDIS_ADDR)"
go test -race -count=1 -timeout 20m "$@" ./...

# The web pages in a real browser (Debian's Chromium, installed when missing) against a
# real "onecode serve --demo": web/e2e/run.mjs. Screenshots: web/test-artifacts/.
echo "== browser tests (web/e2e)"
bin_dir=$(mktemp -d)
trap 'rm -rf "$bin_dir"' EXIT
go build -o "$bin_dir/onecode" ./cmd/onecode
if [ ! -d web/node_modules ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
  (cd web && npm ci --no-audit --no-fund)
fi
(cd web && ONECODE_BIN="$bin_dir/onecode" timeout 600 node e2e/run.mjs)
