import type { CostReport } from "../cost/report";

/**
 * Thrown when the cost gate refuses a synthesis: an expected failure, reported without a
 * stack trace. Its own module so the CLI can recognise it without loading cdktf.
 */
export class GateFailure extends Error {
  constructor(readonly report: CostReport) {
    super(`cost gate failed:\n${report.gate.reasons.map((r) => `  - ${r}`).join("\n")}`);
    this.name = "GateFailure";
  }
}
