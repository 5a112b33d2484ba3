/** What a command returns: printed by cli/main.ts, asserted by tests. */
export interface CommandResult {
  readonly stdout: string;
  readonly stderr?: string;
  readonly exitCode: number;
}
