/**
 * `aiwc wait-ssh` against real sshd hosts in network namespaces: through the bastion to a
 * host only the bastion reaches, host keys pinned on first contact, a changed key refused, an
 * unreachable host timing out with a clear message. Everything is torn down, also on failure.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { KnownHosts } from "../../ssh/known-hosts";
import { waitForSsh } from "../../ssh/wait-ssh";
import { ROOT, tempDir } from "../helpers";
import { startSshHosts, type SshHosts } from "../helpers-netns";

let hosts: SshHosts;
beforeAll(async () => {
  hosts = await startSshHosts();
});
afterAll(() => hosts?.close());

describe("wait-ssh through a bastion", () => {
  test("reaches the private host through the bastion and pins both host keys; a changed key is refused", async () => {
    const file = join(tempDir(), "known_hosts");
    const options = (targets: { name: string; host: string; user: string }[], deadlineMs = 15_000) => ({
      bastion: { name: "bastion", host: hosts.bastion.host, user: "root" },
      targets,
      privateKey: hosts.clientKey,
      knownHosts: new KnownHosts(file),
      deadlineMs,
    });
    const first = await waitForSsh(options([{ name: "private-01", host: hosts.private.host, user: "root" }]));
    expect(first).toEqual({ ok: ["bastion", "private-01"], failed: [] });
    const pinned = readFileSync(file, "utf8").trim().split("\n");
    expect(pinned.map((l) => l.split(" ").slice(0, 2).join(" "))).toEqual([`${hosts.bastion.host} ssh-ed25519`, `${hosts.private.host} ssh-ed25519`]);

    // The same keys again: accepted, nothing new recorded.
    expect((await waitForSsh(options([{ name: "private-01", host: hosts.private.host, user: "root" }]))).failed).toEqual([]);
    expect(readFileSync(file, "utf8").trim().split("\n")).toHaveLength(2);

    // The private host is rebuilt with a new key: refused at once, not retried, file untouched.
    await hosts.rekey("private");
    const started = Date.now();
    const changed = await waitForSsh(options([{ name: "private-01", host: hosts.private.host, user: "root" }]));
    expect(changed.ok).toEqual(["bastion"]);
    expect(changed.failed).toEqual([{ name: "private-01", reason: expect.stringMatching(/^host key of private-01 \(10\.201\.\d+\.2\) CHANGED: refusing to connect; if the node was rebuilt on purpose, remove its line from /) }]);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(readFileSync(file, "utf8").trim().split("\n")).toHaveLength(2);
  });

  test("an unreachable host times out with a clear message; the others still succeed", async () => {
    const file = join(tempDir(), "known_hosts");
    const result = await waitForSsh({
      bastion: { name: "bastion", host: hosts.bastion.host, user: "root" },
      targets: [{ name: "ghost-01", host: hosts.unreachable, user: "root" }],
      privateKey: hosts.clientKey,
      knownHosts: new KnownHosts(file),
      deadlineMs: 4_000,
      concurrency: 2,
    });
    expect(result.ok).toEqual(["bastion"]);
    expect(result.failed).toEqual([{ name: "ghost-01", reason: expect.stringMatching(/^not reachable within 4 s \(last error: .+\)$/) }]);
    expect(existsSync(file)).toBe(true);
  });

  test("without the bastion nothing else is tried", async () => {
    const result = await waitForSsh({
      bastion: { name: "bastion", host: hosts.unreachable, user: "root" },
      targets: [{ name: "private-01", host: hosts.private.host, user: "root" }],
      privateKey: hosts.clientKey,
      knownHosts: new KnownHosts(join(tempDir(), "known_hosts")),
      deadlineMs: 2_000,
    });
    expect(result.failed.map((f) => f.name)).toEqual(["bastion", "private-01"]);
    expect(result.failed[1]!.reason).toBe("not tried: the bastion bastion is not reachable");
  });
});

describe("aiwc wait-ssh (the command)", () => {
  test("reads the inventory, waits, pins keys next to it, one line per failure, exit 1", () => {
    const dir = tempDir();
    const key = join(dir, "id");
    writeFileSync(key, hosts.clientKey, { mode: 0o600 });
    const inventory = join(dir, "inventory.yml");
    writeFileSync(
      inventory,
      [
        "all:",
        "  vars: { ansible_user: root }",
        "  children:",
        "    bastion:",
        `      hosts: { bastion-01: { ansible_host: ${hosts.bastion.host} } }`,
        "    controllers:",
        `      hosts: { controllers-01: { ansible_host: ${hosts.private.host} }, controllers-02: { ansible_host: ${hosts.unreachable} } }`,
        "",
      ].join("\n"),
    );
    const r = spawnSync(process.execPath, [join(ROOT, "bin", "aiwc.cjs"), "wait-ssh", "--inventory", inventory, "--identity", key, "--timeout", "3"], { encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("2 of 3 nodes accept SSH; host keys pinned in");
    expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^controllers-02: not reachable within 3 s \(last error: .+\)$/)]);
    expect(readFileSync(join(dir, "known_hosts"), "utf8").trim().split("\n")).toHaveLength(2);
  });
});
