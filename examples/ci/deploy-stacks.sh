#!/usr/bin/env bash
# Which stacks a deploy applies: the ones the change since the last deploy touches, the
# platform first. Synthesizes (the cost gate runs), checks the stacks are what the gate judged,
# then writes aiwc-deploy.json:
#
#   {"platform": true, "users": ["users-03", "users-07"]}
#
#   examples/ci/deploy-stacks.sh [<git ref of the last deploy>]
#
# Without a ref (or one the clone lacks), every stack is deployed. A change that moves users
# between users stacks (state.shards changed) stops here unless AIWC_SHARDS_MIGRATED=1 says the
# script of `aiwc shards plan` has moved their state: else the old stack's deploy would destroy
# their machines. Environment: AIWC (default "npx aiwc"), AIWC_CONFIG (default config/),
# AIWC_OUTDIR (default cdktf.out), AIWC_GITLAB_PIPELINE (a file: also write a GitLab child
# pipeline deploying those stacks, the platform first, then one job per users stack).
# Exit code: 0, or aiwc's (1 bad input, 2 the gate fails).
set -euo pipefail
base="${1:-}"
aiwc="${AIWC:-npx aiwc}"
outdir="${AIWC_OUTDIR:-cdktf.out}"
config=(${AIWC_CONFIG:+--config "$AIWC_CONFIG"})

# shellcheck disable=SC2086 # AIWC may be a command with arguments.
$aiwc synth "${config[@]}" --out "$outdir" --quiet > /dev/null
$aiwc verify "$outdir"
if [ -n "$base" ] && git rev-parse -q --verify "$base^{commit}" > /dev/null; then
  flags=(--base "$base" --format json --json-out aiwc-deploy-diff.json --fail-on gate)
  if [ "${AIWC_SHARDS_MIGRATED:-}" = "1" ]; then flags+=(--shards-migrated); fi
  # shellcheck disable=SC2086
  $aiwc cost diff "${config[@]}" "${flags[@]}" > /dev/null
  node -e '
    const d = JSON.parse(require("fs").readFileSync("aiwc-deploy-diff.json", "utf8"));
    const live = d.stacks.touched.filter((s) => !d.stacks.removed.includes(s));
    process.stdout.write(JSON.stringify({ platform: live.includes("platform"), users: live.filter((s) => s !== "platform") }));
  ' > aiwc-deploy.json
else
  node -e '
    const stacks = require("fs").readdirSync(process.argv[1] + "/stacks").sort();
    process.stdout.write(JSON.stringify({ platform: stacks.includes("platform"), users: stacks.filter((s) => s !== "platform") }));
  ' "$outdir" > aiwc-deploy.json
fi
cat aiwc-deploy.json
echo
if [ -n "${AIWC_GITLAB_PIPELINE:-}" ]; then
  # JSON is YAML: GitLab reads the child pipeline as written.
  node -e '
    const plan = JSON.parse(require("fs").readFileSync("aiwc-deploy.json", "utf8"));
    const parent = { pipeline: "$PARENT_PIPELINE_ID", job: "aiwc-deploy-plan" };
    const deploy = (stack, stage, needs) => ({
      stage,
      image: "node:22",
      needs: [parent, ...needs],
      resource_group: `aiwc-${stack}`,
      script: ["npm ci", "npx aiwc verify", `npx cdktf deploy ${stack} --skip-synth --skip-provider-lock --auto-approve`],
    });
    const jobs = {};
    if (plan.platform) jobs["deploy-platform"] = deploy("platform", "platform", []);
    for (const stack of plan.users) jobs[`deploy-${stack}`] = deploy(stack, "users", plan.platform ? ["deploy-platform"] : []);
    jobs["aiwc-record"] = { stage: "record", image: "node:22", needs: [parent, ...Object.keys(jobs)], script: ["npm ci", "npx aiwc record", "git tag -f aiwc/deployed \"$CI_COMMIT_SHA\" && git push -f \"https://oauth2:$AIWC_GITLAB_TOKEN@$CI_SERVER_HOST/$CI_PROJECT_PATH.git\" aiwc/deployed"] };
    const pipeline = { stages: ["platform", "users", "record"], ...jobs };
    require("fs").writeFileSync(process.argv[1], JSON.stringify(pipeline, null, 2) + "\n");
  ' "$AIWC_GITLAB_PIPELINE"
fi
