/**
 * The services role's guard against a placement that moves a stateful service: GIVEN the
 * services' root as CephFS shows it to every service node (a directory per node, `data/<service>`
 * in each), WHEN the role's guard runs for a node (Ansible itself, connection local, against a
 * temp directory), THEN it stops the run when a service placed on this node has no data here
 * while another node's directory holds it, names the service and where its data is, and lets
 * every other case through (a first deploy, data already here, a moved service's data moved).
 *
 * Needs ansible-core (.ci/run installs it). Only the temp directory is read.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { beforeEach, describe, expect, test } from "vitest";
import { stringify } from "yaml";
import { ROOT, tempDir } from "../helpers";

const ANSIBLE = join(ROOT, "ansible");
/** The node this run configures, and where the placement puts the services. */
const HERE = "aiwc-service-nodes-02";
const PLACEMENT = { langfuse: HERE, n8n: HERE, "open-webui": "aiwc-service-nodes-01" };

let dir: string;
let root: string;

/** A file in a service's data directory under a node (what a running service leaves there). */
function data(node: string, service: string): void {
  const file = join(root, node, "data", service, "db", "PG_VERSION");
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, "16\n");
}

/** The role's guard for HERE; its exit status and output. */
function guard(): { status: number | null; output: string } {
  const inventoryFile = join(dir, "inventory.yml");
  writeFileSync(
    inventoryFile,
    stringify({
      all: {
        hosts: { [HERE]: { ansible_connection: "local", ansible_python_interpreter: "/usr/bin/python3" } },
        vars: { services_root: root, services_placement: PLACEMENT },
      },
    }),
  );
  const playbook = join(dir, "guard.yml");
  writeFileSync(playbook, stringify([{ name: "Guard", hosts: "all", gather_facts: false, tasks: [{ name: "Guard", "ansible.builtin.include_role": { name: "services", tasks_from: "data_guard" } }] }]));
  const r = spawnSync("ansible-playbook", ["-i", inventoryFile, playbook], { cwd: ANSIBLE, encoding: "utf8", env: { ...process.env, ANSIBLE_NOCOLOR: "1", ANSIBLE_ROLES_PATH: join(ANSIBLE, "roles") }, timeout: 120_000 });
  if (r.error !== undefined) throw new Error(`ansible-playbook could not run (apt-get install ansible-core; .ci/run does): ${r.error.message}`);
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

beforeEach(() => {
  dir = tempDir("aiwc-services-data-");
  root = join(dir, "srv");
  mkdirSync(root);
});

describe("the services role stops before a moved service starts on an empty data directory", () => {
  test("a first deploy (no data anywhere) and data already on this node pass", () => {
    expect(guard().status).toBe(0);
    data(HERE, "langfuse");
    data("aiwc-service-nodes-01", "open-webui");
    expect(guard().status).toBe(0);
  }, 120_000);

  test("langfuse placed here with its data under the node it ran on: stopped, naming the service and its data", () => {
    data("aiwc-service-nodes-01", "langfuse");
    // An empty directory here (a run before the guard made it) is no data.
    mkdirSync(join(root, HERE, "data", "langfuse"), { recursive: true });
    const r = guard();
    expect(r.status).not.toBe(0);
    expect(r.output).toContain(`The placement moved langfuse (its data: ${join(root, "aiwc-service-nodes-01", "data", "langfuse")}) to ${HERE}`);
    expect(r.output).not.toMatch(/moved n8n/);
  }, 120_000);

  test("once its data is moved here, the run goes on; an empty directory left elsewhere is no data", () => {
    data("aiwc-service-nodes-01", "langfuse");
    mkdirSync(join(root, HERE, "data"), { recursive: true });
    renameSync(join(root, "aiwc-service-nodes-01", "data", "langfuse"), join(root, HERE, "data", "langfuse"));
    mkdirSync(join(root, "aiwc-service-nodes-03", "data", "n8n"), { recursive: true });
    expect(guard().status).toBe(0);
  }, 120_000);
});
