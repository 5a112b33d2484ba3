/** What a command returns: printed by cli/main.ts, asserted by tests. */
export interface CommandResult {
  readonly stdout: string;
  readonly stderr?: string;
  readonly exitCode: number;
}

/** Bad arguments or input files: printed as one line, exit 1, no stack trace. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
