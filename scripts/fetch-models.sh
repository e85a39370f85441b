#!/usr/bin/env bash
# Fetches the face models into models/: the ONNX files of faceplugin-face-recognition-js@0.0.1 from the package's own
# npm tarball, checked against scripts/face-models.sha256 (see ensure_face_models in scripts/common.sh).
# ./run.sh and ./test.sh call this themselves; run it before a plain `dotnet build` of a fresh clone.
#   FACE_MODELS_TARBALL=/path/faceplugin-face-recognition-js-0.0.1.tgz   use a tarball at hand (offline)
set -euo pipefail
source "$(dirname "$0")/common.sh"
ensure_face_models
echo "face models in $face_models_dir:"
ls "$face_models_dir"/*.onnx
