/**
 * Once before the test run: compile dist/ from the sources under test, so every test that
 * runs the `aiwc` binary runs this checkout's code (the binary runs dist/, never TypeScript).
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";

export default function setup(): void {
  execFileSync(process.execPath, [join(__dirname, "..", "scripts", "build.cjs")], { stdio: "inherit" });
}
