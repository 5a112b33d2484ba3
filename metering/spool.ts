/**
 * The collectors' spool: usage events appended one JSON line at a time to
 * `<dir>/events-<YYYY-MM-DD>.jsonl` and fsynced before the append returns, so an event the
 * gateway recorded survives a crash. `aiwc usage collect` ships the spool into the ledger
 * (idempotent by source and id, so shipping twice changes nothing) and moves the files of
 * past days into `<dir>/shipped/`. A line cut short by a crash is left for the operator, never
 * guessed at.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { UsageEvent } from "../billing/usage";

export class Spool {
  private fd?: number;
  private day?: string;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  append(event: UsageEvent): void {
    const day = event.time.slice(0, 10);
    if (this.day !== day || this.fd === undefined) {
      if (this.fd !== undefined) closeSync(this.fd);
      this.fd = openSync(join(this.dir, `events-${day}.jsonl`), "a");
      this.day = day;
    }
    writeSync(this.fd, `${JSON.stringify(event)}\n`);
    fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

export interface SpoolFile {
  readonly file: string;
  readonly day: string;
  /** The complete lines (a last line without its newline is left out). */
  readonly text: string;
  readonly incomplete: boolean;
}

/** The spool's files, oldest first. */
export function spoolFiles(dir: string): SpoolFile[] {
  return readdirSync(dir)
    .filter((name) => /^events-\d{4}-\d{2}-\d{2}\.jsonl$/.test(name))
    .sort()
    .map((name) => {
      const file = join(dir, name);
      const raw = readFileSync(file, "utf8");
      const end = raw.lastIndexOf("\n") + 1;
      return { file, day: name.slice(7, 17), text: raw.slice(0, end), incomplete: end < raw.length };
    });
}

/** Moves a shipped file of a past day out of the way. */
export function markShipped(dir: string, file: SpoolFile): void {
  mkdirSync(join(dir, "shipped"), { recursive: true });
  renameSync(file.file, join(dir, "shipped", file.file.slice(dir.length + 1)));
}
