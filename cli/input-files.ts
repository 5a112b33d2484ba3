/**
 * Input files of the commands (plans, reports, outputs, state): regular files only, bounded in
 * size, parsed with the file named in every error. No stack traces for bad input.
 */
import { displayPath } from "../model/load";
import { readRegularFile } from "../config/files";
import { AIWC_LIMITS } from "../config/limits";
import { UsageError } from "./result";

export function readText(file: string, what: string, maxBytes: number = AIWC_LIMITS.jsonBytes): string {
  const read = readRegularFile(file, maxBytes, what);
  if (!read.ok) throw new UsageError(`${displayPath(file)}: ${read.problem}`);
  return read.text;
}

export function readJsonFile(file: string, what: string, hint = ""): unknown {
  const text = readText(file, what);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`${displayPath(file)}: not valid JSON (${(error as Error).message})${hint !== "" ? `; ${hint}` : ""}`);
  }
}
