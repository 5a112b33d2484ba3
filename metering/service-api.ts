/**
 * What the service collectors (n8n, Langfuse) share: JSON over HTTP with a timeout, one error
 * type that says which service failed and how (the CLI prints it and exits 1, nothing
 * spooled), and the cursor file replaced whole.
 */
import { existsSync, readFileSync } from "node:fs";
import { replaceFile } from "./spool";

export class ServiceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ServiceError";
  }
}

/** GET `url` as JSON; anything but a 200 with JSON is a ServiceError naming the service. */
export async function getJson(service: string, url: URL, headers: Record<string, string>, options: { readonly missing?: "undefined"; readonly timeoutMs?: number } = {}): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: "application/json", ...headers }, signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new ServiceError(`${service} at ${url.origin} cannot be reached: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
  }
  const text = await response.text();
  if (response.status === 404 && options.missing === "undefined") return undefined;
  if (response.status === 401 || response.status === 403) throw new ServiceError(`${service} at ${url.origin} refused the credentials (HTTP ${response.status} on ${url.pathname})`);
  if (response.status !== 200) throw new ServiceError(`${service} at ${url.origin} answered HTTP ${response.status} on ${url.pathname}: ${text.slice(0, 200)}`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ServiceError(`${service} at ${url.origin} answered ${url.pathname} with something that is not JSON: ${text.slice(0, 200)}`);
  }
}

/** A collector's cursor: `initial` when there is none yet; a file that is not one is an error. */
export function readCursorFile<T extends { version: number }>(path: string, command: string, initial: T, valid: (value: T) => boolean): T {
  if (!existsSync(path)) return initial;
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as T;
    if (parsed.version !== initial.version || !valid(parsed)) throw new Error("shape");
    return parsed;
  } catch {
    throw new ServiceError(`${path} is not a cursor written by \`${command}\` (move it away to start again from the beginning)`);
  }
}

export function writeCursorFile(path: string, value: unknown): void {
  replaceFile(path, `${JSON.stringify(value, null, 1)}\n`);
}
