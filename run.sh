#!/usr/bin/env bash
# Runs PensionCert locally: Azurite (data in .azurite/), then the local host with the same HTTP routes, queue
# trigger and timers as the Azure Functions app. The host is restarted whenever it exits (a crash, kill -9, a
# storage outage it gave up on), with back-off, except after a configuration error (exit 78). Ctrl-C or SIGTERM
# (also to a run.sh started in the background) stops the host first, then the dashboard and the Azurite it started.
#   PORT=7071               HTTP port of the API
#   AZURITE_BLOB_PORT=10000 Azurite blob port (queue +1, table +2)
#   USE_RUNNING_AZURITE=1   use an Azurite already listening on those ports instead of starting one
#   AZURITE_DATA=.azurite   where the Azurite it starts keeps its data
#   RUN_NO_BUILD=1          serve the local host already built (functions/PensionCert.LocalHost/bin/Release)
#   NO_DASHBOARD=1          don't start the Aspire dashboard (traces and metrics, http://localhost:18888)
#   DASHBOARD_PORT=18888    dashboard UI port; OTLP_PORT=4317 (gRPC, the host exports here) and OTLP_HTTP_PORT=4318
set -uo pipefail

# A script started with & by a non-interactive shell inherits SIGINT ignored, and bash cannot trap a signal that was
# ignored on entry: start again with the default dispositions so Ctrl-C / kill -INT always reach the trap below.
if [ -z "${PENSIONCERT_RUN_SIGNALS:-}" ]; then
  export PENSIONCERT_RUN_SIGNALS=1
  exec env --default-signal=INT,QUIT,TERM,HUP bash "$0" "$@"
fi

source "$(dirname "$0")/scripts/common.sh"
cd "$repo_root"
require dotnet "install the .NET 10 SDK"
require setsid "install util-linux"
ensure_npm_packages || exit 1
ensure_face_models || exit 1

port="${PORT:-7071}"
blob_port="${AZURITE_BLOB_PORT:-10000}"
azurite_data="${AZURITE_DATA:-$repo_root/.azurite}"
config_error=78
AZURITE_PID=""
DASHBOARD_PID=""
HOST_PID=""
SLEEP_PID=""

# alive PID: true while the process runs (a finished child stays a zombie until it is waited for).
alive() {
  local state
  state="$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}

# stop PID NAME SECONDS: SIGTERM, then SIGKILL if it is still running after SECONDS.
stop() {
  local pid="$1" name="$2" seconds="$3" i
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
  for ((i = 0; i < seconds * 10; i++)); do
    alive "$pid" || break
    sleep 0.1
  done
  if alive "$pid"; then
    echo "==> $name did not stop within $seconds s; killing it" >&2
    kill -KILL "$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null
  return 0
}

# The host first (it may still be writing to storage), then Azurite, which saves its metadata on SIGTERM.
shutdown() {
  local rc="$1"
  trap - EXIT INT TERM HUP QUIT
  [ -n "$SLEEP_PID" ] && kill "$SLEEP_PID" 2>/dev/null
  stop "$HOST_PID" "the local host" 4
  stop "$DASHBOARD_PID" "the dashboard" 2
  stop "$AZURITE_PID" "Azurite" 3
  exit "$rc"
}
on_signal() {
  echo "==> stopping (the local host, then the dashboard and Azurite)"
  shutdown 0
}
trap 'shutdown $?' EXIT
trap on_signal INT TERM HUP QUIT

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
  echo "==> starting Azurite on 127.0.0.1:$blob_port-$((blob_port + 2)) (data in $azurite_data)"
  start_azurite "$azurite_data" "$blob_port"
fi
export AzureWebJobsStorage="${AzureWebJobsStorage:-$(azurite_connection_string "$blob_port")}"
# A local run is a development run: development keys, and the console's development sign-in (appsettings.Development.json).
export DOTNET_ENVIRONMENT="${DOTNET_ENVIRONMENT:-Development}"

# The Aspire dashboard (NuGet Aspire.Dashboard.Sdk.linux-x64, restored by tools/dashboard/dashboard.csproj): OTLP in,
# traces and metrics out, on loopback only and without sign-in (a development tool). The host exports to it.
start_dashboard() {
  local ui="${DASHBOARD_PORT:-18888}" otlp="${OTLP_PORT:-4317}" otlp_http="${OTLP_HTTP_PORT:-4318}" dashboard log
  if any_port_open "$ui" "$otlp" "$otlp_http"; then
    echo "==> ports $ui/$otlp/$otlp_http are in use: not starting the dashboard (another one running? NO_DASHBOARD=1 skips it)"
    return 0
  fi
  if ! dotnet restore tools/dashboard/dashboard.csproj --nologo -v quiet >/dev/null; then
    echo "==> the Aspire dashboard could not be restored from NuGet; running without it" >&2
    return 0
  fi
  dashboard="$(dotnet msbuild tools/dashboard/dashboard.csproj -nologo -getProperty:AspireDashboardPath)"
  [ -x "$dashboard" ] || chmod u+x "$dashboard" 2>/dev/null
  log="$(mktemp "${TMPDIR:-/tmp}/pensioncert-dashboard.XXXXXX.log")"
  ASPNETCORE_URLS="http://127.0.0.1:$ui" \
  ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL="http://127.0.0.1:$otlp" \
  ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL="http://127.0.0.1:$otlp_http" \
  ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true \
    setsid "$dashboard" >"$log" 2>&1 &
  DASHBOARD_PID=$!
  for _ in $(seq 1 100); do
    if ! alive "$DASHBOARD_PID"; then
      echo "==> the dashboard exited (see $log); running without it" >&2
      DASHBOARD_PID=""
      return 0
    fi
    if port_open "$ui" && port_open "$otlp"; then
      export OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$otlp"
      # Metrics every 5 s instead of 60 s, so the dashboard follows a local run.
      export OTEL_METRIC_EXPORT_INTERVAL="${OTEL_METRIC_EXPORT_INTERVAL:-5000}"
      echo "==> dashboard (traces, metrics) on http://localhost:$ui (OTLP 127.0.0.1:$otlp; log $log)"
      return 0
    fi
    sleep 0.2
  done
  echo "==> the dashboard did not open its ports within 20 s (see $log); running without it" >&2
  stop "$DASHBOARD_PID" "the dashboard" 2
  DASHBOARD_PID=""
}
[ "${NO_DASHBOARD:-}" = "1" ] || start_dashboard

if [ "${RUN_NO_BUILD:-}" != "1" ]; then
  echo "==> building"
  dotnet build functions/PensionCert.LocalHost -c Release --nologo -v quiet || exit 1
fi
echo "==> serving http://localhost:$port/api and the operator console http://localhost:$port/console/ (Ctrl-C to stop)"
delay=1
while true; do
  # A session of its own: a Ctrl-C in the terminal reaches run.sh only, which stops the host before Azurite.
  setsid dotnet functions/PensionCert.LocalHost/bin/Release/net10.0/PensionCert.LocalHost.dll --urls "http://localhost:$port" &
  HOST_PID=$!
  started=$SECONDS
  wait "$HOST_PID"
  rc=$?
  HOST_PID=""
  if [ "$rc" -eq "$config_error" ]; then
    echo "==> the local host refused its configuration (exit $config_error); fix the setting it names and start again" >&2
    exit "$config_error"
  fi
  # Back-off: 1 s after a host that ran a minute or more, doubling up to 30 s while it keeps failing at once.
  if [ $((SECONDS - started)) -ge 60 ]; then delay=1; fi
  echo "==> the local host exited with $rc; restarting in $delay s"
  sleep "$delay" &
  SLEEP_PID=$!
  wait "$SLEEP_PID"
  SLEEP_PID=""
  delay=$((delay * 2 > 30 ? 30 : delay * 2))
done
