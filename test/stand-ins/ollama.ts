/**
 * A local stand-in for Ollama's API as its documentation shows it: `/api/chat` and
 * `/api/generate` stream NDJSON objects (`done: false` chunks, then a final `done: true` object
 * with `total_duration`, `load_duration`, `eval_count`, … in nanoseconds) or answer one object
 * with `"stream": false`; `/api/embed` answers `embeddings` with `total_duration`;
 * `/v1/chat/completions` streams server-sent events without durations; `/api/tags` lists the
 * models. Records every request (method, path, headers) it was sent.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface OllamaCall {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Record<string, unknown>;
}

export interface OllamaStandIn {
  readonly url: string;
  readonly calls: OllamaCall[];
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `chunks` streamed parts, `delayMs` apart; the final object reports `totalDurationNs`. */
export async function startOllamaStandIn(options: { chunks?: number; delayMs?: number; totalDurationNs?: number } = {}): Promise<OllamaStandIn> {
  const chunks = options.chunks ?? 4;
  const delay = options.delayMs ?? 40;
  const total = options.totalDurationNs ?? 2_300_000_000;
  const calls: OllamaCall[] = [];
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", async () => {
      const path = new URL(req.url ?? "/", "http://ollama").pathname;
      let body: Record<string, unknown> = {};
      try {
        body = parts.length > 0 ? (JSON.parse(Buffer.concat(parts).toString("utf8")) as Record<string, unknown>) : {};
      } catch {
        res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ error: "invalid JSON" }));
        return;
      }
      calls.push({ method: req.method ?? "", path, headers: req.headers, body });
      const model = typeof body.model === "string" ? body.model : "llama3.1:8b";
      const created = "2026-11-28T12:00:00.000000Z";
      const final = { model, created_at: created, done: true, done_reason: "stop", total_duration: total, load_duration: 12_000_000, prompt_eval_count: 26, prompt_eval_duration: 130_000_000, eval_count: chunks, eval_duration: total - 200_000_000 };
      if (path === "/api/tags") {
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ models: [{ name: "llama3.1:8b", model: "llama3.1:8b", size: 4920753328 }] }));
        return;
      }
      if (path === "/api/chat" || path === "/api/generate") {
        const piece = (i: number) => (path === "/api/chat" ? { message: { role: "assistant", content: `word${i} ` } } : { response: `word${i} ` });
        if (body.stream === false) {
          await sleep(delay);
          res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ...final, ...(path === "/api/chat" ? { message: { role: "assistant", content: "all words" } } : { response: "all words" }) }));
          return;
        }
        res.writeHead(200, { "content-type": "application/x-ndjson" });
        for (let i = 0; i < chunks; i++) {
          if (res.destroyed) return;
          res.write(`${JSON.stringify({ model, created_at: created, ...piece(i), done: false })}\n`);
          await sleep(delay);
        }
        res.end(`${JSON.stringify({ ...final, ...piece(chunks) })}\n`);
        return;
      }
      if (path === "/api/embed") {
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ model, embeddings: [[0.01, -0.02, 0.03]], total_duration: total, load_duration: 1_000_000, prompt_eval_count: 8 }));
        return;
      }
      if (path === "/v1/chat/completions") {
        res.writeHead(200, { "content-type": "text/event-stream" });
        for (let i = 0; i < chunks; i++) {
          if (res.destroyed) return;
          res.write(`data: ${JSON.stringify({ id: "chatcmpl-1", object: "chat.completion.chunk", created: 1764331200, model, choices: [{ index: 0, delta: { role: "assistant", content: `word${i} ` }, finish_reason: null }] })}\n\n`);
          await sleep(delay);
        }
        res.end("data: [DONE]\n\n");
        return;
      }
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: `404 page not found` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
