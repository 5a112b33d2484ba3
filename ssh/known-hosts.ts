/**
 * Pinned host keys in OpenSSH known_hosts format (`<host> <type> <base64 key>`): the first
 * contact records a host's key, every later contact must present the same key. A changed key
 * is refused, never accepted silently.
 */
import { appendFileSync, existsSync, readFileSync } from "node:fs";

export type KeyCheck = "known" | "new" | "changed";

/** The key type inside an SSH public key blob (`ssh-ed25519`, `ecdsa-sha2-nistp256`, …). */
export function keyType(blob: Buffer): string {
  const length = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + length).toString("ascii");
}

export class KnownHosts {
  private readonly keys = new Map<string, Set<string>>();

  constructor(readonly file: string) {
    if (!existsSync(file)) return;
    for (const line of readFileSync(file, "utf8").split("\n")) {
      const trimmed = line.trim();
      if (trimmed === "" || trimmed.startsWith("#")) continue;
      const [hosts, type, key] = trimmed.split(/\s+/);
      if (hosts === undefined || type === undefined || key === undefined) continue;
      for (const host of hosts.split(",")) {
        const set = this.keys.get(host) ?? new Set<string>();
        set.add(`${type} ${key}`);
        this.keys.set(host, set);
      }
    }
  }

  /** `host` as known_hosts writes it: bare for port 22, `[host]:port` otherwise. */
  static hostId(host: string, port: number): string {
    return port === 22 ? host : `[${host}]:${port}`;
  }

  check(hostId: string, blob: Buffer): KeyCheck {
    const entry = `${keyType(blob)} ${blob.toString("base64")}`;
    const known = this.keys.get(hostId);
    if (known === undefined) return "new";
    return known.has(entry) ? "known" : "changed";
  }

  /** Records a first-contact key (appends to the file the operator keeps). */
  record(hostId: string, blob: Buffer): void {
    const entry = `${keyType(blob)} ${blob.toString("base64")}`;
    const set = this.keys.get(hostId) ?? new Set<string>();
    if (set.has(entry)) return;
    set.add(entry);
    this.keys.set(hostId, set);
    appendFileSync(this.file, `${hostId} ${entry}\n`, { mode: 0o600 });
  }
}
