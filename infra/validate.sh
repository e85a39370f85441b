#!/usr/bin/env bash
# Validates the Bicep templates without Azure: installs the Bicep CLI from its NuGet package (infra/tools, cached
# in the NuGet packages folder), then `bicep build` + `bicep lint` of main.bicep and `bicep build-params` + `lint`
# of each parameter file. Prints every diagnostic; exits 1 on any error, and with --strict on any warning too.
# CI runs the same checks (and more) as tests/PensionCert.Infra.Tests inside ./test.sh.
set -euo pipefail
cd "$(dirname "$0")"
strict=0
[ "${1:-}" = "--strict" ] && strict=1

dotnet restore tools/bicep.csproj --nologo -v quiet >/dev/null
bicep="$(dotnet msbuild tools/bicep.csproj -nologo -getProperty:BicepCliPath)"
[ -f "$bicep" ] || { echo "error: Bicep CLI not found at '$bicep' after restore" >&2; exit 1; }
[ -x "$bicep" ] || chmod u+x "$bicep"
echo "==> $("$bicep" --version)"

out="$(mktemp -d)"
log="$out/diagnostics.txt"
trap 'rm -rf "$out"' EXIT
status=0
run() {
  echo "==> bicep $*"
  if ! "$bicep" "$@" 2>&1 | tee -a "$log"; then status=1; fi
}
# Production parameters read these from the environment (they have no defaults on purpose); CI uses sample values.
export PENSIONCERT_TENANT="${PENSIONCERT_TENANT:-ci}"
export PENSIONCERT_ALERT_EMAIL="${PENSIONCERT_ALERT_EMAIL:-pensioncert-oncall@hrss.gd.gov.cn}"
export PENSIONCERT_BUREAU_CIDRS="${PENSIONCERT_BUREAU_CIDRS:-10.20.0.0/16}"
export PENSIONCERT_OPERATOR_ISSUER="${PENSIONCERT_OPERATOR_ISSUER:-https://idp.hrss.gd.gov.cn/pensioncert}"
export PENSIONCERT_OPERATOR_AUDIENCE="${PENSIONCERT_OPERATOR_AUDIENCE:-api://pensioncert-gd}"
export PENSIONCERT_OPERATOR_AUTHORITY="${PENSIONCERT_OPERATOR_AUTHORITY:-https://idp.hrss.gd.gov.cn/pensioncert}"
export PENSIONCERT_DATA_KEY_IDS="${PENSIONCERT_DATA_KEY_IDS:-k1}"
export PENSIONCERT_ACTIVE_DATA_KEY="${PENSIONCERT_ACTIVE_DATA_KEY:-k1}"

run build main.bicep --outfile "$out/main.json"
run lint main.bicep
for params in main.dev.bicepparam main.prod.bicepparam main.china.dev.bicepparam main.china.prod.bicepparam; do
  run build-params "$params" --outfile "$out/${params%.bicepparam}.parameters.json"
  run lint "$params"
done

errors=$(grep -c ': Error ' "$log" || true)
warnings=$(grep -c ': Warning ' "$log" || true)
echo "==> $errors error(s), $warnings warning(s)"
[ "$errors" -gt 0 ] && status=1
[ "$strict" -eq 1 ] && [ "$warnings" -gt 0 ] && status=1
exit "$status"
