/**
 * Cost truth: each resource at its own provider configuration's region (aliases, variables,
 * module provider keys), honest totals when something cannot be priced, and capacity rules
 * as gate reasons. Each case failed before its fix.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { cost } from "../cli/commands/cost";
import { validate } from "../cli/commands/validate";
import { fixtureConfig, tempDir } from "./helpers";

const DATE = "2026-11-27";

function priced(document: unknown): Record<string, any> {
  const file = join(tempDir(), "input.json");
  writeFileSync(file, JSON.stringify(document));
  return JSON.parse(cost({ plan: [file], date: DATE, format: "json" }).stdout);
}

const t3 = (extra: Record<string, unknown> = {}) => ({ instance_type: "t3.small", ami: "ami-0a1b2c3d4e5f67890", root_block_device: { volume_size: 8, volume_type: "gp3" }, ...extra });
const monthlyOf = (report: Record<string, any>, address: string) => report.resources.find((r: { address: string }) => r.address === address);

describe("region per resource", () => {
  test("a resource on an aliased provider is priced at the alias's region, not the default's", () => {
    const report = priced({
      provider: { aws: [{ region: "us-east-1" }, { alias: "fra", region: "eu-central-1" }] },
      resource: { aws_instance: { home: t3(), away: t3({ provider: "aws.fra" }) } },
    });
    const home = monthlyOf(report, "aws_instance.home");
    const away = monthlyOf(report, "aws_instance.away");
    expect(home.components[0].unitPrice).not.toEqual(away.components[0].unitPrice);
    // 0.0208 $/h in us-east-1, 0.024 $/h in eu-central-1.
    expect(Number(away.monthly) / Number(home.monthly)).toBeGreaterThan(1.1);
  });

  test("an alias that is not configured, or one in a region without prices, is unsupported (fail closed)", () => {
    const report = priced({
      provider: { aws: [{ region: "eu-central-1" }, { alias: "mumbai", region: "ap-south-1" }] },
      resource: { aws_instance: { ghost: t3({ provider: "aws.nowhere" }), far: t3({ provider: "aws.mumbai" }) } },
    });
    expect(monthlyOf(report, "aws_instance.ghost")).toMatchObject({ status: "unsupported", monthly: null });
    expect(monthlyOf(report, "aws_instance.ghost").reason).toContain("cannot be resolved");
    expect(monthlyOf(report, "aws_instance.far")).toMatchObject({ status: "unsupported", monthly: null });
    expect(report.complete).toBe(false);
  });

  test("a region from a variable is read: the default in *.tf.json, the value in a plan", () => {
    const configuration = priced({
      variable: { region: { default: "eu-central-1" } },
      provider: { aws: [{ region: "${var.region}" }] },
      resource: { aws_instance: { web: t3() } },
    });
    expect(monthlyOf(configuration, "aws_instance.web").status).toBe("priced");
    const values = { instance_type: "t3.small", ami: "ami-0a1b2c3d4e5f67890", root_block_device: [{ volume_size: 8, volume_type: "gp3" }] };
    const plan = priced({
      format_version: "1.2",
      terraform_version: "1.11.0",
      variables: { region: { value: "eu-central-1" } },
      planned_values: { root_module: { resources: [{ address: "aws_instance.web", mode: "managed", type: "aws_instance", name: "web", values }] } },
      configuration: {
        provider_config: { aws: { name: "aws", full_name: "registry.terraform.io/hashicorp/aws", expressions: { region: { references: ["var.region"] } } } },
        root_module: { resources: [{ address: "aws_instance.web", mode: "managed", type: "aws_instance", name: "web", provider_config_key: "aws" }] },
      },
    });
    expect(monthlyOf(plan, "aws_instance.web").status).toBe("priced");
    expect(monthlyOf(plan, "aws_instance.web").monthly).toBe(monthlyOf(configuration, "aws_instance.web").monthly);
  });

  test("in a plan, provider_config_key decides, also inside modules", () => {
    const values = { instance_type: "t3.small", ami: "ami-0a1b2c3d4e5f67890", root_block_device: [{ volume_size: 8, volume_type: "gp3" }] };
    const plan = priced({
      format_version: "1.2",
      terraform_version: "1.11.0",
      planned_values: {
        root_module: {
          resources: [{ address: "aws_instance.home", mode: "managed", type: "aws_instance", name: "home", values }],
          child_modules: [{ address: "module.eu", resources: [{ address: "module.eu.aws_instance.web[0]", mode: "managed", type: "aws_instance", name: "web", index: 0, values }] }],
        },
      },
      configuration: {
        provider_config: {
          aws: { name: "aws", expressions: { region: { constant_value: "us-east-1" } } },
          "aws.fra": { name: "aws", alias: "fra", expressions: { region: { constant_value: "eu-central-1" } } },
        },
        root_module: {
          resources: [{ address: "aws_instance.home", type: "aws_instance", name: "home", provider_config_key: "aws" }],
          module_calls: { eu: { module: { resources: [{ address: "aws_instance.web", type: "aws_instance", name: "web", provider_config_key: "aws.fra" }] } } },
        },
      },
    });
    const home = monthlyOf(plan, "aws_instance.home");
    const eu = monthlyOf(plan, "module.eu.aws_instance.web[0]");
    expect(eu.status).toBe("priced");
    expect(Number(eu.monthly)).toBeGreaterThan(Number(home.monthly));
  });
});

describe("honest totals", () => {
  test("with an unsupported resource the total is a lower bound in every format, and the resource shows no price", () => {
    const file = join(tempDir(), "input.json");
    writeFileSync(file, JSON.stringify({ provider: { aws: [{ region: "eu-central-1" }] }, resource: { aws_instance: { ok: t3(), odd: t3({ instance_type: "x9.mega" }) } } }));
    const json = JSON.parse(cost({ plan: [file], date: DATE, format: "json" }).stdout);
    expect(json.complete).toBe(false);
    expect(json.incomplete).toEqual(["1 resource(s) cannot be priced"]);
    expect(monthlyOf(json, "aws_instance.odd").monthly).toBeNull();
    expect(json.tariff.fromIncompleteCost).toBe(true);
    const table = cost({ plan: [file], date: DATE }).stdout;
    expect(table).toMatch(/│ Total +│ +2 │ +≥ [\d.,]+ € │/);
    expect(table).toContain("Total is a lower bound: 1 resource(s) cannot be priced. Margin is at most, break-even at least, what is shown.");
    expect(table).toMatch(/Gross margin +│ +≤ /);
    const markdown = cost({ plan: [file], date: DATE, format: "markdown" }).stdout;
    expect(markdown).toMatch(/^### aiwc cost: ≥ [\d.,]+ € per month/);
    expect(markdown).toContain("| `aws_instance.odd` | shared | unsupported: ");
    expect(markdown).toMatch(/\| `aws_instance\.odd` \| shared \| unsupported: [^|]+\| — \|/);
  });

  test("the default config is complete: no bound signs", () => {
    const json = JSON.parse(cost({ date: DATE, format: "json" }).stdout);
    expect(json.complete).toBe(true);
    expect(cost({ date: DATE }).stdout).not.toContain("≥");
  });
});

describe("capacity rules are checked", () => {
  const crowded = () =>
    fixtureConfig({
      users: (d) => {
        const users = d.get("users") as { items: unknown[] };
        for (let i = 0; i < 5; i++) users.items.push(d.createNode({ name: `extra${i}`, tariff: "basic", sshKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBuiZ5GD2kh710VAvt4oM+BSUW3xZD+Fd0wH9X6Nbm8P extra" }));
      },
    });

  test("35 users on 2 service nodes (15 per node) is a gate reason in cost and an error in validate", () => {
    const dir = crowded();
    const report = JSON.parse(cost({ config: dir, date: DATE, format: "json" }).stdout);
    expect(report.gate.passed).toBe(false);
    expect(report.gate.reasons).toContain("capacity: 35 users need 3 service-nodes (15 per node); the config has 2: raise nodeGroups.service-nodes.count to 3");
    const checked = validate({ config: dir });
    expect(checked.exitCode).toBe(1);
    expect(checked.stderr).toContain("cluster.yaml: capacity[0]: 35 users need 3 service-nodes (15 per node); the config has 2: raise nodeGroups.service-nodes.count to 3 (a cost-gate reason)");
  });

  test("30 users on 2 service nodes pass", () => {
    expect(JSON.parse(cost({ date: DATE, format: "json" }).stdout).gate.reasons).toEqual([]);
  });
});

describe("Hetzner prices by location", () => {
  const server = (type: string, location: string) => ({ server_type: type, location, public_net: [{ ipv4_enabled: false, ipv6_enabled: false }] });

  test("a type is priced only where it is sold, at that location's price; elsewhere it is unsupported", () => {
    const report = priced({
      resource: {
        hcloud_server: { eu: server("cpx22", "fsn1"), us_new: server("cpx22", "hil"), us_old: server("cpx21", "ash"), eu_old: server("cpx21", "nbg1"), sg: server("cpx22", "sin") },
      },
    });
    expect(monthlyOf(report, "hcloud_server.eu")).toMatchObject({ status: "priced", monthly: "19.49" });
    expect(monthlyOf(report, "hcloud_server.us_old")).toMatchObject({ status: "priced", monthly: "31.99" });
    for (const address of ["hcloud_server.us_new", "hcloud_server.eu_old", "hcloud_server.sg"]) {
      expect(monthlyOf(report, address)).toMatchObject({ status: "unsupported", monthly: null });
    }
    expect(monthlyOf(report, "hcloud_server.us_new").reason).toContain('"cpx22" is not sold (or has no sourced price) in hil; the catalog has it in fsn1, nbg1, hel1');
  });

  test("volumes and IPs carry EU prices only: in the US they are unsupported, never the EU price", () => {
    const report = priced({ resource: { hcloud_volume: { us: { size: 100, location: "ash" }, eu: { size: 100, location: "fsn1" } } } });
    expect(monthlyOf(report, "hcloud_volume.eu").status).toBe("priced");
    expect(monthlyOf(report, "hcloud_volume.us").status).toBe("unsupported");
  });

  test("validate refuses a type not sold at the configured location", () => {
    const dir = fixtureConfig({ cluster: (d) => d.setIn(["hetzner", "location"], "hil") });
    const r = validate({ config: dir, format: "json" });
    expect(r.exitCode).toBe(1);
    const problems = JSON.parse(r.stdout).problems.map((p: { path: string; message: string }) => `${p.path}: ${p.message}`);
    expect(problems).toContain('nodeGroups.controllers.serverType: server type "cpx22" is not offered in hil; it is offered in fsn1, nbg1, hel1');
  });
});

describe("modules in Terraform JSON", () => {
  test("a module call is reported unsupported (its resources are not in the file), never skipped", () => {
    const report = priced({ module: { web: { source: "./modules/web", providers: { aws: "aws.fra" } } }, provider: { aws: [{ region: "eu-central-1" }] } });
    expect(monthlyOf(report, "module.web")).toMatchObject({ status: "unsupported", monthly: null });
    expect(monthlyOf(report, "module.web").reason).toContain("price a plan (terraform show -json)");
    expect(report.complete).toBe(false);
  });
});
