/**
 * Config problems: every loader and rule reports into one list so that an operator sees
 * all mistakes at once, each as `file: dot.path: message` (changesets' getDotPath style).
 */
export interface Problem {
  /** File the problem is in, as the operator named it (relative when possible). */
  readonly file: string;
  /** Dot path inside the file (`nodeGroups.controllers.count`, `users[3].packs[0]`); "" for the whole file. */
  readonly path: string;
  /** What is wrong and how to fix it. */
  readonly message: string;
  /** 1-based line and column, for YAML syntax errors. */
  readonly line?: number;
  readonly column?: number;
}

export type PathSegment = string | number;

/** `["users", 3, "packs", 0]` → `users[3].packs[0]`. */
export function dotPath(segments: readonly PathSegment[]): string {
  let out = "";
  for (const segment of segments) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) out += out === "" ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** Control characters from the operator's values, escaped: one problem is always one line. */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => JSON.stringify(c).slice(1, -1));
}

export function formatProblem(problem: Problem): string {
  const where = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}:${problem.column ?? 1}`;
  return problem.path === "" ? `${where}: ${problem.message}` : `${where}: ${problem.path}: ${problem.message}`;
}

/** Thrown by the loader when the config has errors; carries every problem found. */
export class ConfigError extends Error {
  constructor(
    readonly problems: readonly Problem[],
    readonly warnings: readonly Problem[] = [],
  ) {
    super(
      `invalid configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  ${formatProblem(p)}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

/** Collects problems for one file; rules call `add` with a path and a message. */
export class ProblemSink {
  readonly problems: Problem[] = [];
  readonly warnings: Problem[] = [];

  add(file: string, path: readonly PathSegment[] | string, message: string): void {
    this.problems.push({ file, path: oneLine(typeof path === "string" ? path : dotPath(path)), message: oneLine(message) });
  }

  warn(file: string, path: readonly PathSegment[] | string, message: string): void {
    this.warnings.push({ file, path: oneLine(typeof path === "string" ? path : dotPath(path)), message: oneLine(message) });
  }
}

/** Closest candidate by edit distance, for "did you mean …?" hints; undefined when nothing is close. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const saved = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = saved;
    }
  }
  return row[b.length]!;
}
