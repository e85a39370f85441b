#!/usr/bin/env bash
# Runs the performance benchmarks (docs/performance.md) with a private Azurite on spare ports and throw-away data.
#   scripts/bench.sh [pipeline|coldstart|e2e|drain|ingest|load|all] [extra options for the bench command]
# (load, the peak-load run of 64 clients for 2 minutes plus a bounded drain, is not part of all.)
# Environment: BENCH_AZURITE_BLOB_PORT (default 10710; queue +1, table +2), BENCH_HTTP_PORT (default 7171),
# FACES (else PENSIONCERT_FACES_DIR, else ../shared/faces relative to the repository). Each figure line is printed with the load average.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$repo_root"
require dotnet "install the .NET 10 SDK"
ensure_npm_packages
ensure_face_models

which="${1:-all}"
shift || true
faces="${FACES:-${PENSIONCERT_FACES_DIR:-$repo_root/../shared/faces}}"
blob_port="${BENCH_AZURITE_BLOB_PORT:-10710}"
http_port="${BENCH_HTTP_PORT:-7171}"

echo "==> building (Release)"
dotnet build functions/PensionCert.Tools -c Release --nologo -v quiet
dotnet build functions/PensionCert.LocalHost -c Release --nologo -v quiet
tools="dotnet functions/PensionCert.Tools/bin/Release/net10.0/PensionCert.Tools.dll"

AZURITE_PID=""
data_dir=""
cleanup() {
  [ -n "$AZURITE_PID" ] && kill "$AZURITE_PID" 2>/dev/null && wait "$AZURITE_PID" 2>/dev/null
  [ -n "$data_dir" ] && rm -rf "$data_dir"
  return 0
}
trap cleanup EXIT INT TERM

# A fresh Azurite per storage benchmark, so one run's tables and queues do not weigh on the next.
with_azurite() {
  cleanup
  if port_open "$blob_port"; then echo "error: port $blob_port is in use; set BENCH_AZURITE_BLOB_PORT" >&2; exit 1; fi
  data_dir="$(mktemp -d "${TMPDIR:-/tmp}/pensioncert-bench.XXXXXX")"
  start_azurite "$data_dir" "$blob_port"
  export PENSIONCERT_BENCH_STORAGE="$(azurite_connection_string "$blob_port")"
  "$@"
  cleanup
  AZURITE_PID=""
  data_dir=""
}

run() { echo "==> bench $1 (nproc $(nproc), load average $(cut -d' ' -f1-3 /proc/loadavg))"; }

case "$which" in
  pipeline|all)
    run pipeline; $tools bench pipeline --faces "$faces" "$@" ;;&
  coldstart|all)
    run coldstart; with_azurite $tools bench coldstart --faces "$faces" --port "$http_port" "$@" ;;&
  e2e|all)
    run e2e; with_azurite $tools bench e2e --faces "$faces" --port "$http_port" "$@" ;;&
  drain|all)
    run drain; with_azurite $tools bench drain --faces "$faces" --port "$http_port" "$@" ;;&
  ingest|all)
    run ingest; with_azurite $tools bench ingest --faces "$faces" --port "$http_port" "$@" ;;&
  load)
    run load; with_azurite $tools bench load --faces "$faces" --port "$http_port" "$@" ;;&
  pipeline|coldstart|e2e|drain|ingest|load|all) ;;
  *) echo "usage: scripts/bench.sh [pipeline|coldstart|e2e|drain|ingest|load|all] [bench options]" >&2; exit 2 ;;
esac
