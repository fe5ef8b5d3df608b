#!/usr/bin/env bash
# The test command (README, CI): installs what the tests need when it is missing, starts it, runs every
# test in Release, prints one "N passed, N failed" line and stops what it started. Exit code 0 only when
# every test passed.
#
#   ./test.sh                 # everything
#   ./test.sh --filter X      # extra arguments go to `dotnet test` (e.g. a filter while developing)
set -euo pipefail
cd "$(dirname "$0")"

say() { printf '==> %s\n' "$*" >&2; }

# --- 1. System packages the tests use: PostgreSQL (server tests run on it as well as on SQLite) and
#        OpenSSL (interop checks of export signatures with an independent tool), and a font for the
#        simulator's charts (ScottPlot draws text with the system's fonts).
missing=()
[[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]] || missing+=(fonts-dejavu-core)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
command -v openssl >/dev/null || missing+=(openssl)
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    say "missing packages: ${missing[*]} (run this script as root, or install them)"; exit 1
  fi
  say "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- 2. A private, throwaway PostgreSQL cluster on loopback; removed on exit whatever happens.
pg_bin=$(dirname "$(compgen -G '/usr/lib/postgresql/*/bin/initdb' | sort -V | tail -n1)")
pg_dir=$(mktemp -d /tmp/bluezone-test-pg.XXXXXX)
pg_port=${BLUEZONE_TEST_PG_PORT:-$(( 40000 + RANDOM % 20000 ))}
as_pg=()
if [[ $(id -u) -eq 0 ]]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
  chown postgres "$pg_dir"
  as_pg=(runuser -u postgres --)
fi
cleanup() {
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}
trap cleanup EXIT
say "starting PostgreSQL on 127.0.0.1:$pg_port"
"${as_pg[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U postgres --no-sync >/dev/null
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w -o \
  "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=300" \
  start >/dev/null
export BLUEZONE_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres"

# --- 3. Build once, then run every test project.
results=$(mktemp -d /tmp/bluezone-test-results.XXXXXX)
say "building"
dotnet build Bluezone.slnx -c Release -nologo -v quiet
say "testing"
status=0
dotnet test Bluezone.slnx -c Release --no-build -nologo --logger trx --results-directory "$results" "$@" || status=$?

# --- 4. One summary line over all projects (from the TRX files, so it counts every project).
read -r passed failed skipped < <(
  cat "$results"/*.trx 2>/dev/null | grep -o '<Counters [^>]*>' | awk '
    { for (i = 1; i <= NF; i++) { split($i, kv, "=\""); v = kv[2]; sub(/".*/, "", v); c[kv[1]] += v } }
    END { printf "%d %d %d\n", c["passed"], c["failed"] + c["error"] + c["timeout"] + c["aborted"], c["notExecuted"] }')
rm -rf "$results"
if [[ $passed -eq 0 && $status -eq 0 ]]; then
  say "no test ran"; status=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
