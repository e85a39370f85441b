#!/usr/bin/env bash
# Runs every test: installs Azurite from the npm lock file, fetches the face models (scripts/fetch-models.sh),
# starts a private Azurite on spare ports with throw-away data, builds the solution (including the Functions app, whose functions.metadata
# the tests read), runs all test projects, and ends with the line "N passed, N failed[, N skipped]".
set -uo pipefail
source "$(dirname "$0")/scripts/common.sh"
cd "$repo_root"
require dotnet "install the .NET 10 SDK"
ensure_npm_packages || exit 1
ensure_face_models || { echo "0 passed, 1 failed"; exit 1; }
ensure_test_tools || { echo "0 passed, 1 failed"; exit 1; }

# The real face photos (never copied into the repository): ../shared/faces beside it, or PENSIONCERT_FACES_DIR.
faces="${PENSIONCERT_FACES_DIR:-$repo_root/../shared/faces}"
if [ ! -f "$faces/MANIFEST.csv" ]; then
  echo "error: the face corpus is not at $faces; put the repository beside shared/ or set PENSIONCERT_FACES_DIR" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
export PENSIONCERT_FACES_DIR="$(cd "$faces" && pwd)"

blob_port="${TEST_AZURITE_BLOB_PORT:-10100}"
data_dir="$(mktemp -d "${TMPDIR:-/tmp}/pensioncert-azurite.XXXXXX")"
results_dir="$(mktemp -d "${TMPDIR:-/tmp}/pensioncert-results.XXXXXX")"
AZURITE_PID=""
cleanup() {
  [ -n "$AZURITE_PID" ] && kill "$AZURITE_PID" 2>/dev/null && wait "$AZURITE_PID" 2>/dev/null
  rm -rf "$data_dir" "$results_dir"
}
trap cleanup EXIT INT TERM

if port_open "$blob_port"; then
  echo "error: port $blob_port is in use; set TEST_AZURITE_BLOB_PORT to a free port" >&2
  exit 1
fi
echo "==> starting Azurite for tests on 127.0.0.1:$blob_port-$((blob_port + 2))"
start_azurite "$data_dir" "$blob_port"
export PENSIONCERT_TEST_STORAGE="$(azurite_connection_string "$blob_port")"

echo "==> building"
if ! dotnet build PensionCert.Functions.sln -c Release --nologo -v quiet; then
  echo "0 passed, 1 failed"
  exit 1
fi

echo "==> testing"
dotnet test PensionCert.Functions.sln -c Release --no-build --nologo \
  --logger "trx" --results-directory "$results_dir" -- RunConfiguration.TreatNoTestsAsError=true
status=$?

# Sum the outcomes of every test assembly from the <Counters .../> element of each TRX result file.
totals=$(cat "$results_dir"/*.trx 2>/dev/null | grep -o '<Counters [^>]*>' | awk '
  function attr(name,   m) { if (match($0, name "=\"[0-9]+\"")) { m = substr($0, RSTART, RLENGTH); gsub(/[^0-9]/, "", m); return m + 0 } return 0 }
  { p += attr("passed"); f += attr("failed") + attr("error") + attr("timeout") + attr("aborted"); s += attr("notExecuted") }
  END { print p + 0, f + 0, s + 0 }')
read -r passed failed skipped <<<"${totals:-0 0 0}"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
line="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
exit "$status"
