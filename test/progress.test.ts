/**
 * Long runs report progress on stderr: a live line on a terminal, plain timestamped lines in
 * a log, nothing with --quiet, nothing for a run that is not long (the default config).
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { LONG_RUN_USERS, progress } from "../cli/progress";
import { ROOT, tempDir } from "./helpers";
import { configWithUsers } from "./helpers-scale";

function recorder(isTTY: boolean) {
  let out = "";
  let t = 0;
  return { stream: { isTTY, write: (s: string) => ((out += s), true) }, now: () => (t += 1500), text: () => out };
}

describe("progress", () => {
  test("a log gets one timestamped line per step; a terminal one live line, cleared at the end", () => {
    const log = recorder(false);
    const p = progress(LONG_RUN_USERS, { stream: log.stream, now: log.now });
    p.step("building the users stack");
    p.step("pricing");
    p.end();
    expect(log.text()).toBe("aiwc: [1.5 s] building the users stack\naiwc: [3.0 s] pricing\n");
    const tty = recorder(true);
    const live = progress(LONG_RUN_USERS, { stream: tty.stream, now: tty.now });
    live.step("pricing");
    live.end();
    expect(tty.text()).toBe("\r\x1b[2Kaiwc: pricing (1.5 s)\r\x1b[2K");
  });

  test("short runs and --quiet print nothing", () => {
    const log = recorder(false);
    progress(LONG_RUN_USERS - 1, { stream: log.stream, now: log.now }).step("x");
    progress(LONG_RUN_USERS, { quiet: true, stream: log.stream, now: log.now }).step("x");
    expect(log.text()).toBe("");
  });

  test("aiwc cost on 1,000 users reports its steps on stderr, and not with --quiet; stdout is the same", () => {
    const dir = tempDir("aiwc-progress-");
    configWithUsers(1000, dir, "hetzner");
    const aiwc = (args: string[]) => spawnSync(process.execPath, [join(ROOT, "bin", "aiwc.cjs"), "cost", "--config", dir, "--format", "json", "--date", "2026-11-27", ...args], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    const loud = aiwc([]);
    expect(loud.status, loud.stderr).toBe(0);
    expect(loud.stderr.split("\n").filter((l) => l.startsWith("aiwc: ["))).toEqual([
      expect.stringMatching(/^aiwc: \[\d+\.\d s\] building the platform stack$/),
      expect.stringMatching(/^aiwc: \[\d+\.\d s\] building, resolving and pricing the users stacks \(1,000 users in 1 stack\)$/),
      expect.stringMatching(/^aiwc: \[\d+\.\d s\] pricing$/),
    ]);
    const quiet = aiwc(["--quiet"]);
    expect(quiet.status).toBe(0);
    expect(quiet.stderr).not.toContain("aiwc: [");
    expect(JSON.parse(quiet.stdout)).toEqual(JSON.parse(loud.stdout));
  });
});
