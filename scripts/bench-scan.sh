#!/usr/bin/env bash
# Times the daily cycle scan against a private, throw-away Azurite: population N and 10×N, K due on the scanned date.
# Usage: scripts/bench-scan.sh [--population 2000] [--due 100] [--scale 10]   (port: BENCH_AZURITE_BLOB_PORT, default 10300)
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$repo_root"
require dotnet "install the .NET 10 SDK"
ensure_npm_packages
ensure_face_models
blob_port="${BENCH_AZURITE_BLOB_PORT:-10300}"
if port_open "$blob_port"; then echo "error: port $blob_port is in use; set BENCH_AZURITE_BLOB_PORT" >&2; exit 1; fi
data_dir="$(mktemp -d "${TMPDIR:-/tmp}/pensioncert-bench.XXXXXX")"
AZURITE_PID=""
trap '[ -n "$AZURITE_PID" ] && kill "$AZURITE_PID" 2>/dev/null; rm -rf "$data_dir"' EXIT INT TERM
start_azurite "$data_dir" "$blob_port"
dotnet run --project functions/PensionCert.Tools -c Release -- bench-scan --storage "$(azurite_connection_string "$blob_port")" "$@"
