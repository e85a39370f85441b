# Shared by run.sh and test.sh: install npm packages from the lock file, start Azurite. Source, don't run.

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

require() {
  command -v "$1" >/dev/null 2>&1 || { echo "error: '$1' is not installed; $2" >&2; exit 1; }
}

# npm ci when node_modules was not installed from the current package-lock.json (Azurite and the face models).
# The lock file's hash is recorded after a successful install, so timestamps (fresh clones, checkouts) don't matter.
ensure_npm_packages() {
  require node "install Node.js 20 or later"
  require npm "install Node.js 20 or later (npm comes with it)"
  local stamp="$repo_root/node_modules/.pensioncert-lock.sha256"
  local want
  want="$(sha256sum "$repo_root/package-lock.json" | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || [ ! -x "$repo_root/node_modules/.bin/azurite" ]; then
    echo "==> npm ci (Azurite, face models)"
    (cd "$repo_root" && npm ci --no-audit --no-fund --loglevel=error) || return 1
    echo "$want" >"$stamp"
  fi
}

port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && exec 3>&- 3<&-
}

# any_port_open PORT...: true when any of the ports answers.
any_port_open() {
  local p
  for p in "$@"; do port_open "$p" && return 0; done
  return 1
}

# start_azurite DATA_DIR BLOB_PORT: starts Azurite (blob, queue, table on BLOB_PORT, +1, +2) in the background,
# sets AZURITE_PID, and waits until all three ports answer.
start_azurite() {
  local data="$1" blob="$2"
  local queue=$((blob + 1)) table=$((blob + 2))
  mkdir -p "$data"
  "$repo_root/node_modules/.bin/azurite" --silent --skipApiVersionCheck --loose --disableTelemetry --location "$data" \
    --blobHost 127.0.0.1 --blobPort "$blob" --queueHost 127.0.0.1 --queuePort "$queue" \
    --tableHost 127.0.0.1 --tablePort "$table" >"$data/azurite.log" 2>&1 &
  AZURITE_PID=$!
  for _ in $(seq 1 100); do
    if ! kill -0 "$AZURITE_PID" 2>/dev/null; then
      echo "error: Azurite exited; see $data/azurite.log" >&2; cat "$data/azurite.log" >&2; exit 1
    fi
    if port_open "$blob" && port_open "$queue" && port_open "$table"; then return 0; fi
    sleep 0.2
  done
  echo "error: Azurite did not open ports $blob-$table within 20 s" >&2
  exit 1
}

# The connection string for an Azurite started on BLOB_PORT (well-known development account key).
azurite_connection_string() {
  local blob="$1"
  echo "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:${blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$((blob + 1))/devstoreaccount1;TableEndpoint=http://127.0.0.1:$((blob + 2))/devstoreaccount1;"
}

# Debian packages the tests need, installed with apt-get only when missing (CI runs as root on a clean machine):
# chromium (Playwright drives /usr/bin/chromium; its own browser download is not used), fonts-noto-cjk (Chinese text
# in the pages' screenshots), ffmpeg (the action-liveness tests take frames from shared/liveness clips at test time).
ensure_test_tools() {
  local missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
  [ -d /usr/share/fonts/opentype/noto ] || missing+=(fonts-noto-cjk)
  [ "${#missing[@]}" -eq 0 ] && return 0
  echo "==> apt-get install ${missing[*]} (browser and action-liveness tests)"
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: missing ${missing[*]}; install them: sudo apt-get install -y ${missing[*]}" >&2
    return 1
  fi
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null) || {
    echo "error: apt-get install ${missing[*]} failed" >&2
    return 1
  }
}

# Kept for callers of the earlier name.
ensure_chromium() { ensure_test_tools; }
