/**
 * A real PostgreSQL for the ledger tests: a fresh database on the server AIWC_TEST_POSTGRES
 * names (.ci/run starts Debian's PostgreSQL on 127.0.0.1 with a throwaway data directory), or,
 * without it, a throwaway server of this test file's own (initdb + pg_ctl from Debian's
 * `postgresql` package, run as the `postgres` user when the tests run as root). Everything is
 * removed after the test file.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function postgresBin(name: string): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const path = join(root, version, "bin", name);
    if (existsSync(path)) return path;
  }
  throw new Error(`PostgreSQL is needed for the ledger tests: apt-get install postgresql (.ci/run installs it), or set AIWC_TEST_POSTGRES to a server URL`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** Starts a throwaway server; returns its URL (database `postgres`, user `aiwc`, trust auth on 127.0.0.1). */
async function ownServer(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "aiwc-pg-"));
  const asRoot = process.getuid?.() === 0;
  const run = (bin: string, args: string[]) => {
    const command = asRoot ? ["runuser", ["-u", "postgres", "--", postgresBin(bin), ...args]] as const : [postgresBin(bin), args] as const;
    const r = spawnSync(command[0], [...command[1]], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${bin} failed: ${r.stderr || r.stdout}`);
  };
  if (asRoot) chownSync(dir, Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim()), Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim()));
  const data = join(dir, "data");
  run("initdb", ["-D", data, "-A", "trust", "-U", "aiwc", "-E", "UTF8", "--no-sync"]);
  const port = await freePort();
  run("pg_ctl", ["-D", data, "-l", join(dir, "log"), "-w", "-o", `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off`, "start"]);
  cleanups.push(() => {
    try {
      run("pg_ctl", ["-D", data, "-m", "immediate", "stop"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  return `postgres://aiwc@127.0.0.1:${port}/postgres`;
}

let server: Promise<string> | undefined;

/** A URL of a new, empty database for one test file (dropped afterwards). */
export async function freshDatabase(): Promise<string> {
  server ??= process.env.AIWC_TEST_POSTGRES !== undefined && process.env.AIWC_TEST_POSTGRES !== "" ? Promise.resolve(process.env.AIWC_TEST_POSTGRES) : ownServer();
  const base = await server;
  const name = `aiwc_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const { Client } = await import("pg");
  const admin = new Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  cleanups.push(async () => {
    const client = new Client({ connectionString: base });
    await client.connect();
    await client.query(`drop database if exists ${name} with (force)`);
    await client.end();
  });
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}
