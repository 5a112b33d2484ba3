/**
 * aiwc's layers, bottom to top. A module may import its own layer and the ones below, never
 * one above; no cycles anywhere; nothing below the constructs layer loads cdktf, constructs,
 * the AWS provider bindings or the generated hcloud/ovh bindings (so `aiwc validate` and the
 * cost engine never pay for them). Checked by test/architecture.test.ts.
 */
const LAYERS = [
  { name: "base", path: "^(config/|catalog/|providers/|clouds/sections\\.ts$|clouds/[^/]+/section\\.ts$)" },
  { name: "provider-models", path: "^clouds/(registry|provider-model|type-checks)\\.ts$|^clouds/[^/]+/(model|zones)\\.ts$|^clouds/[^/]+/pricing/" },
  { name: "model", path: "^model/" },
  { name: "cost", path: "^(cost|billing|metering|reporting|ansible|ssh)/" },
  { name: "constructs", path: "^(constructs/|\\.gen/|clouds/stacks\\.ts$|clouds/[^/]+/constructs/)" },
  { name: "stacks", path: "^stacks/" },
  { name: "cli", path: "^(cli|bin)/" },
];

const CDKTF = "^node_modules/(cdktf|constructs|@cdktf)/";

module.exports = {

  forbidden: [
    { name: "no-cycles", severity: "error", comment: "a cycle makes every module in it load the others", from: {}, to: { circular: true } },
    ...LAYERS.flatMap((layer, i) =>
      LAYERS.slice(i + 1).map((above) => ({
        name: `${layer.name}-not-above`,
        severity: "error",
        comment: `${layer.name} may not import ${above.name} (a layer above it)`,
        from: { path: layer.path },
        to: { path: above.path },
      })),
    ),
    {
      name: "no-cdktf-below-constructs",
      severity: "error",
      comment: "config, catalog, provider models, model and cost must not load cdktf or provider bindings",
      // providers/generate.ts is install-time tooling: it runs the binding generator.
      from: { path: LAYERS.slice(0, 4).map((l) => `(${l.path})`).join("|"), pathNot: "^providers/generate\\.ts$" },
      to: { path: CDKTF },
    },
    {
      name: "cdktf-through-one-module",
      severity: "error",
      comment: "aiwc's code reaches cdktf and constructs through constructs/cdk.ts only (a move to cdktn is one change); generated bindings excepted",
      from: { pathNot: "^(constructs/cdk\\.ts|providers/generate\\.ts)$|^\\.gen/" },
      to: { path: "^node_modules/(cdktf|constructs)/" },
    },
    {
      name: "provider-folders-apart",
      severity: "error",
      comment: "a provider's folder imports no other provider's folder",
      from: { path: "^clouds/([^/]+)/" },
      to: { path: "^clouds/[^/]+/", pathNot: "^clouds/$1/" },
    },
    { name: "not-to-unresolvable", severity: "error", from: {}, to: { couldNotResolve: true } },
  ],
  options: {
    doNotFollow: { path: "^(node_modules|dist)/" },
    exclude: { path: "^(cdktf\\.out|test|bench)/" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    combinedDependencies: false,
    // Resolve packages through their "exports" maps (csv-parse/sync, csv-stringify/sync) as Node's require does.
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["require", "node", "default"] },
  },
};
