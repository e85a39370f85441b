#!/usr/bin/env bash
# Runs PensionCert locally: Azurite (data in .azurite/), then the local host on http://localhost:7071 with the
# same HTTP routes, queue trigger and timers as the Azure Functions app. Ctrl-C stops everything it started.
set -euo pipefail
source "$(dirname "$0")/scripts/common.sh"
cd "$repo_root"
require dotnet "install the .NET 10 SDK"
ensure_npm_packages

blob_port="${AZURITE_BLOB_PORT:-10000}"
AZURITE_PID=""
cleanup() {
  [ -n "$AZURITE_PID" ] && kill "$AZURITE_PID" 2>/dev/null && wait "$AZURITE_PID" 2>/dev/null || true
}
trap cleanup EXIT INT TERM

if port_open "$blob_port"; then
  echo "==> Azurite (or something) already listens on $blob_port; using it"
else
  echo "==> starting Azurite on 127.0.0.1:$blob_port-$((blob_port + 2)) (data in .azurite/)"
  start_azurite "$repo_root/.azurite" "$blob_port"
fi
export AzureWebJobsStorage="${AzureWebJobsStorage:-$(azurite_connection_string "$blob_port")}"

echo "==> building"
dotnet build functions/PensionCert.LocalHost -c Release --nologo -v quiet
echo "==> serving http://localhost:7071/api (Ctrl-C to stop)"
dotnet run --project functions/PensionCert.LocalHost -c Release --no-build
