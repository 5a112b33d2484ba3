/**
 * The metering gateway's cost: first-byte latency it adds to a streamed /api/chat (median of
 * 100 sequential requests, direct to the stand-in Ollama and through the gateway, same run), and
 * 200 concurrent streams through it (all complete, 200 events spooled). Target (issue #14):
 * ≤ 5 ms added to the first byte.
 *
 *   npm run bench:gateway
 */
import { join } from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { loadConfig } from "../model/load";
import { startGateway } from "../metering/gateway";
import { hashKey } from "../metering/keys";
import { Spool, spoolFiles } from "../metering/spool";
import { startOllamaStandIn } from "../test/stand-ins/ollama";

async function firstByte(url: string, headers: Record<string, string>): Promise<{ first: number; total: number }> {
  const started = performance.now();
  const response = await fetch(`${url}/api/chat`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ model: "llama3.1:8b", messages: [{ role: "user", content: "hi" }] }) });
  const reader = response.body!.getReader();
  let first = -1;
  for (;;) {
    const { done } = await reader.read();
    if (first < 0) first = performance.now() - started;
    if (done) break;
  }
  return { first, total: performance.now() - started };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "aiwc-bench-gateway-"));
  const ollama = await startOllamaStandIn({ chunks: 20, delayMs: 10 });
  const spool = new Spool(join(dir, "spool"));
  const config = loadConfig(join(__dirname, "..", "config"));
  const key = "aiwc_bench";
  const gateway = await startGateway({ config, upstream: ollama.url, keys: { version: 1, keys: [{ sha256: hashKey(key), user: "ben" }] }, spool, port: 0 });
  try {
    const auth = { authorization: `Bearer ${key}` };
    for (let i = 0; i < 10; i++) await firstByte(gateway.url, auth); // warm-up
    const direct: number[] = [];
    const via: number[] = [];
    for (let i = 0; i < 100; i++) {
      direct.push((await firstByte(ollama.url, {})).first);
      via.push((await firstByte(gateway.url, auth)).first);
    }
    const before = spoolFiles(spool.dir).reduce((n, f) => n + f.text.split("\n").filter((l) => l !== "").length, 0);
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: 200 }, () => firstByte(gateway.url, auth)));
    const wall = performance.now() - started;
    const after = spoolFiles(spool.dir).reduce((n, f) => n + f.text.split("\n").filter((l) => l !== "").length, 0);
    console.log(`| measure | value |\n|---|---:|`);
    console.log(`| first byte, direct (median of 100) | ${median(direct).toFixed(2)} ms |`);
    console.log(`| first byte, through the gateway (median of 100) | ${median(via).toFixed(2)} ms |`);
    console.log(`| added by the gateway | ${(median(via) - median(direct)).toFixed(2)} ms |`);
    console.log(`| 200 concurrent streams (20 chunks, 10 ms apart): wall time | ${wall.toFixed(0)} ms |`);
    console.log(`| … median first byte / median total per stream | ${median(results.map((r) => r.first)).toFixed(1)} ms / ${median(results.map((r) => r.total)).toFixed(0)} ms |`);
    console.log(`| … events spooled | ${after - before} |`);
  } finally {
    await gateway.close();
    spool.close();
    await ollama.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
