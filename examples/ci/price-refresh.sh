#!/usr/bin/env bash
# Refreshes the price catalogs from the providers' own price lists and writes the pull
# request's description (aiwc-price-refresh.md) — run monthly by github-price-refresh.yml,
# which opens the pull request when a catalog changed. Exit 0 whether or not a price changed;
# 1 when a price list could not be read (nothing is written then).
#
#   AIWC                     the aiwc command (default: npx aiwc)
#   AIWC_CONFIG              the config whose catalogs are refreshed (default: config/)
#   AIWC_REFRESH_PROVIDERS   providers to refresh (default: hetzner ovh)
#   HCLOUD_TOKEN             Hetzner: a read-only API token of any project (OVH's list is public)
#   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY   AWS: a key allowed pricing:GetProducts
#   AIWC_PRICE_LIST_FROM_<PROVIDER>  a saved response to replay instead (offline; tests)
set -euo pipefail
aiwc=${AIWC:-npx aiwc}
body=aiwc-price-refresh.md
{
  echo "<!-- aiwc-price-refresh -->"
  echo "## aiwc price refresh"
  echo
} > "$body"
for provider in ${AIWC_REFRESH_PROVIDERS:-hetzner ovh}; do
  replay="AIWC_PRICE_LIST_FROM_$(echo "$provider" | tr '[:lower:]' '[:upper:]')"
  from=()
  if [ -n "${!replay:-}" ]; then from=(--from "${!replay}"); fi
  $aiwc prices refresh "$provider" --format markdown "${from[@]}" >> "$body"
  echo >> "$body"
done
# What is still too old after the refresh (hand-kept rows: dedicated servers, other providers).
set +e
$aiwc prices check > /dev/null 2> aiwc-prices-check.txt
status=$?
set -e
if [ "$status" -eq 2 ]; then
  { echo "### Still older than policy.maxCatalogAgeDays"; echo; sed 's/^/- /' aiwc-prices-check.txt; } >> "$body"
elif [ "$status" -ne 0 ]; then
  cat aiwc-prices-check.txt >&2
  exit "$status"
else
  echo "Every price in use is within policy.maxCatalogAgeDays." >> "$body"
fi
rm -f aiwc-prices-check.txt
