/** The one SHA-256 helper (hex) for content digests: gate records, lockfiles, precompiled YAML. */
import { createHash } from "node:crypto";

export function sha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}
