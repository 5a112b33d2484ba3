import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    globalSetup: ["test/global-setup.ts"],
    // Synthesis and the cdktf CLI take seconds on a 2-core machine; timings are benchmarked in
    // bench/, never asserted here.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    env: { CHECKPOINT_DISABLE: "1" },
    // In CI, also write machine-readable results; .ci/run prints the totals from them (one file
    // per Node version it runs the suite on: AIWC_TEST_RESULTS).
    reporters: process.env.CI ? ["default", ["json", { outputFile: process.env.AIWC_TEST_RESULTS ?? "test-results.json" }]] : ["default"],
  },
});
