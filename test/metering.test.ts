/**
 * The metering gateway (metering/) in front of a stand-in Ollama that streams as Ollama's API
 * documents: attribution by key or trusted forwarded header, 401/403 never forwarded, streams
 * passed through unchanged and unbuffered, one spooled event per request with GPU time rounded
 * up, concurrent users, a client gone mid-stream, and the spool shipped into the ledger once.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startGateway, gpuHours, type Gateway } from "../metering/gateway";
import { Spool, spoolFiles } from "../metering/spool";
import { collectSpool } from "../metering/collect";
import { createKey, hashKey, keyFile, revokeKeys } from "../metering/keys";
import { openLedger, type Ledger } from "../billing/ledger";
import { draftBill } from "../billing/bill";
import { loadConfig } from "../model/load";
import { startOllamaStandIn, type OllamaStandIn } from "./stand-ins/ollama";
import { DEFAULT_CONFIG, ROOT, tempDir } from "./helpers";

const config = loadConfig(DEFAULT_CONFIG);
const KEYS = { ben: "aiwc_ben-test-key", david: "aiwc_david-test-key", anna: "aiwc_anna-test-key" };
const keys = { version: 1 as const, keys: Object.entries(KEYS).map(([user, key]) => ({ sha256: hashKey(key), user })) };

let ollama: OllamaStandIn;
let gateway: Gateway;
let spoolDir: string;
let spool: Spool;
beforeAll(async () => {
  ollama = await startOllamaStandIn({ chunks: 4, delayMs: 60, totalDurationNs: 2_300_000_000 });
  spoolDir = join(tempDir("aiwc-spool-"), "spool");
  spool = new Spool(spoolDir);
  gateway = await startGateway({ config, upstream: ollama.url, keys, spool, port: 0, trustForwardedFrom: ["127.0.0.1/32"], source: "gateway:test" });
});
afterAll(async () => {
  await gateway?.close();
  spool?.close();
  await ollama?.close();
});

const events = () =>
  spoolFiles(spoolDir)
    .flatMap((f) => f.text.split("\n"))
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, string>);

async function chat(headers: Record<string, string>, body: Record<string, unknown> = { model: "llama3.1:8b", messages: [{ role: "user", content: "hi" }] }, path = "/api/chat") {
  const started = performance.now();
  const response = await fetch(`${gateway.url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  const reader = response.body!.getReader();
  const chunks: { at: number; text: string }[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push({ at: performance.now() - started, text: Buffer.from(value).toString("utf8") });
  }
  return { status: response.status, text: chunks.map((c) => c.text).join(""), chunks };
}

/** Starts `aiwc meter gateway` (the given build) as its own process, once it says where it listens. */
async function gatewayProcess(script: string, args: readonly string[], cwd?: string) {
  const child = spawn(process.execPath, [script, "meter", "gateway", "--listen", "127.0.0.1:0", ...args], { ...(cwd !== undefined ? { cwd } : {}), stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal === "SIGKILL" ? -9 : null))));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
      const m = /metering gateway on (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (m !== null) resolve(m[1]!);
    });
    child.on("exit", (code) => reject(new Error(`gateway exited ${code}: ${err}`)));
  });
  return { child, url, exited, stderr: () => err };
}

describe("metering gateway", () => {
  test("a keyed request streams through unchanged and unbuffered, and is spooled as GPU hours rounded up", async () => {
    const before = events().length;
    const viaGateway = await chat({ authorization: `Bearer ${KEYS.ben}` });
    expect(viaGateway.status).toBe(200);
    const direct = await fetch(`${ollama.url}/api/chat`, { method: "POST", body: JSON.stringify({ model: "llama3.1:8b", messages: [] }) }).then((r) => r.text());
    expect(viaGateway.text).toBe(direct);
    // The first chunk arrived long before the stream ended (4 chunks, 60 ms apart).
    expect(viaGateway.chunks.length).toBeGreaterThan(1);
    expect(viaGateway.chunks[0]!.at).toBeLessThan(viaGateway.chunks.at(-1)!.at - 100);
    // Ollama never sees the user's key.
    expect(ollama.calls.at(-2)!.headers.authorization).toBeUndefined();
    const recorded = events().slice(before);
    // total_duration 2.3 s → 3 s → 3/3600 h, rounded up at 9 decimals.
    expect(recorded).toEqual([{ source: "gateway:test", id: expect.stringMatching(/^[0-9a-f-]{36}$/), time: expect.any(String), user: "ben", meter: "gpu_hours", quantity: "0.000833334", detail: "llama3.1:8b" }]);
    expect(gpuHours(3600)).toBe("1");
  });

  test("no key, an unknown key, a forwarded header from an untrusted address: 401, never forwarded", async () => {
    const calls = ollama.calls.length;
    expect((await chat({})).status).toBe(401);
    expect((await chat({ authorization: "Bearer aiwc_nope" })).status).toBe(401);
    const untrusted = await startGateway({ config, upstream: ollama.url, keys, spool, port: 0, trustForwardedFrom: ["10.0.1.0/24"] });
    try {
      const r = await fetch(`${untrusted.url}/api/chat`, { method: "POST", headers: { "x-openwebui-user-name": "ben" }, body: "{}" });
      expect(r.status).toBe(401);
    } finally {
      await untrusted.close();
    }
    expect(ollama.calls.length).toBe(calls);
  });

  test("Open WebUI's forwarded user, from a trusted address, is that user; its headers are not passed on", async () => {
    const before = events().length;
    const r = await chat({ "x-openwebui-user-name": "david", "x-openwebui-user-email": "david@example.org" }, { model: "qwen2.5:7b", prompt: "hi", stream: false }, "/api/generate");
    expect(r.status).toBe(200);
    expect(ollama.calls.at(-1)!.headers["x-openwebui-user-name"]).toBeUndefined();
    expect(ollama.calls.at(-1)!.headers["x-openwebui-user-email"]).toBeUndefined();
    expect(events().slice(before)).toMatchObject([{ user: "david", detail: "qwen2.5:7b", quantity: "0.000833334" }]);
  });

  test("a user without GPU access, and model management, are 403", async () => {
    const calls = ollama.calls.length;
    expect(await chat({ authorization: `Bearer ${KEYS.anna}` })).toMatchObject({ status: 403, text: JSON.stringify({ error: "anna's tariff and packs do not include GPU access" }) });
    expect((await fetch(`${gateway.url}/api/pull`, { method: "POST", headers: { authorization: `Bearer ${KEYS.ben}` }, body: JSON.stringify({ model: "x" }) })).status).toBe(403);
    expect(ollama.calls.length).toBe(calls);
    // Listing models is passed through, not metered.
    const before = events().length;
    expect((await fetch(`${gateway.url}/api/tags`, { headers: { authorization: `Bearer ${KEYS.ben}` } })).status).toBe(200);
    expect(events().length).toBe(before);
  });

  test("concurrent users are each charged for their own requests; OpenAI-compatible streams by measured time", async () => {
    const before = events().length;
    await Promise.all([
      ...Array.from({ length: 6 }, () => chat({ authorization: `Bearer ${KEYS.ben}` })),
      ...Array.from({ length: 4 }, () => chat({ authorization: `Bearer ${KEYS.david}` }, { model: "llama3.1:8b", messages: [{ role: "user", content: "hi" }], stream: true }, "/v1/chat/completions")),
    ]);
    const recorded = events().slice(before);
    expect(recorded.filter((e) => e.user === "ben").map((e) => e.quantity)).toEqual(Array(6).fill("0.000833334"));
    // /v1 has no total_duration: 4 chunks 60 ms apart → under a second → 1 s.
    expect(recorded.filter((e) => e.user === "david").map((e) => e.quantity)).toEqual(Array(4).fill("0.000277778"));
  });

  test("a client gone mid-stream is charged for the time until it left", async () => {
    const before = events().length;
    const controller = new AbortController();
    const response = await fetch(`${gateway.url}/api/chat`, { method: "POST", headers: { authorization: `Bearer ${KEYS.ben}` }, body: JSON.stringify({ model: "llama3.1:8b", messages: [] }), signal: controller.signal });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(events().slice(before)).toMatchObject([{ user: "ben", quantity: "0.000277778" }]);
  });
});

describe("API keys and the spool into the ledger", () => {
  let ledger: Ledger;
  beforeAll(async () => {
    ledger = await openLedger({ dir: join(tempDir("aiwc-ledger-"), "ledger") });
  });
  afterAll(async () => {
    await ledger?.close();
  });

  test("a key is returned once; the ledger and the key file hold only its hash; revoked keys leave the file", async () => {
    const key = await createKey(ledger, "ben");
    expect(key).toMatch(/^aiwc_[A-Za-z0-9_-]{43}$/);
    const file = await keyFile(ledger);
    expect(file.keys).toEqual([{ sha256: hashKey(key), user: "ben" }]);
    expect(JSON.stringify(await ledger.query("select * from api_keys"))).not.toContain(key);
    expect(await revokeKeys(ledger, "ben")).toBe(1);
    expect((await keyFile(ledger)).keys).toEqual([]);
  });

  test("collect ships the spool once: again changes nothing; past days move to shipped/; an incomplete last line is kept", async () => {
    const dir = join(tempDir("aiwc-collect-"), "spool");
    const own = new Spool(dir);
    for (const [i, day] of ["2026-11-20", "2026-11-20", "2026-11-21"].entries()) own.append({ source: "gateway:a", id: `e${i}`, time: `${day}T10:00:00.000Z`, user: "ben", meter: "gpu_hours", quantity: "0.5", detail: "llama3.1:8b" });
    own.close();
    // A crash in the middle of writing today's line.
    writeFileSync(join(dir, "events-2026-11-22.jsonl"), `${JSON.stringify({ source: "gateway:a", id: "e9", time: "2026-11-22T10:00:00.000Z", user: "ben", meter: "gpu_hours", quantity: "0.25" })}\n{"source": "gateway:a", "id": "e1`);
    const now = new Date("2026-11-22T12:00:00Z");
    expect(await collectSpool(config, ledger, dir, now)).toEqual({ files: 3, events: 4, imported: 4, incomplete: [join(dir, "events-2026-11-22.jsonl")] });
    expect(readdirSync(join(dir, "shipped")).sort()).toEqual(["events-2026-11-20.jsonl", "events-2026-11-21.jsonl"]);
    expect(await collectSpool(config, ledger, dir, now)).toMatchObject({ files: 1, events: 1, imported: 0 });
    const bill = await draftBill(config, ledger, "2026-11");
    expect(bill.invoices.find((i) => i.user === "ben")!.lines.find((l) => l.item === "payg:gpu_hours")).toMatchObject({ description: "GPU hour: 1.75 used, 2.7778 included" });
    expect(readFileSync(join(dir, "events-2026-11-22.jsonl"), "utf8")).toContain('"id": "e1');
    // A late event of a day shipped before (a request a restarted gateway settled): shipped too,
    // and the day's shipped file keeps what it had.
    const late = new Spool(dir);
    late.append({ source: "gateway:a", id: "late", time: "2026-11-20T23:59:00.000Z", user: "ben", meter: "gpu_hours", quantity: "0.25" });
    late.close();
    expect(await collectSpool(config, ledger, dir, now)).toMatchObject({ files: 2, events: 2, imported: 1 });
    expect(readFileSync(join(dir, "shipped", "events-2026-11-20.jsonl"), "utf8").split("\n").filter((l) => l !== "").map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(["e0", "e1", "late"]);
  });
});

describe("the binary: key, key file, gateway, collect", () => {
  test("aiwc usage key create, usage keys export, meter gateway (until SIGTERM), usage collect", async () => {
    const dir = tempDir("aiwc-meter-cli-");
    const ledgerDir = join(dir, "ledger");
    const aiwc = (args: string[]) => spawnSync(process.execPath, [join(ROOT, "bin", "aiwc.cjs"), ...args, "--config", DEFAULT_CONFIG, "--ledger", ledgerDir], { encoding: "utf8", env: { ...process.env, AIWC_LEDGER: "" } });
    const created = aiwc(["usage", "key", "create", "ben"]);
    expect(created.status).toBe(0);
    const key = created.stdout.trim();
    expect(key).toMatch(/^aiwc_/);
    expect(created.stderr).toContain("it is shown only now");
    expect(aiwc(["usage", "key", "create", "nobody"])).toMatchObject({ status: 1, stderr: 'aiwc: "nobody" is not in users.yaml\n' });
    const keysFile = join(dir, "keys.json");
    const exported = spawnSync(process.execPath, [join(ROOT, "bin", "aiwc.cjs"), "usage", "keys", "export", keysFile, "--ledger", ledgerDir], { encoding: "utf8", env: { ...process.env, AIWC_LEDGER: "" } });
    expect(exported.stdout).toContain("1 key(s) in force");
    expect(readFileSync(keysFile, "utf8")).not.toContain(key);
    const spoolDir = join(dir, "spool");
    const { child, url, exited } = await gatewayProcess(join(ROOT, "bin", "aiwc.cjs"), ["--upstream", ollama.url, "--keys", keysFile, "--spool", spoolDir, "--source", "gateway:cli", "--config", DEFAULT_CONFIG]);
    const response = await fetch(`${url}/api/chat`, { method: "POST", headers: { authorization: `Bearer ${key}` }, body: JSON.stringify({ model: "llama3.1:8b", messages: [] }) });
    expect(response.status).toBe(200);
    await response.text();
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    const collected = aiwc(["usage", "collect", "--spool", spoolDir]);
    expect(collected.stdout).toMatch(/1 file\(s\), 1 event\(s\): 1 new in the ledger/);
  });

  test("a gateway killed mid-stream loses no request and charges none twice; a ledger out of reach loses nothing", async () => {
    const slow = await startOllamaStandIn({ chunks: 40, delayMs: 100, totalDurationNs: 4_000_000_000 });
    const dir = tempDir("aiwc-meter-kill-");
    const keysFile = join(dir, "keys.json");
    writeFileSync(keysFile, JSON.stringify(keys));
    const spoolDir = join(dir, "spool");
    const ledgerDir = join(dir, "ledger");
    const start = () => gatewayProcess(join(ROOT, "bin", "aiwc.cjs"), ["--upstream", slow.url, "--keys", keysFile, "--spool", spoolDir, "--source", "gateway:kill", "--checkpoint-seconds", "0.3", "--config", DEFAULT_CONFIG]);
    const spooled = () => (existsSync(spoolDir) ? spoolFiles(spoolDir).flatMap((f) => f.text.split("\n")).filter((l) => l !== "").map((l) => JSON.parse(l) as Record<string, string>) : []);
    try {
      const first = await start();
      const response = await fetch(`${first.url}/api/chat`, { method: "POST", headers: { authorization: `Bearer ${KEYS.ben}` }, body: JSON.stringify({ model: "llama3.1:8b", messages: [{ role: "user", content: "a long answer" }] }) });
      const reader = response.body!.getReader();
      let received = 0;
      while (received < 12) {
        const { done, value } = await reader.read();
        if (done) throw new Error("the stream ended before the gateway was killed");
        received += Buffer.from(value).toString("utf8").split("\n").filter((l) => l !== "").length;
      }
      // About 1.2 s into a 4 s answer: the gateway dies without a word.
      first.child.kill("SIGKILL");
      expect(await first.exited).toBe(-9);
      await reader.read().catch(() => undefined);
      expect(spooled()).toEqual([]);
      const begun = readFileSync(join(spoolDir, "inflight.jsonl"), "utf8").split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as { begin?: string; seen?: string[] });
      const id = begun.find((l) => l.begin !== undefined)!.begin!;
      expect(begun.some((l) => l.seen?.includes(id) === true)).toBe(true);

      // The next gateway charges it, for the time it was last seen running.
      const second = await start();
      expect(second.stderr()).toContain(`request ${id} of ben was cut off by a stopped gateway`);
      second.child.kill("SIGTERM");
      expect(await second.exited).toBe(0);
      const after = spooled();
      expect(after).toHaveLength(1);
      expect(after[0]).toMatchObject({ source: "gateway:kill", id, user: "ben", meter: "gpu_hours", detail: "llama3.1:8b (interrupted)" });
      const seconds = Number(after[0]!.quantity) * 3600;
      expect(seconds).toBeGreaterThanOrEqual(1);
      expect(seconds).toBeLessThanOrEqual(3);
      // Once settled, never again.
      const third = await start();
      expect(third.stderr()).not.toContain("cut off");
      third.child.kill("SIGTERM");
      await third.exited;
      expect(spooled()).toHaveLength(1);

      // A ledger out of reach: the run fails, says so, and the spool stays as it was.
      const collect = (env: Record<string, string>) => spawnSync(process.execPath, [join(ROOT, "bin", "aiwc.cjs"), "usage", "collect", "--spool", spoolDir, "--ledger", ledgerDir, "--config", DEFAULT_CONFIG], { encoding: "utf8", env: { ...process.env, ...env } });
      const before = readdirSync(spoolDir).sort();
      const unreachable = collect({ AIWC_LEDGER: "postgres://aiwc:secret@127.0.0.1:9/ledger" });
      expect(unreachable.status).toBe(1);
      expect(unreachable.stderr).toMatch(/cannot reach the ledger database/);
      expect(unreachable.stderr).not.toContain("secret");
      expect(readdirSync(spoolDir).sort()).toEqual(before);
      expect(collect({ AIWC_LEDGER: "" }).stdout).toMatch(/1 event\(s\): 1 new in the ledger/);
      expect(collect({ AIWC_LEDGER: "" }).stdout).toMatch(/1 event\(s\): 0 new in the ledger/);
    } finally {
      await slow.close();
    }
  });

  test("the nodes' build (dist/node) runs the gateway on its own: no node_modules, no repository around it", async () => {
    const dir = tempDir("aiwc-node-build-");
    const build = join(dir, "opt", "aiwc");
    cpSync(join(ROOT, "dist", "node"), build, { recursive: true });
    expect(existsSync(join(build, "node_modules"))).toBe(false);
    // The worker's config as the gpu_worker role writes it.
    const config = join(dir, "etc", "config");
    mkdirSync(config, { recursive: true });
    for (const file of ["cluster.yaml", "tariffs.yaml", "users.yaml"]) cpSync(join(DEFAULT_CONFIG, file), join(config, file));
    const keysFile = join(dir, "keys.json");
    writeFileSync(keysFile, JSON.stringify(keys));
    const spoolDir = join(dir, "spool");
    const { child, url, exited } = await gatewayProcess(join(build, "aiwc.cjs"), ["--upstream", ollama.url, "--keys", keysFile, "--spool", spoolDir, "--source", "gateway:node-build", "--config", config], dir);
    const response = await fetch(`${url}/api/chat`, { method: "POST", headers: { authorization: `Bearer ${KEYS.david}` }, body: JSON.stringify({ model: "qwen2.5:7b", messages: [] }) });
    expect(response.status).toBe(200);
    await response.text();
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    const spooled = spoolFiles(spoolDir).flatMap((f) => f.text.split("\n")).filter((l) => l !== "").map((l) => JSON.parse(l) as Record<string, string>);
    expect(spooled).toEqual([expect.objectContaining({ source: "gateway:node-build", user: "david", meter: "gpu_hours", detail: "qwen2.5:7b" })]);
  });

  test("bad collector options: one clear line each, exit 1, no stack trace, nothing written", () => {
    const dir = tempDir("aiwc-meter-bad-");
    const aiwc = (args: string[]) => spawnSync(process.execPath, [join(ROOT, "bin", "aiwc.cjs"), ...args, "--config", DEFAULT_CONFIG], { encoding: "utf8" });
    const cases: [string[], string][] = [
      [["meter", "gateway", "--keys", join(dir, "keys.json"), "--spool", join(dir, "spool"), "--checkpoint-seconds", "abc"], 'aiwc: --checkpoint-seconds must be a number of seconds between 0 and 3600, got "abc"\n'],
      [["meter", "storage"], "aiwc: --spool DIR is required\n"],
    ];
    for (const [args, stderr] of cases) expect(aiwc(args), args.join(" ")).toMatchObject({ status: 1, stderr });
    expect(readdirSync(dir)).toEqual([]);
  });
});
