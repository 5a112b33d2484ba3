/**
 * The roles' templates rendered by Ansible itself, with the role's defaults and vars and the
 * inventory `aiwc inventory` writes from the Hetzner outputs, for the hosts the roles that
 * cannot run here (no Docker engine, GPU or OSD disks) would configure: the services' compose
 * projects, Caddy, secrets; Ollama's unit; the OSD spec. Rendering happens on this machine into
 * a temp directory (connection local, nothing else touched).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { parse, stringify } from "yaml";
import { inventory } from "../../cli/commands/inventory";
import { ROOT, tempDir } from "../helpers";

const ANSIBLE = join(ROOT, "ansible");
const OUTPUTS = join(ROOT, "test", "fixtures", "outputs", "hetzner.cdktf-outputs.json");
/** Secrets as an operator exports them: every one distinct, so a misplaced one is visible. */
const SECRETS = Object.fromEntries(
  [
    "WEBUI_SECRET_KEY", "SEARXNG_SECRET", "QDRANT_API_KEY", "LANGFUSE_SALT", "LANGFUSE_ENCRYPTION_KEY", "LANGFUSE_NEXTAUTH_SECRET",
    "LANGFUSE_DB_PASSWORD", "LANGFUSE_CLICKHOUSE_PASSWORD", "LANGFUSE_REDIS_PASSWORD", "LANGFUSE_MINIO_PASSWORD", "N8N_ENCRYPTION_KEY",
    "FLOWISE_SECRET_KEY", "SUPABASE_POSTGRES_PASSWORD", "SUPABASE_JWT_SECRET", "SUPABASE_ANON_KEY", "SUPABASE_SERVICE_ROLE_KEY", "GITLAB_ROOT_PASSWORD",
  ].map((name, i) => [`AIWC_SECRET_${name}`, `s3cr3t-${i}-${name.toLowerCase()}`]),
);

const RUNNER_TOKEN = "glrt-runner-0123456789abcdef";

const ROLES = ["services", "gpu_worker", "aiwc_node", "ceph", "bastion", "ci_runner"] as const;

/** A role's defaults: the lowest precedence there is, so every inventory value overrides them. */
function defaults(name: string): Record<string, unknown> {
  return parse(readFileSync(join(ANSIBLE, "roles", name, "defaults", "main.yml"), "utf8")) as Record<string, unknown>;
}

/** A role's vars (above the inventory, as in a real run) and its templates. */
function role(name: string): { varsFiles: string[]; templates: string[] } {
  const varsFiles = readdirSync(join(ANSIBLE, "roles", name)).includes("vars") ? [join(ANSIBLE, "roles", name, "vars", "main.yml")] : [];
  return { varsFiles, templates: readdirSync(join(ANSIBLE, "roles", name, "templates")) };
}

describe("role templates rendered with the inventory's values", () => {
  let out: string;
  let inv: { all: { vars: Record<string, unknown>; children: Record<string, { hosts: Record<string, Record<string, unknown>> }> } };

  beforeAll(() => {
    const dir = tempDir("aiwc-render-");
    out = join(dir, "out");
    inv = parse(inventory({ outputs: [OUTPUTS] }).stdout);
    // Facts the templates use, as gathering would find them.
    for (const group of Object.values(inv.all.children)) for (const [name, vars] of Object.entries(group.hosts)) vars.ansible_hostname = name;
    // Role defaults below everything the inventory sets, as Ansible ranks them.
    const rendered = structuredClone(inv);
    // The operator's users, one of them with billing details (which must stay off the workers).
    const configDir = join(dir, "config");
    mkdirSync(configDir);
    writeFileSync(join(configDir, "users.yaml"), stringify({ users: [{ name: "anna", tariff: "basic", sshKey: "ssh-ed25519 AAAA anna" }, { name: "ben", tariff: "basic", packs: ["pro"], sshKey: "ssh-ed25519 AAAA ben", billing: { name: "Ben Example GmbH", address: "Hauptstr. 1, Berlin", country: "DE", email: "ben@example.org" } }] }));
    // The admin page switched on: it goes to the first service node.
    rendered.all.vars = { ...Object.assign({}, ...ROLES.map(defaults)), ...rendered.all.vars, aiwc_node_config_dir: configDir, services_admin_page: true };
    const inventoryFile = join(dir, "inventory.yml");
    writeFileSync(inventoryFile, stringify(rendered));
    const plays = (
      [
        ["service_nodes", "services"],
        ["gpu_workers", "gpu_worker"],
        ["gpu_workers", "aiwc_node"],
        ["ceph", "ceph"],
        ["bastion", "bastion"],
        ["ci_runners", "ci_runner"],
      ] as const
    ).map(([hosts, name]) => {
      const { varsFiles, templates } = role(name);
      return {
        name: `Render ${name}`,
        hosts,
        connection: "local",
        gather_facts: false,
        vars_files: varsFiles,
        tasks: [
          { name: "Directory", "ansible.builtin.file": { path: `${out}/{{ inventory_hostname }}`, state: "directory", mode: "0700" } },
          {
            name: "Render",
            "ansible.builtin.template": { src: `${ANSIBLE}/roles/${name}/templates/{{ item }}`, dest: `${out}/{{ inventory_hostname }}/{{ item | regex_replace('\\.j2$', '') }}`, mode: "0600" },
            loop: templates,
          },
        ],
      };
    });
    const playbook = join(dir, "render.yml");
    writeFileSync(playbook, stringify(plays));
    const r = spawnSync("ansible-playbook", ["-i", inventoryFile, playbook], {
      cwd: ANSIBLE,
      encoding: "utf8",
      env: { ...process.env, ...SECRETS, AIWC_SECRET_GITLAB_RUNNER_TOKEN: RUNNER_TOKEN, AIWC_BACKUP_ACCESS_KEY: "AIWCACCESS", AIWC_BACKUP_SECRET_KEY: "backup-secret", ANSIBLE_NOCOLOR: "1" },
      timeout: 300_000,
    });
    if (r.error !== undefined) throw new Error(`ansible-playbook could not run (apt-get install ansible-core; .ci/run does): ${r.error.message}`);
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  }, 300_000);

  const read = (host: string, file: string) => readFileSync(join(out, host, file), "utf8");

  test("each service node's compose project holds exactly the services placed on it, pinned", () => {
    const placement = inv.all.vars.aiwc_service_placement as Record<string, string>;
    const seen: string[] = [];
    for (const node of Object.keys(inv.all.children.service_nodes!.hosts)) {
      const compose = parse(read(node, "compose.yaml")) as { services: Record<string, { image: string; ports?: string[]; environment?: unknown }> };
      const mine = Object.entries(placement).filter(([, n]) => n === node).map(([s]) => s);
      seen.push(...mine);
      // Every placed service has its containers; nothing else runs but the proxy.
      const containers = Object.keys(compose.services);
      for (const service of mine) expect(containers.some((c) => c === service || c.startsWith(`${service}-`))).toBe(true);
      for (const container of containers) expect(container === "caddy" || mine.some((s) => container === s || container.startsWith(`${s}-`))).toBe(true);
      for (const { image } of Object.values(compose.services)) expect(image).toMatch(/:[^:]*\d[^:]*$/);
      // Only the proxy (and GitLab's git SSH) publish a port, on the node's private address.
      const ip = String(inv.all.children.service_nodes!.hosts[node]!.aiwc_private_ip);
      const published = Object.entries(compose.services).filter(([, s]) => s.ports !== undefined);
      expect(published.map(([c, s]) => [c, s.ports])).toEqual([["caddy", [`${ip}:443:443`]], ...(mine.includes("gitlab") ? [["gitlab", [`${ip}:2222:22`]]] : [])]);
      // Secrets are references to .env, never values.
      for (const value of Object.values(SECRETS)) expect(read(node, "compose.yaml")).not.toContain(value);
      const env = read(node, "env");
      for (const service of mine) expect(read(node, "Caddyfile")).toContain(`${service}.aiwc.internal {`);
      expect(env).toContain(mine.includes("supabase") ? `SUPABASE_JWT_SECRET='${SECRETS.AIWC_SECRET_SUPABASE_JWT_SECRET}'` : "# Managed by aiwc");
    }
    expect(seen.sort()).toEqual([...(inv.all.vars.aiwc_services as string[])].sort());
  });

  test("GitLab CE: the pinned omnibus image behind Caddy on its own host name, its root password from .env, its data on the services' storage", () => {
    const node = (inv.all.vars.aiwc_service_placement as Record<string, string>).gitlab!;
    const gitlab = parse(read(node, "compose.yaml")).services.gitlab as { image: string; hostname: string; environment: Record<string, string>; volumes: string[]; ports?: unknown };
    expect(gitlab.image).toMatch(/^docker\.io\/gitlab\/gitlab-ce:\d+\.\d+\.\d+-ce\.0$/);
    expect(gitlab.hostname).toBe("gitlab.aiwc.internal");
    expect(gitlab.environment.GITLAB_ROOT_PASSWORD).toBe("${GITLAB_ROOT_PASSWORD}");
    expect(gitlab.environment.GITLAB_OMNIBUS_CONFIG).toContain("external_url 'https://gitlab.aiwc.internal'");
    expect(gitlab.environment.GITLAB_OMNIBUS_CONFIG).toContain("nginx['listen_https'] = false");
    expect(gitlab.environment.GITLAB_OMNIBUS_CONFIG).toContain("gitlab_rails['backup_keep_time'] = 604800");
    expect(gitlab.volumes).toEqual(["./data/gitlab/config:/etc/gitlab", "./data/gitlab/logs:/var/log/gitlab", "./data/gitlab/data:/var/opt/gitlab"]);
    // git over SSH on the node's private address only, the port GitLab's clone URLs name.
    const serviceIp = String(inv.all.children.service_nodes!.hosts[node]!.aiwc_private_ip);
    expect(gitlab.ports).toEqual([`${serviceIp}:2222:22`]);
    expect(gitlab.environment.GITLAB_OMNIBUS_CONFIG).toContain("gitlab_rails['gitlab_shell_ssh_port'] = 2222");
    expect(read(node, "Caddyfile")).toMatch(/gitlab\.aiwc\.internal \{\n\ttls internal\n\treverse_proxy gitlab:80\n\}/);
    expect(read(node, "env")).toContain(`GITLAB_ROOT_PASSWORD='${SECRETS.AIWC_SECRET_GITLAB_ROOT_PASSWORD}'`);
    // Its own backup daily, in the node's compose project; GitLab prunes what is older than a week.
    expect(/^ExecStart=(.*)$/m.exec(read(node, "aiwc-gitlab-backup.service"))![1]).toBe(`/usr/bin/docker compose --project-directory /srv/aiwc/${node} --project-name aiwc exec -T gitlab gitlab-backup create CRON=1 STRATEGY=copy`);
    expect(read(node, "aiwc-gitlab-backup.timer")).toContain("OnCalendar=*-*-* 01:30:00");
  });

  test("a CI runner: GitLab Runner pinned, the Docker executor unprivileged, GitLab by its host name at its node's address, its CA trusted, the token from the environment", () => {
    const [runner] = Object.keys(inv.all.children.ci_runners!.hosts);
    const gitlabNode = (inv.all.vars.aiwc_service_placement as Record<string, string>).gitlab!;
    const gitlabIp = String(inv.all.children.service_nodes!.hosts[gitlabNode]!.aiwc_private_ip);
    const toml = spawnSync("/usr/bin/python3", ["-c", "import json, sys, tomllib; print(json.dumps(tomllib.load(open(sys.argv[1], 'rb'))))", join(out, runner!, "config.toml")], { encoding: "utf8" });
    expect(toml.status, toml.stderr).toBe(0);
    const config = JSON.parse(toml.stdout) as { concurrent: number; runners: Record<string, any>[] };
    expect(config.concurrent).toBe(2);
    expect(config.runners).toHaveLength(1);
    expect(config.runners[0]).toMatchObject({
      name: runner,
      url: "https://gitlab.aiwc.internal",
      token: RUNNER_TOKEN,
      executor: "docker",
      "tls-ca-file": "/etc/gitlab-runner/certs/gitlab.aiwc.internal.crt",
      docker: { privileged: false, extra_hosts: [`gitlab.aiwc.internal:${gitlabIp}`], volumes: ["/cache"], memory: "1536m", cpus: "1" },
    });
    const compose = parse(read(runner!, "compose.yaml")) as { services: { runner: { image: string; volumes: string[]; extra_hosts: string[]; ports?: unknown } } };
    expect(compose.services.runner.image).toMatch(/^docker\.io\/gitlab\/gitlab-runner:v\d+\.\d+\.\d+$/);
    expect(compose.services.runner.volumes).toEqual(["./config:/etc/gitlab-runner", "/var/run/docker.sock:/var/run/docker.sock"]);
    expect(compose.services.runner.extra_hosts).toEqual([`gitlab.aiwc.internal:${gitlabIp}`]);
    // Nothing connects to a runner: it publishes no port, and its token stays out of compose.
    expect(compose.services.runner.ports).toBeUndefined();
    expect(read(runner!, "compose.yaml")).not.toContain(RUNNER_TOKEN);
  });

  test("Open WebUI talks to every GPU worker's metering gateway, forwarding the user, and searches through SearXNG", () => {
    const placement = inv.all.vars.aiwc_service_placement as Record<string, string>;
    const compose = parse(read(placement["open-webui"]!, "compose.yaml"));
    const gateways = Object.values(inv.all.children.gpu_workers!.hosts).map((h) => `http://${String(h.aiwc_private_ip)}:11435`);
    expect(compose.services["open-webui"].environment).toMatchObject({ OLLAMA_BASE_URLS: gateways.join(";"), ENABLE_FORWARD_USER_INFO_HEADERS: "true", WEB_SEARCH_ENGINE: "searxng" });
    expect(compose.services.searxng).toBeDefined();
  });

  test("Qdrant and Supabase take users' aiwc keys: Caddy asks the key check, logs user and meter, puts the service's own key on the call; the collector counts hourly", () => {
    const placement = inv.all.vars.aiwc_service_placement as Record<string, string>;
    for (const [service, meter] of [["qdrant", "qdrant_queries"], ["supabase", "supabase_calls"]] as const) {
      const node = placement[service]!;
      const caddyfile = read(node, "Caddyfile");
      const site = caddyfile.slice(caddyfile.indexOf(`${service}.aiwc.internal {`));
      expect(site.slice(0, site.indexOf("\n}"))).toContain(`import aiwc_metered ${meter}`);
      expect(caddyfile).toContain("forward_auth unix//run/aiwc-meter/auth.sock {\n\t\turi /check?meter={args[0]}\n\t\tcopy_headers X-Aiwc-User");
      expect(caddyfile).toContain("log_append aiwc_user {http.request.header.X-Aiwc-User}");
      // The users' keys never reach the log.
      expect(caddyfile).toContain("request>headers>Api-Key delete");
      expect(caddyfile).toContain("request>headers>Apikey delete");
      const caddy = (parse(read(node, "compose.yaml")) as { services: { caddy: { environment: Record<string, string>; volumes: string[] } } }).services.caddy;
      expect(caddy.volumes).toContain("/run/aiwc-meter:/run/aiwc-meter");
      expect(caddy.environment).toMatchObject(service === "qdrant" ? { QDRANT_API_KEY: "${QDRANT_API_KEY}" } : { SUPABASE_ANON_KEY: "${SUPABASE_ANON_KEY}" });
      expect(/^ExecStart=(.*)$/m.exec(read(node, "aiwc-meter-auth.service"))![1]).toBe("/opt/node/22.12.0/bin/node /opt/aiwc/aiwc.cjs meter auth --listen unix:/run/aiwc-meter/auth.sock --keys /etc/aiwc-meter/keys.json --config /etc/aiwc-meter/config");
      expect(/^ExecStart=(.*)$/m.exec(read(node, "aiwc-meter-access-log.service"))![1]).toBe(
        `/opt/node/22.12.0/bin/node /opt/aiwc/aiwc.cjs meter access-log --log /srv/aiwc/${node}/data/caddy/logs/access.log --cursor /var/lib/aiwc-meter/access-log-cursor.json --spool /var/lib/aiwc-meter/spool --source caddy:${node} --config /etc/aiwc-meter/config`,
      );
    }
    // n8n and Langfuse are read through Caddy on their own node, trusting Caddy's internal CA.
    for (const [service, args] of [["n8n", "--cursor /var/lib/aiwc-meter/n8n-cursor.json"], ["langfuse", "--projects /etc/aiwc-meter/langfuse-projects.json --cursor /var/lib/aiwc-meter/langfuse-cursor.json"]] as const) {
      const node = placement[service]!;
      const unit = read(node, `aiwc-meter-${service}.service`);
      expect(/^ExecStart=(.*)$/m.exec(unit)![1]).toBe(`/opt/node/22.12.0/bin/node /opt/aiwc/aiwc.cjs meter ${service} --url https://${service}.aiwc.internal ${args} --spool /var/lib/aiwc-meter/spool --source ${service}:${node} --config /etc/aiwc-meter/config`);
      expect(unit).toContain(`Environment=NODE_EXTRA_CA_CERTS=/srv/aiwc/${node}/data/caddy/pki/authorities/local/root.crt`);
    }
    expect(read(placement.n8n!, "aiwc-meter-n8n.service")).toContain("EnvironmentFile=/etc/aiwc-meter/n8n.env");
    // CI minutes: GitLab's runner jobs through Caddy on GitLab's node, with the token from gitlab.env.
    const gitlabUnit = read(placement.gitlab!, "aiwc-meter-gitlab-ci.service");
    expect(/^ExecStart=(.*)$/m.exec(gitlabUnit)![1]).toBe(`/opt/node/22.12.0/bin/node /opt/aiwc/aiwc.cjs meter gitlab-ci --url https://gitlab.aiwc.internal --group ci --cursor /var/lib/aiwc-meter/gitlab-ci-cursor.json --spool /var/lib/aiwc-meter/spool --source gitlab:${placement.gitlab!} --config /etc/aiwc-meter/config`);
    expect(gitlabUnit).toContain("EnvironmentFile=/etc/aiwc-meter/gitlab.env");
    expect(read(placement.gitlab!, "aiwc-meter-gitlab-ci.timer")).toContain("OnCalendar=*-*-* *:20:00");
    expect(read(placement.qdrant!, "Caddyfile")).toContain("request_header api-key {env.QDRANT_API_KEY}");
    expect(read(placement.supabase!, "Caddyfile")).toContain('request_header @aiwc_bearer Authorization "Bearer {env.SUPABASE_ANON_KEY}"');
    // The admin page on the first service node, behind Caddy, on a socket beside the key check's.
    const nodes = Object.keys(inv.all.children.service_nodes!.hosts).sort();
    const admin = nodes[0]!;
    expect(read(admin, "Caddyfile")).toContain("admin.aiwc.internal {\n\ttls internal\n\treverse_proxy unix//run/aiwc-meter/admin.sock\n}");
    expect(read(admin, "compose.yaml")).toContain("/run/aiwc-meter:/run/aiwc-meter");
    expect(/^ExecStart=(.*)$/m.exec(read(admin, "aiwc-serve.service"))![1]).toBe("/opt/node/22.12.0/bin/node /opt/aiwc/aiwc.cjs serve --listen unix:/run/aiwc-meter/admin.sock --config /etc/aiwc-meter/config");
    for (const node of nodes.slice(1)) expect(read(node, "Caddyfile")).not.toContain("admin.aiwc.internal");
    // A node with neither a metered service nor the page has neither the snippet nor the mount.
    for (const node of nodes.filter((n) => n !== placement.qdrant && n !== placement.supabase && n !== admin)) {
      expect(read(node, "Caddyfile")).not.toContain("aiwc_metered");
      expect(read(node, "compose.yaml")).not.toContain("/run/aiwc-meter");
    }
  });

  test("Ollama listens on the loopback; the gateway on the private address, believing only the service nodes; the OSD spec names every storage node", () => {
    // In the service nodes' name order, as the role lists them.
    const services = Object.entries(inv.all.children.service_nodes!.hosts).sort(([a], [b]) => a.localeCompare(b)).map(([, h]) => `${String(h.aiwc_private_ip)}/32`);
    expect(services.length).toBeGreaterThan(0);
    for (const [name, host] of Object.entries(inv.all.children.gpu_workers!.hosts)) {
      expect(read(name, "ollama.service")).toContain("Environment=OLLAMA_HOST=127.0.0.1:11434");
      const unit = read(name, "aiwc-meter-gateway.service");
      const exec = /^ExecStart=(.*)$/m.exec(unit)![1]!;
      expect(exec).toBe(
        `/opt/node/22.12.0/bin/node /opt/aiwc/aiwc.cjs meter gateway --listen ${String(host.aiwc_private_ip)}:11435 --upstream http://127.0.0.1:11434 --keys /etc/aiwc-meter/keys.json --spool /var/lib/aiwc-meter/spool --source gateway:${name} --checkpoint-seconds 5 --config /etc/aiwc-meter/config --trust-forwarded-from ${services.join(" ")}`,
      );
      expect(read(name, "aiwc-meter-collect.service")).toContain("ExecStart=/opt/node/22.12.0/bin/node /opt/aiwc/aiwc.cjs usage collect --spool /var/lib/aiwc-meter/spool --config /etc/aiwc-meter/config");
      expect(read(name, "aiwc-meter-collect.timer")).toContain("OnCalendar=*:0/15");
      // The users as the gateway needs them; their billing details stay on the control host.
      const users = read(name, "users.yaml");
      expect(parse(users)).toEqual({ users: [{ name: "anna", tariff: "basic", sshKey: "ssh-ed25519 AAAA anna" }, { name: "ben", tariff: "basic", packs: ["pro"], sshKey: "ssh-ed25519 AAAA ben" }] });
      expect(users).not.toContain("example.org");
    }
    const [first] = Object.keys(inv.all.children.ceph!.hosts).sort();
    // The daily storage sample on the bootstrap host: each user's subvolume, into the spool.
    expect(/^ExecStart=(.*)$/m.exec(read(first!, "aiwc-meter-storage.service"))![1]).toBe(
      `/opt/node/22.12.0/bin/node /opt/aiwc/aiwc.cjs meter storage --spool /var/lib/aiwc-meter/spool --volume aiwc --group users --source storage:${first} --config /etc/aiwc-meter/config`,
    );
    expect(read(first!, "aiwc-meter-storage.timer")).toContain("OnCalendar=*-*-* 03:00:00 UTC");
    const spec = parse(read(first!, "osd-spec.yml"));
    expect(spec).toEqual({ service_type: "osd", service_id: "aiwc-data-volumes", placement: { hosts: Object.keys(inv.all.children.ceph!.hosts).sort() }, spec: { data_devices: { all: true } } });
  });

  test("the bastion's backup script archives /etc without secrets, and is valid shell", () => {
    const [bastion] = Object.keys(inv.all.children.bastion!.hosts);
    const script = read(bastion!, "aiwc-backup.sh");
    expect(spawnSync("sh", ["-n", join(out, bastion!, "aiwc-backup.sh")]).status).toBe(0);
    expect(script).toContain("--exclude='/etc/shadow'");
    expect(script).toContain('target="backup:aiwc-config-backups/aiwc/${host}"');
    expect(read(bastion!, "backup.env")).toContain("RCLONE_CONFIG_BACKUP_ENDPOINT=https://fsn1.your-objectstorage.com");
  });

  test("services.yml on a node whose secrets are not exported stops at once, naming what to export", () => {
    const dir = tempDir("aiwc-secrets-");
    const inventoryFile = join(dir, "inventory.yml");
    writeFileSync(inventoryFile, stringify(inv));
    const placement = inv.all.vars.aiwc_service_placement as Record<string, string>;
    const node = placement.supabase!;
    const withoutSupabase = Object.fromEntries(Object.entries(SECRETS).filter(([k]) => !k.startsWith("AIWC_SECRET_SUPABASE_")));
    // Check mode on this machine (connection local): the play must stop at its first task.
    const r = spawnSync("ansible-playbook", ["-i", inventoryFile, "--limit", node, "--check", "-e", "ansible_connection=local", "services.yml"], {
      cwd: ANSIBLE,
      encoding: "utf8",
      env: { ...process.env, ...withoutSupabase, ANSIBLE_NOCOLOR: "1" },
      timeout: 300_000,
    });
    expect(r.status).not.toBe(0);
    expect(r.stdout).toContain("TASK [services : Check the placement and this node's secrets]");
    expect(r.stdout).toMatch(/Missing secrets for [a-z0-9, -]*supabase[a-z0-9, -]*: export AIWC_SECRET_SUPABASE_POSTGRES_PASSWORD, AIWC_SECRET_SUPABASE_JWT_SECRET, AIWC_SECRET_SUPABASE_ANON_KEY, AIWC_SECRET_SUPABASE_SERVICE_ROLE_KEY/);
    // Nothing after the check ran.
    expect(r.stdout).not.toContain("TASK [services : Install Docker and Compose]");
    for (const value of Object.values(SECRETS)) expect(`${r.stdout}${r.stderr}`).not.toContain(value);
  });
});
