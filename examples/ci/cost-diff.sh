#!/usr/bin/env bash
# The cost diff of a pull/merge request, as a Markdown comment body in aiwc-cost-diff.md.
# Used by github-actions.yml and gitlab-ci.yml; runs the same anywhere:
#
#   examples/ci/cost-diff.sh <base git ref>      e.g. origin/main
#
# Environment: AIWC (default "npx aiwc"), AIWC_CONFIG (default config/),
# AIWC_FAIL_ON (default "gate data-at-risk"), AIWC_OUTPUT (default aiwc-cost-diff.md),
# AIWC_JSON_OUTPUT (default aiwc-cost-diff.json: the full diff, for the job's artifact; the
# comment is capped at GitHub's 65,536 characters).
# Exit code: aiwc's (0 fine, 1 bad input or config, 2 a --fail-on condition holds); the
# comment file is written in every case but 1, so CI can post it before failing the job.
set -uo pipefail
base="${1:?usage: cost-diff.sh <base git ref>}"
aiwc="${AIWC:-npx aiwc}"
output="${AIWC_OUTPUT:-aiwc-cost-diff.md}"
json_output="${AIWC_JSON_OUTPUT:-aiwc-cost-diff.json}"
# One marker per comment, so the job updates its comment instead of adding one per push.
marker="<!-- aiwc-cost-diff -->"

# shellcheck disable=SC2086 # AIWC may be a command with arguments.
body=$($aiwc cost diff --base "$base" ${AIWC_CONFIG:+--config "$AIWC_CONFIG"} --format markdown --json-out "$json_output" --fail-on ${AIWC_FAIL_ON:-gate data-at-risk})
status=$?
if [ "$status" -eq 1 ]; then
  exit 1
fi
printf '%s\n%s\n' "$marker" "$body" > "$output"
cat "$output"
exit "$status"
