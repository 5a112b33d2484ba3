/**
 * `aiwc usage collect`: the spool into the ledger. Each file is read and checked like any usage
 * file and imported in its own transaction (idempotent by source and id); files of past days
 * are then moved to `shipped/`, today's stays for the gateway to append to. A ledger that
 * cannot be reached fails the run with nothing moved — the next run ships everything.
 */
import { today as dayOf } from "../config/dates";
import type { Config } from "../model/load";
import type { Ledger } from "../billing/ledger";
import { importUsage, readUsage } from "../billing/usage";
import { markShipped, spoolFiles } from "./spool";

export interface CollectResult {
  readonly files: number;
  readonly events: number;
  readonly imported: number;
  readonly incomplete: readonly string[];
}

export async function collectSpool(config: Config, ledger: Ledger, dir: string, now: Date = new Date()): Promise<CollectResult> {
  const today = dayOf(now);
  let events = 0;
  let imported = 0;
  const incomplete: string[] = [];
  const files = spoolFiles(dir);
  for (const file of files) {
    const parsed = readUsage(file.text, file.file, config, now);
    const result = await importUsage(ledger, parsed, file.file);
    events += result.events;
    imported += result.imported;
    if (file.incomplete) incomplete.push(file.file);
    else if (file.day < today) markShipped(dir, file);
  }
  return { files: files.length, events, imported, incomplete };
}
