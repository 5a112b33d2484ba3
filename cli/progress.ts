/**
 * Progress of a long run on stderr: a live line on a terminal, plain timestamped lines
 * otherwise (CI logs), nothing with `--quiet` or for a run that is not long. Synthesis is
 * synchronous, so progress is reported at step boundaries (load, each stack, pricing,
 * writing), which for 10,000 users are a few seconds apart.
 */

/** From this many users a run counts as long (about 1.5 s of synthesis on a 2-core machine). */
export const LONG_RUN_USERS = 1000;

export interface Progress {
  /** A step begins. */
  step(message: string): void;
  /** The run ended: clears the live line. */
  end(): void;
}

export interface ProgressOptions {
  readonly quiet?: boolean;
  readonly stream?: Pick<NodeJS.WriteStream, "write"> & { readonly isTTY?: boolean };
  readonly now?: () => number;
}

const SILENT: Progress = { step: () => undefined, end: () => undefined };

export function progress(users: number, options: ProgressOptions = {}): Progress {
  if (options.quiet === true || users < LONG_RUN_USERS) return SILENT;
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? Date.now;
  const started = now();
  const elapsed = () => `${((now() - started) / 1000).toFixed(1)} s`;
  let live = false;
  return {
    step(message) {
      if (stream.isTTY === true) {
        stream.write(`\r\x1b[2Kaiwc: ${message} (${elapsed()})`);
        live = true;
      } else stream.write(`aiwc: [${elapsed()}] ${message}\n`);
    },
    end() {
      if (live) stream.write("\r\x1b[2K");
      live = false;
    },
  };
}

/** Runs `work` with a step callback for a run of `users` users; the live line ends however `work` does. */
export function withProgress<T>(users: number, options: ProgressOptions, work: (onStep: (message: string) => void) => T): T {
  const steps = progress(users, options);
  try {
    return work((message) => steps.step(message));
  } finally {
    steps.end();
  }
}
