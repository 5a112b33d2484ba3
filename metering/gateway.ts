/**
 * The metering gateway in front of Ollama (`aiwc meter gateway`): a streaming reverse proxy
 * that attributes every request to a user and records the GPU time it cost.
 *
 * - Who: a per-user API key (`Authorization: Bearer aiwc_…`, checked against the hashed key
 *   file), or Open WebUI's forwarded user header (`X-OpenWebUI-User-Name`, with
 *   ENABLE_FORWARD_USER_INFO_HEADERS) accepted only from `trustForwardedFrom` addresses.
 *   Anything else is 401 and never reaches Ollama; a user whose tariff and packs do not include
 *   the GPU meter's feature is 403; model management (pull, push, create, copy, delete) is 403.
 * - What passes: the request and the streamed response, unchanged and unbuffered (each chunk is
 *   written on as it arrives); the user's key and forwarded headers are not passed on.
 * - What is recorded, when the response ends (or the client goes away): one `gpu_hours` event —
 *   Ollama's `total_duration` from the final response object (native /api/chat, /api/generate,
 *   /api/embed), else the measured duration (OpenAI-compatible /v1/*), rounded **up** to whole
 *   seconds, as hours with 9 decimals rounded up — appended to the spool and fsynced
 *   (metering/spool.ts); `aiwc usage collect` ships the spool into the ledger.
 * - What survives a crash: each metered request is journaled (fsynced) before it reaches
 *   Ollama and listed every few seconds while it streams; a gateway that starts finds the
 *   requests a killed one left unrecorded and charges each for the time it was last seen
 *   running (at least a second, detail "… (interrupted)"), under the request's own event id,
 *   so nothing is lost and nothing charged twice.
 */
import { randomUUID } from "node:crypto";
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import ipaddr from "ipaddr.js";
import { money } from "../catalog/money";
import type { Config } from "../model/load";
import type { UsageEvent } from "../billing/usage";
import { entitlement } from "./entitlement";
import { hashKey, type KeyFile } from "./keys";
import { Journal, unfinished, type Begun, type Spool } from "./spool";

/** Endpoints that run a model, metered. */
const METERED = /^\/(api\/(chat|generate|embed|embeddings)|v1\/(chat\/completions|completions|embeddings))$/;
/** Model management is the operator's, not the users'. */
const FORBIDDEN = /^\/api\/(pull|push|create|copy|delete|blobs)(\/|$)/;
const FORWARDED_USER = "x-openwebui-user-name";

export interface GatewayOptions {
  readonly config: Config;
  readonly upstream: string;
  readonly keys: KeyFile;
  readonly spool: Spool;
  /** Addresses (CIDRs) whose X-OpenWebUI-User-Name header is believed. */
  readonly trustForwardedFrom?: readonly string[];
  /** The events' source (default `gateway:<host>:<port>`). */
  readonly source?: string;
  readonly host?: string;
  readonly port?: number;
  /** How often requests in flight are journaled as still running (ms, default 5000). */
  readonly checkpointMs?: number;
}

export interface Gateway {
  readonly url: string;
  /** Requests a crashed gateway left unrecorded, charged when this one started. */
  readonly settled: readonly UsageEvent[];
  close(): Promise<void>;
}

/**
 * Events for requests a killed gateway never recorded (metering/spool.ts `unfinished`),
 * spooled; the journal then starts afresh.
 */
function settleUnfinished(spool: Spool, journal: Journal): UsageEvent[] {
  const events = unfinished(spool.dir).map((entry): UsageEvent => {
    const seconds = Math.max(1, Math.ceil((Date.parse(entry.lastSeen) - Date.parse(entry.started)) / 1000));
    return { source: entry.source, id: entry.id, time: entry.lastSeen, user: entry.user, meter: entry.meter, quantity: gpuHours(seconds), detail: `${entry.model ?? "unknown model"} (interrupted)`.slice(-200) };
  });
  for (const event of events) spool.append(event);
  journal.compact([], new Date().toISOString());
  return events;
}

/** Seconds, rounded up, as GPU hours with 9 decimals, rounded up. */
export function gpuHours(seconds: number): string {
  return money(seconds).dividedBy(3600).toDecimalPlaces(9, 2 /* ROUND_CEIL */).toFixed();
}

function reply(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ error: message }));
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const upstream = new URL(options.upstream);
  const byHash = new Map(options.keys.keys.map((k) => [k.sha256, k.user]));
  const trusted = (options.trustForwardedFrom ?? []).map((cidr) => ipaddr.parseCIDR(cidr));
  const users = new Set(options.config.users.map((u) => u.name));
  const tariffs = options.config.tariffs;
  const entitled = entitlement(options.config);
  const hasGpu = (name: string): boolean => entitled(name, tariffs.gpuTokenMeter);
  const isTrusted = (address: string | undefined): boolean => {
    if (address === undefined || !ipaddr.isValid(address)) return false;
    const parsed = ipaddr.process(address);
    return trusted.some(([range, bits]) => parsed.kind() === range.kind() && parsed.match(range, bits));
  };
  let source = options.source ?? "";
  // What a killed predecessor left unrecorded, before anything new is journaled.
  const journal = new Journal(options.spool.dir);
  const settled = settleUnfinished(options.spool, journal);
  const inflight = new Map<string, Begun>();
  const checkpoint = setInterval(() => {
    const now = new Date().toISOString();
    journal.seen([...inflight.keys()], now);
    if (journal.size > 10_000) journal.compact([...inflight.values()], now);
  }, options.checkpointMs ?? 5000);
  checkpoint.unref();

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const started = performance.now();
    const path = new URL(req.url ?? "/", "http://gateway").pathname;
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
    const forwarded = req.headers[FORWARDED_USER];
    let user: string | undefined;
    if (bearer !== undefined) user = byHash.get(hashKey(bearer));
    else if (typeof forwarded === "string" && isTrusted(req.socket.remoteAddress) && users.has(forwarded)) user = forwarded;
    if (user === undefined) {
      req.resume();
      return reply(res, 401, "an aiwc API key (Authorization: Bearer …) is required");
    }
    if (!hasGpu(user)) {
      req.resume();
      return reply(res, 403, `${user}'s tariff and packs do not include GPU access`);
    }
    if (FORBIDDEN.test(path)) {
      req.resume();
      return reply(res, 403, "model management is not available through the gateway");
    }
    const headers = { ...req.headers };
    delete headers.authorization;
    delete headers[FORWARDED_USER];
    for (const name of Object.keys(headers)) if (name.startsWith("x-openwebui-")) delete headers[name];
    headers.host = upstream.host;
    const metered = req.method === "POST" && METERED.test(path);
    let model: string | undefined;
    /** The model the request body names (read once, when the request is whole). */
    let requested: string | undefined;
    let totalDuration: number | undefined;
    let pending = "";
    const requestChunks: Buffer[] = [];
    const inspect = (text: string): void => {
      // NDJSON (streamed) or one JSON object: the last object with total_duration counts.
      pending += text;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) take(line);
    };
    const take = (line: string): void => {
      if (line.trim() === "" || !line.trimStart().startsWith("{")) return;
      try {
        const object = JSON.parse(line) as { total_duration?: unknown; model?: unknown };
        if (typeof object.total_duration === "number") totalDuration = object.total_duration;
        if (typeof object.model === "string") model ??= object.model;
      } catch {
        // Not JSON (an SSE frame, a partial line): the measured duration counts.
      }
    };
    const id = randomUUID();
    let begun: Begun | undefined;
    let finished = false;
    // The request's journal entry is closed once its event is spooled (or it cost nothing).
    const finish = (): void => {
      if (begun === undefined || finished) return;
      finished = true;
      inflight.delete(id);
      journal.end(id);
    };
    let recorded = false;
    const record = (): void => {
      if (!metered || recorded) return;
      recorded = true;
      if (pending !== "") take(pending);
      const measured = (performance.now() - started) / 1000;
      const seconds = Math.ceil(totalDuration !== undefined ? totalDuration / 1e9 : measured);
      if (seconds <= 0) return;
      // Ollama's answer names the model; else the request did.
      model ??= requested;
      const event: UsageEvent = { source, id, time: new Date().toISOString(), user: user!, meter: tariffs.gpuTokenMeter, quantity: gpuHours(seconds), ...(model !== undefined ? { detail: model.slice(0, 200) } : {}) };
      options.spool.append(event);
    };
    const proxied = httpRequest(
      { protocol: upstream.protocol, hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, upstreamRes.headers);
        res.flushHeaders();
        const native = path.startsWith("/api/");
        upstreamRes.on("data", (chunk: Buffer) => {
          res.write(chunk);
          if (native) inspect(chunk.toString("utf8"));
        });
        upstreamRes.on("end", () => {
          res.end();
          if ((upstreamRes.statusCode ?? 500) < 400) record();
          finish();
        });
        upstreamRes.on("error", () => res.destroy());
      },
    );
    proxied.on("error", () => {
      if (!res.headersSent) reply(res, 502, "Ollama is not reachable");
      else res.destroy();
    });
    // The client went away mid-stream: stop Ollama's work and record what it cost so far.
    res.on("close", () => {
      if (!res.writableFinished) {
        proxied.destroy();
        record();
      }
      finish();
    });
    req.on("data", (chunk: Buffer) => {
      if (metered) requestChunks.push(chunk);
    });
    // Journaled once the request is whole (its model known), before Ollama answers.
    req.on("end", () => {
      if (!metered) return;
      try {
        const body = JSON.parse(Buffer.concat(requestChunks).toString("utf8")) as { model?: unknown };
        if (typeof body.model === "string") requested = body.model;
      } catch {
        // No model named: the event (or a settlement) says none, "unknown model".
      }
      if (res.writableEnded || res.destroyed || recorded) return;
      begun = { id, source, user: user!, meter: tariffs.gpuTokenMeter, ...(requested !== undefined ? { model: requested.slice(0, 150) } : {}), started: new Date().toISOString() };
      inflight.set(id, begun);
      journal.begin(begun);
    });
    req.pipe(proxied);
  };

  const server: Server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 11435, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  if (source === "") source = `gateway:${address.address}:${address.port}`;
  return {
    url: `http://${address.address}:${address.port}`,
    settled,
    close: () =>
      new Promise((resolve) => {
        clearInterval(checkpoint);
        server.closeAllConnections();
        server.close(() => {
          journal.close();
          resolve();
        });
      }),
  };
}
