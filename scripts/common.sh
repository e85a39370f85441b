# Shared by run.sh, test.sh and the other scripts: install Azurite from the lock file, fetch the face models, start
# Azurite. Source, don't run.

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

require() {
  command -v "$1" >/dev/null 2>&1 || { echo "error: '$1' is not installed; $2" >&2; exit 1; }
}

# npm ci when node_modules was not installed from the current package-lock.json (Azurite). The lock file's hash is
# recorded after a successful install, so timestamps (fresh clones, checkouts) don't matter. A node_modules that is
# a symbolic link (a checkout sharing another checkout's install) is left alone: npm ci would empty the original.
ensure_npm_packages() {
  require node "install Node.js 20 or later"
  require npm "install Node.js 20 or later (npm comes with it)"
  if [ -L "$repo_root/node_modules" ]; then
    [ -x "$repo_root/node_modules/.bin/azurite" ] && return 0
    echo "error: node_modules is a link to $(readlink -f "$repo_root/node_modules") without Azurite; run npm ci there" >&2
    return 1
  fi
  local stamp="$repo_root/node_modules/.pensioncert-lock.sha256"
  local want
  want="$(sha256sum "$repo_root/package-lock.json" | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || [ ! -x "$repo_root/node_modules/.bin/azurite" ]; then
    echo "==> npm ci (Azurite)"
    (cd "$repo_root" && npm ci --no-audit --no-fund --loglevel=error) || return 1
    echo "$want" >"$stamp"
  fi
}

# The face models: the ONNX files of the npm package faceplugin-face-recognition-js@0.0.1, taken from the package's
# own tarball (npm pack; none of its ~650 runtime dependencies), checked against the SHA-256 in
# scripts/face-models.sha256 and extracted to models/ (git-ignored). FACE_MODELS_TARBALL=/path/to/the.tgz uses a
# tarball already at hand (an offline machine); it is checked the same way. Nothing is done when models/ already
# holds the files of that tarball.
face_models_package="faceplugin-face-recognition-js@0.0.1"
face_models_dir="$repo_root/models"
# The models the product uses (shared/MODELS.md); fr_age, fr_gender and fr_expression are not extracted.
face_models_files="fr_detect fr_landmark fr_feature fr_liveness fr_pose fr_eye"
ensure_face_models() {
  local want stamp="$face_models_dir/.tarball.sha256" f
  want="$(cut -d' ' -f1 "$repo_root/scripts/face-models.sha256")"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    local complete=1
    for f in $face_models_files; do
      [ -s "$face_models_dir/$f.onnx" ] || complete=0
    done
    [ "$complete" -eq 1 ] && return 0
  fi
  echo "==> face models: $face_models_package (package tarball only, SHA-256 checked)"
  local work tarball
  work="$(mktemp -d "${TMPDIR:-/tmp}/pensioncert-models.XXXXXX")"
  if [ -n "${FACE_MODELS_TARBALL:-}" ]; then
    tarball="$FACE_MODELS_TARBALL"
  else
    require npm "install Node.js 20 or later (npm comes with it)"
    if ! (cd "$work" && npm pack "$face_models_package" --silent --pack-destination "$work" >/dev/null); then
      echo "error: npm pack $face_models_package failed (is the npm registry reachable?)" >&2
      rm -rf "$work"; return 1
    fi
    tarball="$(ls "$work"/*.tgz)"
  fi
  local got
  got="$(sha256sum "$tarball" | cut -d' ' -f1)"
  if [ "$got" != "$want" ]; then
    echo "error: $tarball has SHA-256 $got; scripts/face-models.sha256 expects $want. Not extracting it." >&2
    rm -rf "$work"; return 1
  fi
  local members=(package/LICENSE package/package.json)
  for f in $face_models_files; do members+=("package/model/$f.onnx"); done
  if ! tar -xzf "$tarball" -C "$work" "${members[@]}"; then
    echo "error: $tarball lacks the expected files (package/model/…)" >&2
    rm -rf "$work"; return 1
  fi
  mkdir -p "$face_models_dir"
  rm -f "$stamp"
  cp "$work"/package/model/*.onnx "$face_models_dir/"
  cp "$work/package/LICENSE" "$face_models_dir/LICENSE.faceplugin-face-recognition-js"
  cp "$work/package/package.json" "$face_models_dir/package.faceplugin-face-recognition-js.json"
  echo "$want" >"$stamp"
  rm -rf "$work"
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

# start_azurite DATA_DIR BLOB_PORT: starts Azurite (blob, queue, table on BLOB_PORT, +1, +2) in the background, in a
# session of its own (a Ctrl-C in the terminal reaches the script, which stops Azurite last), sets AZURITE_PID, and
# waits until all three ports answer.
start_azurite() {
  local data="$1" blob="$2"
  local queue=$((blob + 1)) table=$((blob + 2))
  mkdir -p "$data"
  setsid "$repo_root/node_modules/.bin/azurite" --silent --skipApiVersionCheck --loose --disableTelemetry --location "$data" \
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
# chromium (Playwright drives /usr/bin/chromium; its own browser download is not used), chromium-l10n (its zh-CN
# locale pack: the browser tests run Chromium in zh-CN, so a date input reads year/month/day), fonts-noto-cjk (Chinese text
# in the pages' screenshots), ffmpeg (the action-liveness tests take frames from shared/liveness clips at test time).
ensure_test_tools() {
  local missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ -f /usr/lib/chromium/locales/zh-CN.pak ] || missing+=(chromium-l10n)
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
