#!/usr/bin/env bash
# Runs PensionCert locally: Azurite (data in .azurite/), then the local host with the same HTTP routes, queue
# trigger and timers as the Azure Functions app. Ctrl-C (or SIGTERM) stops everything it started.
#   PORT=7071               HTTP port of the API
#   AZURITE_BLOB_PORT=10000 Azurite blob port (queue +1, table +2)
#   USE_RUNNING_AZURITE=1   use an Azurite already listening on those ports instead of starting one
set -euo pipefail
source "$(dirname "$0")/scripts/common.sh"
cd "$repo_root"
require dotnet "install the .NET 10 SDK"
ensure_npm_packages

port="${PORT:-7071}"
blob_port="${AZURITE_BLOB_PORT:-10000}"
AZURITE_PID=""
HOST_PID=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [ -n "$HOST_PID" ] && kill "$HOST_PID" 2>/dev/null && wait "$HOST_PID" 2>/dev/null
  [ -n "$AZURITE_PID" ] && kill "$AZURITE_PID" 2>/dev/null && wait "$AZURITE_PID" 2>/dev/null
  exit "$rc"
}
trap cleanup EXIT INT TERM

if port_open "$port"; then
  echo "error: port $port is in use; stop what runs there or choose another port: PORT=7072 ./run.sh" >&2
  exit 1
fi
if any_port_open "$blob_port" $((blob_port + 1)) $((blob_port + 2)); then
  if [ "${USE_RUNNING_AZURITE:-}" != "1" ]; then
    echo "error: ports $blob_port-$((blob_port + 2)) are in use (another Azurite?). Use it with USE_RUNNING_AZURITE=1," >&2
    echo "       or start ours on other ports: AZURITE_BLOB_PORT=10010 ./run.sh" >&2
    exit 1
  fi
  echo "==> using the Azurite already listening on 127.0.0.1:$blob_port-$((blob_port + 2))"
else
  echo "==> starting Azurite on 127.0.0.1:$blob_port-$((blob_port + 2)) (data in .azurite/)"
  start_azurite "$repo_root/.azurite" "$blob_port"
fi
export AzureWebJobsStorage="${AzureWebJobsStorage:-$(azurite_connection_string "$blob_port")}"
# A local run is a development run: development keys, and the console's development sign-in (appsettings.Development.json).
export DOTNET_ENVIRONMENT="${DOTNET_ENVIRONMENT:-Development}"

echo "==> building"
dotnet build functions/PensionCert.LocalHost -c Release --nologo -v quiet
echo "==> serving http://localhost:$port/api and the operator console http://localhost:$port/console/ (Ctrl-C to stop)"
# The host exits with 75 when a trigger listener fails for good (storage unreachable): restart it, like the
# Functions host restarts its job host.
while true; do
  dotnet functions/PensionCert.LocalHost/bin/Release/net10.0/PensionCert.LocalHost.dll --urls "http://localhost:$port" &
  HOST_PID=$!
  set +e; wait "$HOST_PID"; rc=$?; set -e
  HOST_PID=""
  [ "$rc" -eq 75 ] || exit "$rc"
  echo "==> the local host stopped after a storage failure; restarting in 5 s"
  sleep 5
done
