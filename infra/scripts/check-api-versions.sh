#!/usr/bin/env bash
# Checks that the cloud you are signed in to offers every resource type and API version the templates use. Run it
# before the first deployment on Azure China (az cloud set --name AzureChinaCloud; az login) and after raising the
# Bicep CLI: the templates take the newest API versions the CLI knows, and Azure China's Resource Manager can lag.
# Not part of CI (it needs Azure access); `--list` prints the type@version pairs only, without Azure.
#
#   infra/scripts/check-api-versions.sh          # "missing: <type>@<version>" for each one not offered; exit 1 if any
#   infra/scripts/check-api-versions.sh --list   # every <type>@<version> in infra/main.bicep and infra/modules/
set -euo pipefail
infra="$(cd "$(dirname "$0")/.." && pwd)"

# Every 'Namespace/type@version' in the Bicep sources: deployed resources and `existing` references alike (both
# need the version in the target cloud).
pairs=$(grep -rhoE "'Microsoft\.[A-Za-z]+/[A-Za-z/]+@[0-9]{4}-[0-9]{2}-[0-9]{2}(-preview)?'" "$infra/main.bicep" "$infra/modules" | tr -d "'" | sort -u)
if [ "${1:-}" = "--list" ]; then
  echo "$pairs"
  exit 0
fi

command -v az >/dev/null || { echo "error: the Azure CLI (az) is needed; sign in to the target cloud first" >&2; exit 2; }
echo "==> cloud: $(az cloud show --query name -o tsv)"
missing=0
declare -A offered
for pair in $pairs; do
  type="${pair%@*}"; version="${pair#*@}"
  namespace="${type%%/*}"; rest="${type#*/}"
  if [ -z "${offered[$namespace]+x}" ]; then
    # One line per resource type: "<type lower-case> <version>,<version>,..."
    offered[$namespace]=$(az provider show -n "$namespace" --query "resourceTypes[].[resourceType, join(',', apiVersions)]" -o tsv 2>/dev/null \
      | awk -F'\t' '{ print tolower($1) " " $2 }' || true)
  fi
  versions=$(printf '%s\n' "${offered[$namespace]}" | awk -v t="$(echo "$rest" | tr '[:upper:]' '[:lower:]')" '$1 == t { print $2 }')
  if [ -z "$versions" ]; then
    echo "unlisted: $pair (the provider lists no such type; what-if decides)"
  elif [[ ",$versions," == *",$version,"* ]]; then
    echo "ok: $pair"
  else
    echo "missing: $pair (offered: $(echo "$versions" | cut -d, -f1-3)...)"
    missing=1
  fi
done
exit "$missing"
