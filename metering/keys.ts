/**
 * Per-user API keys for the metering gateway. A key is shown once when created; the ledger and
 * the gateways keep only its SHA-256, so neither a ledger dump nor a gateway's key file lets
 * anybody use a key.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Queryable } from "../billing/ledger";

export const KEY_PREFIX = "aiwc_";

export function hashKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** A new key for `user`: stored as its hash, returned in clear this once. */
export async function createKey(ledger: Queryable, user: string): Promise<string> {
  const key = `${KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  await ledger.query("insert into api_keys (hash, user_name) values ($1, $2)", [hashKey(key), user]);
  return key;
}

/** Revokes every key of `user`; returns how many. */
export async function revokeKeys(ledger: Queryable, user: string): Promise<number> {
  const rows = await ledger.query<{ hash: string }>("update api_keys set revoked_at = now() where user_name = $1 and revoked_at is null returning hash", [user]);
  return rows.length;
}

/** The key file the gateways read: hashes of the keys in force, with their users. */
export interface KeyFile {
  readonly version: 1;
  readonly keys: readonly { readonly sha256: string; readonly user: string }[];
}

export async function keyFile(ledger: Queryable): Promise<KeyFile> {
  const rows = await ledger.query<{ hash: string; user_name: string }>("select hash, user_name from api_keys where revoked_at is null order by user_name, hash");
  return { version: 1, keys: rows.map((r) => ({ sha256: r.hash, user: r.user_name })) };
}
