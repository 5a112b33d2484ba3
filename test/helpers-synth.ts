/** In-memory synthesis for tests that compare many layouts (no files written). */
import type { Config } from "../model/load";
import { stackJson } from "../stacks/app";

export function priceConfigJson(config: Config): Record<string, Record<string, any>> {
  return stackJson(config, { outdir: "cdktf.out" });
}
