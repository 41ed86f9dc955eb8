# shellcheck shell=bash
# ensure_services sets ONECODE_TEST_PG_DSN and ONECODE_TEST_REDIS_ADDR to a reachable
# PostgreSQL and Redis, starting throwaway ones (stopped on exit) when none answers;
# ensure_etcd does the same for ONECODE_TEST_ETCD_ENDPOINTS (etcd membership tests) and
# ensure_promtool installs promtool (the Prometheus rules check).
# ONECODE_TEST_THROWAWAY=1 starts throwaway servers even when the usual ports answer.

_svc_tmp=""
_svc_cleanup() {
  if [ -n "$_svc_tmp" ] && [ -d "$_svc_tmp" ]; then
    if [ -f "$_svc_tmp/redis.pid" ]; then kill "$(cat "$_svc_tmp/redis.pid")" 2>/dev/null || true; fi
    if [ -f "$_svc_tmp/etcd.pid" ]; then kill "$(cat "$_svc_tmp/etcd.pid")" 2>/dev/null || true; fi
    if [ -d "$_svc_tmp/pg" ]; then _as_pg "$_svc_pgbin/pg_ctl" -D "$_svc_tmp/pg" -m immediate stop >/dev/null 2>&1 || true; fi
    rm -rf "$_svc_tmp"
  fi
}

_port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

_as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

_find_pgbin() {
  local d
  for d in /usr/lib/postgresql/*/bin /usr/local/pgsql/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

_apt_install() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "services: $* missing and cannot install (need root and apt-get)" >&2
    return 1
  fi
  echo "services: installing $* with apt-get" >&2
  # Two test runs at once on a fresh machine both install: one waits for the other
  # (flock), and apt itself waits for any other holder of its locks.
  (
    flock -w 900 9 || { echo "services: apt lock not free within 15 min" >&2; exit 1; }
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq >&2 &&
      DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "$@" >&2
  ) 9>/var/lock/onecode-apt.lock
}

# ensure_print_tools installs what the printing tests read their PDFs back with:
# pdftoppm and pdftotext (poppler-utils) and the CJK font the README recommends
# (fonts-droid-fallback). With services required, a missing tool fails those tests.
ensure_print_tools() {
  local missing=()
  command -v pdftoppm >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
  [ -f /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf ] || missing+=(fonts-droid-fallback)
  if [ ${#missing[@]} -gt 0 ]; then _apt_install "${missing[@]}"; fi
}

_wait_port() {
  local i
  for i in $(seq 1 100); do _port_open "$1" "$2" && return 0; sleep 0.1; done
  return 1
}

ensure_services() {
  trap _svc_cleanup EXIT
  # PostgreSQL
  if [ -z "${ONECODE_TEST_PG_DSN:-}" ]; then
    if [ -z "${ONECODE_TEST_THROWAWAY:-}" ] && _port_open 127.0.0.1 5432; then
      ONECODE_TEST_PG_DSN="postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
    else
      _svc_pgbin=$(_find_pgbin) || { _apt_install postgresql && _svc_pgbin=$(_find_pgbin); }
      _svc_tmp=${_svc_tmp:-$(mktemp -d /tmp/onecode-svc.XXXXXX)}
      chmod 755 "$_svc_tmp"
      if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then useradd -r -M postgres; fi
      mkdir -p "$_svc_tmp/pg" && [ "$(id -u)" = 0 ] && chown postgres "$_svc_tmp/pg"
      echo "services: starting a throwaway PostgreSQL on 127.0.0.1:55432" >&2
      _as_pg "$_svc_pgbin/initdb" -D "$_svc_tmp/pg" -U postgres -A trust >/dev/null
      _as_pg "$_svc_pgbin/pg_ctl" -D "$_svc_tmp/pg" -w -l "$_svc_tmp/pg/log" \
        -o "-p 55432 -c listen_addresses=127.0.0.1 -k $_svc_tmp/pg -c max_connections=300" start >/dev/null
      ONECODE_TEST_PG_DSN="postgres://postgres@127.0.0.1:55432/postgres?sslmode=disable"
    fi
  fi
  # Redis
  if [ -z "${ONECODE_TEST_REDIS_ADDR:-}" ]; then
    if [ -z "${ONECODE_TEST_THROWAWAY:-}" ] && _port_open 127.0.0.1 6379; then
      ONECODE_TEST_REDIS_ADDR="127.0.0.1:6379"
    else
      command -v redis-server >/dev/null 2>&1 || _apt_install redis-server
      _svc_tmp=${_svc_tmp:-$(mktemp -d /tmp/onecode-svc.XXXXXX)}
      echo "services: starting a throwaway Redis on 127.0.0.1:56379" >&2
      redis-server --bind 127.0.0.1 --port 56379 --save "" --appendonly no --dir "$_svc_tmp" \
        --daemonize yes --pidfile "$_svc_tmp/redis.pid" --logfile "$_svc_tmp/redis.log"
      _wait_port 127.0.0.1 56379 || { echo "services: redis did not start" >&2; return 1; }
      ONECODE_TEST_REDIS_ADDR="127.0.0.1:56379"
    fi
  fi
}

# _free_port prints a TCP port of 127.0.0.1 that nothing listens on.
_free_port() {
  local p i
  for i in $(seq 1 50); do
    p=$((20000 + RANDOM % 30000))
    _port_open 127.0.0.1 "$p" || { echo "$p"; return 0; }
  done
  return 1
}

# _required_missing fails with CI=true and only warns otherwise (the tests then skip).
_required_missing() {
  if [ "${CI:-}" = true ]; then echo "services: $1 missing and CI=true: failing" >&2; return 1; fi
  echo "services: $1 missing; the tests that need it skip" >&2
  return 0
}

# ensure_etcd sets ONECODE_TEST_ETCD_ENDPOINTS to a reachable etcd: the one on
# 127.0.0.1:2379, or a throwaway one (temp dir, free ports, stopped on exit) started
# from the installed binary (Debian's etcd-server, installed when missing as root).
# It exports ONECODE_TEST_REQUIRE_ETCD=1 once an etcd answers, so the etcd tests then
# fail rather than skip. With CI=true, no etcd is a failure.
ensure_etcd() {
  trap _svc_cleanup EXIT
  if [ -z "${ONECODE_TEST_ETCD_ENDPOINTS:-}" ]; then
    if [ -z "${ONECODE_TEST_THROWAWAY:-}" ] && _port_open 127.0.0.1 2379; then
      ONECODE_TEST_ETCD_ENDPOINTS="127.0.0.1:2379"
    else
      if ! command -v etcd >/dev/null 2>&1; then
        _apt_install etcd-server || true
        command -v etcd >/dev/null 2>&1 || { _required_missing etcd; return; }
      fi
      _svc_tmp=${_svc_tmp:-$(mktemp -d /tmp/onecode-svc.XXXXXX)}
      local client peer
      client=$(_free_port) && peer=$(_free_port) || { echo "services: no free port for etcd" >&2; return 1; }
      echo "services: starting a throwaway etcd on 127.0.0.1:$client" >&2
      etcd --name onecode-test --data-dir "$_svc_tmp/etcd" \
        --listen-client-urls "http://127.0.0.1:$client" --advertise-client-urls "http://127.0.0.1:$client" \
        --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
        --initial-cluster "onecode-test=http://127.0.0.1:$peer" >"$_svc_tmp/etcd.log" 2>&1 &
      echo $! >"$_svc_tmp/etcd.pid"
      _wait_port 127.0.0.1 "$client" || { echo "services: etcd did not start (log: $_svc_tmp/etcd.log)" >&2; return 1; }
      ONECODE_TEST_ETCD_ENDPOINTS="127.0.0.1:$client"
    fi
  fi
  export ONECODE_TEST_ETCD_ENDPOINTS
  export ONECODE_TEST_REQUIRE_ETCD=1
}

# ensure_promtool installs promtool (Debian's prometheus package) when missing, as
# root; with CI=true a promtool that cannot be had is a failure.
ensure_promtool() {
  command -v promtool >/dev/null 2>&1 && return 0
  _apt_install prometheus || true
  command -v promtool >/dev/null 2>&1 || _required_missing promtool
}
