#!/usr/bin/env bash
# Creates a Key Vault secret ONCE with a fresh random value, and refuses to touch a secret that already exists
# (also a soft-deleted one): the ID-number hash key must never change (every stored lookup key depends on it) and
# a data-protection key must never be replaced under data encrypted with it.
#
#   infra/scripts/create-secret.sh <vault> identity-hash-key          # once per tenant, at the first deployment
#   infra/scripts/create-secret.sh <vault> data-protection-key-k2     # data-key rotation (then add k2 to the parameters)
#
# Needs a time-limited Key Vault Secrets Officer assignment (docs/deploy.md, "Access for people") and network
# access to the vault (from the VNet or the bureau network). Prints nothing secret.
set -euo pipefail
vault="${1:?usage: create-secret.sh <vault-name> <secret-name>}"
name="${2:?usage: create-secret.sh <vault-name> <secret-name>}"
case "$name" in
  identity-hash-key|data-protection-key-*) ;;
  *) echo "error: '$name' is not a PensionCert key secret (identity-hash-key, data-protection-key-<id>)" >&2; exit 2 ;;
esac
if az keyvault secret show --vault-name "$vault" --name "$name" --query id -o tsv >/dev/null 2>&1; then
  echo "refused: secret '$name' already exists in '$vault'; it is never overwritten" >&2
  exit 1
fi
if az keyvault secret show-deleted --vault-name "$vault" --name "$name" --query recoveryId -o tsv >/dev/null 2>&1; then
  echo "refused: secret '$name' is soft-deleted in '$vault': recover it (az keyvault secret recover), do not replace it" >&2
  exit 1
fi
# 32 random bytes, base64 (AES-256 / HMAC-SHA256 key); generated here, never echoed or logged.
az keyvault secret set --vault-name "$vault" --name "$name" --value "$(openssl rand -base64 32)" \
  --content-type "application/octet-stream; base64" --tags created-by=create-secret.sh -o none
echo "created '$name' in '$vault' (value not shown). Escrow the hash key offline as the bureau's key policy requires."
