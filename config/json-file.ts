/**
 * Writes `JSON.stringify(value, null, 2)` plus a newline to a file, byte for byte, without ever
 * holding the whole text: the top two levels are written piece by piece, everything below
 * them as one JSON.stringify each. A 100,000-user report is about 100 MB of text; built as one
 * string it was the largest single allocation of a synthesis.
 */
import { closeSync, openSync, writeSync } from "node:fs";

const CHUNK = 1 << 20;

export function writeJsonFile(file: string, value: unknown): void {
  const fd = openSync(file, "w");
  let buffer = "";
  const put = (text: string) => {
    buffer += text;
    if (buffer.length >= CHUNK) {
      writeSync(fd, buffer);
      buffer = "";
    }
  };
  const leaf = (v: unknown, indent: string) => put((JSON.stringify(v, null, 2) ?? "null").replace(/\n/g, `\n${indent}`));
  const write = (v: unknown, indent: string, depth: number): void => {
    if (depth >= 2 || v === null || typeof v !== "object" || typeof (v as { toJSON?: unknown }).toJSON === "function") return leaf(v, indent);
    const inner = `${indent}  `;
    if (Array.isArray(v)) {
      if (v.length === 0) return put("[]");
      put("[\n");
      v.forEach((item, i) => {
        put(inner);
        // JSON.stringify writes null for undefined, functions and symbols in arrays.
        if (item === undefined || typeof item === "function" || typeof item === "symbol") put("null");
        else write(item, inner, depth + 1);
        put(i < v.length - 1 ? ",\n" : "\n");
      });
      return put(`${indent}]`);
    }
    const entries = Object.entries(v).filter(([, item]) => item !== undefined && typeof item !== "function" && typeof item !== "symbol");
    if (entries.length === 0) return put("{}");
    put("{\n");
    entries.forEach(([key, item], i) => {
      put(`${inner}${JSON.stringify(key)}: `);
      write(item, inner, depth + 1);
      put(i < entries.length - 1 ? ",\n" : "\n");
    });
    put(`${indent}}`);
  };
  try {
    write(value, "", 0);
    put("\n");
    writeSync(fd, buffer);
  } finally {
    closeSync(fd);
  }
}
