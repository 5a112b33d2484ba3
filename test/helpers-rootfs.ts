/**
 * A Debian root filesystem for the idempotence tests: `debootstrap` builds it once with the
 * packages the roles install (so a role run needs no network), and it is cached outside the
 * repository, keyed by suite and package list: `.ci/run` builds it in its own step and the
 * tests reuse it. The tree itself is never written to: each throwaway host mounts it as the
 * lower layer of an overlay with a fresh upper directory (helpers-netns.ts).
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { parse } from "yaml";

const ROOT = resolve(__dirname, "..");

export const ROOTFS_SUITE = "bookworm";
const MIRROR = process.env.AIWC_ROOTFS_MIRROR ?? "http://deb.debian.org/debian";

function roleList(role: string, key: string): string[] {
  const defaults = parse(readFileSync(join(ROOT, "ansible", "roles", role, "defaults", "main.yml"), "utf8")) as Record<string, unknown>;
  const value = defaults[key];
  if (!Array.isArray(value)) throw new Error(`ansible/roles/${role}/defaults/main.yml: ${key} must be a list`);
  return value.map(String);
}

/** What the tree holds: what sshd and Ansible need, and every package the tested roles install. */
export function rootfsPackages(): string[] {
  const base = ["python3", "openssh-server", "sudo", "apt-utils", "ca-certificates"];
  return [...new Set([...base, ...roleList("common", "common_packages"), "fail2ban", ...roleList("user_vm", "user_vm_packages"), ...roleList("bastion", "bastion_backup_packages"), "xz-utils" /* aiwc_node: Node's archive */])].sort();
}

export function rootfsPath(): string {
  const packages = rootfsPackages();
  const key = createHash("sha256").update(`${ROOTFS_SUITE}\n${packages.join("\n")}`).digest("hex").slice(0, 12);
  const cache = process.env.AIWC_ROOTFS_CACHE ?? join(homedir(), ".cache", "aiwc", "rootfs");
  return join(cache, `${ROOTFS_SUITE}-${key}`);
}

/** The cached tree, built now if it is missing (about a minute from the Debian mirror). */
export function ensureRootfs(log: (line: string) => void = () => {}): string {
  const target = rootfsPath();
  if (existsSync(join(target, ".aiwc-complete"))) return target;
  const building = `${target}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true });
  log(`debootstrap ${ROOTFS_SUITE} into ${target}`);
  try {
    execFileSync("debootstrap", ["--variant=minbase", `--include=${rootfsPackages().join(",")}`, ROOTFS_SUITE, building, MIRROR], { stdio: ["ignore", "pipe", "pipe"], timeout: 900_000 });
    execFileSync("touch", [join(building, ".aiwc-complete")]);
    rmSync(target, { recursive: true, force: true });
    renameSync(building, target);
  } catch (error) {
    rmSync(building, { recursive: true, force: true });
    const detail = error instanceof Error && "stderr" in error ? String((error as { stderr: unknown }).stderr) : String(error);
    throw new Error(`debootstrap failed (apt-get install debootstrap; .ci/run does): ${detail.slice(-2000)}`);
  }
  return target;
}
