#!/usr/bin/env bash
# Chaos run of the local host: a stream of real submissions (genuine pairs of ../shared/faces) against ./run.sh on an
# Azurite of its own, while the host is killed (kill -9) and Azurite stopped and restarted at seeded random moments.
# Then it waits until every accepted certification is decided (or --settle runs out), lets the event dispatcher run,
# and prints one line from the records and the local event sink:
#   accepted A, decided exactly once A, stuck 0, lost 0, duplicate events 0
# It exits 0 only when every count is as shown (see ChaosCheck in PensionCert.Tools).
#
#   scripts/chaos.sh [--seed N] [--duration SECONDS] [--settle SECONDS]
#     --seed      seeds the photos, the ID numbers and the chaos schedule (default 1)
#     --duration  seconds of submissions and chaos (default 120)
#     --settle    at most this many seconds to wait for the decisions afterwards (default 720: a message a killed host
#                 had received stays invisible for the WebJobs SDK's 10-minute lease; runs that kill nothing in flight
#                 end within seconds)
# Environment: CHAOS_PORT (7180), CHAOS_AZURITE_BLOB_PORT (10810; queue +1, table +2), PENSIONCERT_FACES_DIR,
# CHAOS_NO_BUILD=1 to use the Release builds already there.
set -uo pipefail
source "$(dirname "$0")/common.sh"
cd "$repo_root"

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
seed=1 duration=120 settle=720
while [ $# -gt 0 ]; do
  case "$1" in
    --seed) seed="${2:-}"; shift 2 || usage ;;
    --duration) duration="${2:-}"; shift 2 || usage ;;
    --settle) settle="${2:-}"; shift 2 || usage ;;
    -h|--help) usage ;;
    *) echo "error: unknown argument $1" >&2; usage ;;
  esac
done
for value in "$seed" "$duration" "$settle"; do
  [[ "$value" =~ ^[0-9]{1,6}$ ]] || { echo "error: --seed, --duration and --settle take whole numbers (got '$value')" >&2; usage; }
done
[ "$duration" -ge 10 ] || { echo "error: --duration must be at least 10 seconds" >&2; exit 2; }

require dotnet "install the .NET 10 SDK"
require curl "install curl"
require jq "install jq"
faces="${PENSIONCERT_FACES_DIR:-$repo_root/../shared/faces}"
[ -f "$faces/PAIRS.csv" ] || { echo "error: no face corpus at $faces; set PENSIONCERT_FACES_DIR" >&2; exit 2; }
ensure_npm_packages || exit 1
ensure_face_models || exit 1

port="${CHAOS_PORT:-7180}"
blob_port="${CHAOS_AZURITE_BLOB_PORT:-10810}"
api="http://127.0.0.1:$port/api"
if port_open "$port" || any_port_open "$blob_port" $((blob_port + 1)) $((blob_port + 2)); then
  echo "error: port $port or $blob_port-$((blob_port + 2)) is in use; set CHAOS_PORT / CHAOS_AZURITE_BLOB_PORT" >&2
  exit 1
fi
if [ "${CHAOS_NO_BUILD:-}" != "1" ]; then
  echo "==> building"
  dotnet build functions/PensionCert.LocalHost -c Release --nologo -v quiet || exit 1
  dotnet build functions/PensionCert.Tools -c Release --nologo -v quiet || exit 1
fi
tools() { dotnet functions/PensionCert.Tools/bin/Release/net10.0/PensionCert.Tools.dll "$@"; }

work="$(mktemp -d "${TMPDIR:-/tmp}/pensioncert-chaos.XXXXXX")"
AZURITE_PID="" RUN_PID="" LOAD_PID=""
cleanup() {
  trap - EXIT INT TERM
  [ -n "$LOAD_PID" ] && kill "$LOAD_PID" 2>/dev/null && wait "$LOAD_PID" 2>/dev/null
  [ -n "$RUN_PID" ] && kill -TERM "$RUN_PID" 2>/dev/null && wait "$RUN_PID" 2>/dev/null
  [ -n "$AZURITE_PID" ] && kill -TERM "$AZURITE_PID" 2>/dev/null && wait "$AZURITE_PID" 2>/dev/null
  if [ "${keep_work:-0}" = 1 ]; then echo "logs: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "==> Azurite on 127.0.0.1:$blob_port-$((blob_port + 2)), the local host on $port (run.sh), seed $seed"
start_azurite "$work/azurite" "$blob_port"
storage="$(azurite_connection_string "$blob_port")"
PORT="$port" AZURITE_BLOB_PORT="$blob_port" USE_RUNNING_AZURITE=1 RUN_NO_BUILD=1 AzureWebJobsStorage="$storage" \
  ./run.sh >"$work/run.log" 2>&1 &
RUN_PID=$!
healthy() { [ "$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$api/health")" = 200 ]; }
for _ in $(seq 1 120); do healthy && break; sleep 1; done
healthy || { keep_work=1; echo "error: the local host did not become healthy" >&2; exit 1; }

# Pensioners: genuine pairs (reference, probe) of the corpus, chosen by the seed; ID numbers in Beijing (110105).
RANDOM=$seed
token="$(tools mint-token --role admin --region 110000 --minutes 60)"
id_number() {  # id_number SEQUENCE: an 18-digit citizen ID number with its GB 11643 check character
  local body weights=(7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2) sum=0 i checks="10X98765432"
  body="110105$((1940 + $1 % 20))0$((1 + $1 % 9))1$((1 + $1 % 9))$(printf '%03d' $(( (seed * 37 + $1) % 1000 )))"
  for i in $(seq 0 16); do sum=$((sum + ${body:$i:1} * ${weights[$i]})); done
  echo "$body${checks:$((sum % 11)):1}"
}
mapfile -t pairs < <(tr -d '\r' <"$faces/PAIRS.csv" | grep -E ',1$' | grep -v '^fgnet/' | awk -v s="$seed" 'BEGIN { srand(s) } { print rand() "\t" $0 }' | sort | cut -f2 | head -12)
pensioners=() probes=()
for i in "${!pairs[@]}"; do
  IFS=, read -r reference probe _ <<<"${pairs[$i]}"
  body="$(curl -s -m 60 -X POST "$api/pensioners" -H "Authorization: Bearer $token" \
    -F "idNumber=$(id_number "$i")" -F name=测试人员 -F regionCode=110105 -F "photo=@$faces/$reference")"
  pid="$(jq -r '.pensionerId // empty' <<<"$body" 2>/dev/null)"
  if [ -n "$pid" ]; then
    pensioners+=("$pid"); probes+=("$faces/$probe")
  else
    echo "warning: enrolling $reference failed: $(jq -r '.code // empty' <<<"$body" 2>/dev/null || echo "${body:0:200}")" >&2
  fi
done
[ "${#pairs[@]}" -gt 0 ] || { echo "error: no genuine pair found in $faces/PAIRS.csv" >&2; exit 2; }
[ "${#pensioners[@]}" -gt 0 ] || { keep_work=1; echo "error: no pensioner could be enrolled" >&2; exit 1; }
echo "==> ${#pensioners[@]} pensioners enrolled; submitting for $duration s while the chaos runs"

# The stream: one submission about every 1.5 s, round robin; each is retried with its Idempotency-Key until the
# host answers (202: accepted, recorded; another 4xx: refused, not counted).
submit() {
  local pid="$1" photo="$2" key code out="$work/response.json" attempt
  key="$(cat /proc/sys/kernel/random/uuid)"
  for attempt in $(seq 1 60); do
    code="$(curl -s -o "$out" -m 30 -w '%{http_code}' -X POST "$api/certifications" -H 'x-functions-key: local-client-key' \
      -H "Idempotency-Key: $key" -F "pensionerId=$pid" -F channel=wechat -F "photo=@$photo")"
    case "$code" in
      202) jq -r .certificationId "$out" >>"$work/accepted"; return ;;
      000|5*|409|429) sleep 1 ;;
      *) echo "refused $code $(jq -r .code "$out" 2>/dev/null)" >>"$work/refused"; return ;;
    esac
  done
}
touch "$work/accepted"
(
  end=$((SECONDS + duration)) n=0
  while [ "$SECONDS" -lt "$end" ]; do
    i=$((n % ${#pensioners[@]})); n=$((n + 1))
    submit "${pensioners[$i]}" "${probes[$i]}"
    sleep 1.5
  done
) &
LOAD_PID=$!

# The chaos: every 5-15 s, kill -9 the host (two times in three) or stop Azurite for 3-30 s.
host_pid() {
  local child
  for child in $(cat "/proc/$RUN_PID/task/$RUN_PID/children" 2>/dev/null); do
    grep -q PensionCert.LocalHost.dll "/proc/$child/cmdline" 2>/dev/null && { echo "$child"; return; }
  done
}
end=$((SECONDS + duration)) kills=0 outages=0
while [ "$SECONDS" -lt "$end" ]; do
  sleep $((5 + RANDOM % 11))
  if [ $((RANDOM % 3)) -lt 2 ]; then
    pid="$(host_pid)"
    [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null && kills=$((kills + 1))
  else
    down=$((3 + RANDOM % 28))
    kill -TERM "$AZURITE_PID" && wait "$AZURITE_PID" 2>/dev/null
    AZURITE_PID=""
    outages=$((outages + 1))
    sleep "$down"
    start_azurite "$work/azurite" "$blob_port"
  fi
done
wait "$LOAD_PID"
LOAD_PID=""
echo "==> chaos over: $kills kill -9, $outages Azurite outage(s), $(wc -l <"$work/accepted") accepted; waiting up to $settle s for the decisions"

# Settle: until no accepted certification is Pending or Processing, then one more dispatcher minute for the events.
deadline=$((SECONDS + settle))
while [ "$SECONDS" -lt "$deadline" ]; do
  open=0
  while read -r id; do
    status="$(curl -s -m 10 "$api/certifications/$id" -H 'x-functions-key: local-client-key' | jq -r '.status // "unknown"' 2>/dev/null)"
    case "$status" in Approved|Rejected|NeedsReview|Failed) ;; *) open=$((open + 1)) ;; esac
  done <"$work/accepted"
  [ "$open" -eq 0 ] && break
  sleep 5
done
sleep 65
tools chaos-check --storage "$storage" --accepted "$work/accepted" >"$work/check.txt"
status=$?
grep -v '^accepted ' "$work/check.txt" >&2
tail -n 1 "$work/check.txt"
[ "$status" -eq 0 ] || keep_work=1
exit "$status"
