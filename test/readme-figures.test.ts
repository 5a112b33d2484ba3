/**
 * Every figure the README quotes is produced here by the command it names, so the README
 * cannot go stale: GIVEN the README's text, WHEN each command runs on the named config, THEN
 * the README states exactly what it printed.
 */
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { parseDocument } from "yaml";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { cost } from "../cli/commands/cost";
import { validate } from "../cli/commands/validate";
import { formatEur, money } from "../catalog/money";
import { portableOn, ROOT, tempDir } from "./helpers";

const README = readFileSync(join(ROOT, "README.md"), "utf8").replace(/\s+/g, " ");
const DATE = "2026-11-27";

type Report = Record<string, any>;
const report = (options: Parameters<typeof cost>[0]): Report => JSON.parse(cost({ ...options, date: DATE, format: "json" }).stdout);
const eur = (amount: string) => formatEur(money(amount));
const group = (r: Report, name: string) => r.groups.find((g: { name: string }) => g.name === name) as { monthly: string; setup: string };
/** The README contains `text` (only the missing sentence is printed on failure, not the README). */
const expectReadme = (text: string) => expect(README.includes(text) ? text : `(missing) ${text}`).toBe(text);

describe("README figures", () => {
  test("the portable example on each provider (`aiwc cost`), and its node count (`aiwc validate`)", () => {
    const [hetzner, ovh, aws] = ["hetzner", "ovh", "aws"].map((p) => report({ config: portableOn(p) }));
    expectReadme(`\`aiwc cost\` prices it: ${eur(hetzner!.totalMonthly)} a month on Hetzner, ${eur(ovh!.totalMonthly)} on OVH, ${eur(aws!.totalMonthly)} on AWS`);
    const nodes = /(\d+) nodes, (\d+) users/.exec(validate({ config: portableOn("hetzner") }).stdout)!;
    expectReadme(`the same ${nodes[1]} nodes and ${nodes[2]} users`);
  });

  test("the default config: total, setup, the group table, the GPU worker's margin", () => {
    const r = report({});
    // The API budget line of `aiwc cost`, quoted whole.
    const budget = cost({ date: DATE, format: "table" }).stdout.split("\n").find((l) => l.startsWith("API budget"));
    expectReadme(`for the default config: "${budget}"`);
    expect(r.complete).toBe(true);
    expectReadme(`The default Hetzner config costs **${eur(r.totalMonthly)} per month + ${money(r.setupOneTime).toFixed(0)} € setup** and passes its gate`);
    expectReadme(`About ${money(r.totalMonthly).toFixed(0)} € per month at the prices of \`config/prices/hetzner.yaml\``);
    expectReadme(`| controllers | controller | 3 | cpx22 (2 vCPU, 4 GB) | ${eur(group(r, "controllers").monthly)} |`);
    expectReadme(`| ${eur(group(r, "gpu-workers").monthly)} + ${money(group(r, "gpu-workers").setup).toFixed(0)} € setup |`);
    expectReadme(`| ceph-storage | ceph | 3 | cpx22 + 400 GB volume each | ${eur(group(r, "ceph-storage").monthly)} |`);
    expectReadme(`| service-nodes | service | 2 | cpx42 (8 vCPU, 16 GB) | ${eur(group(r, "service-nodes").monthly)} |`);
    expectReadme(`| ci-runners | ci-runner | 1 | cpx22 (2 vCPU, 4 GB), in the users subnet | ${eur(group(r, "ci-runners").monthly)} |`);
    expectReadme(`| 30 user VMs | user-vm | 30 | cpx12 (1 vCPU, 2 GB), 4 × 20 GB Storage+ volumes | ${eur(group(r, "user-vms").monthly)} |`);
    const bastion = r.resources.filter((x: { group: string; monthly: string | null }) => x.group === "bastion" && x.monthly !== "0.00");
    const objectStorage = bastion.find((x: { type: string }) => x.type === "terraform_data");
    const server = money(group(r, "bastion").monthly).minus(objectStorage.monthly);
    expectReadme(`| bastion | bastion | 1 | cpx12 + primary IPv4, Object Storage for its backups | ${formatEur(server)} + ${eur(objectStorage.monthly)} |`);
    const gpu = r.tariff.groups.find((g: { group: string }) => g.group === "gpu-workers");
    expectReadme(`GPU worker earns ${money(gpu.revenue).toFixed(0)} € against ${money(gpu.cost).toFixed(0)} € of cost`);
    const runners = r.tariff.groups.find((g: { group: string }) => g.group === "ci-runners");
    expect(runners.paidBy.map((p: { stream: string }) => p.stream)).toEqual(["packs.devops"]);
    expect(money(runners.margin).isNegative()).toBe(true);
    expectReadme("default config the CI runners are paid by the DevOps pack alone and do not cover their cost");
    expectReadme(`pays at most ${money(r.tariff.gpu[0].maxPaygPerUser).toFixed(0)} € per worker and month`);
    const usersNeeded = ["", "one user", "two users", "three users"][r.tariff.gpu[0].concurrentUsersNeeded as number];
    expectReadme(`**${usersNeeded} must share each GPU worker around the clock**`);
  });

  test("the seed's AWS design (`aiwc cost --config config/examples/aws-seed`) and its Terraform JSON fixture", () => {
    const r = report({ config: join(ROOT, "config", "examples", "aws-seed") });
    const usd = money(r.totalMonthly).times(r.fx.find((f: { currency: string }) => f.currency === "USD").perEur);
    const bound = r.complete ? "" : "at least ";
    expectReadme(`costs at real list prices **${bound}${eur(r.totalMonthly)} (${formatEur(usd).replace(" €", "")} USD) per month`);
    const fixture = report({ plan: [join(ROOT, "test", "fixtures", "aws-seed.tf.json")] });
    const fixtureUsd = money(fixture.totalMonthly).times(fixture.fx.find((f: { currency: string }) => f.currency === "USD").perEur);
    expectReadme(`comes to ${fixture.complete ? "" : "at least "}${eur(fixture.totalMonthly)} (${formatEur(fixtureUsd).replace(" €", "")} USD)`);
  });

  test("the seed's literal layout on Hetzner (`aiwc cost --config config/examples/seed-18`)", () => {
    const r = report({ config: join(ROOT, "config", "examples", "seed-18") });
    expect(r.gate.passed).toBe(false);
    expectReadme(`seed's literal layout on Hetzner (${/(\d+) nodes/.exec(validate({ config: join(ROOT, "config", "examples", "seed-18") }).stdout)![1]} nodes) costs ${eur(r.totalMonthly)} and fails it`);
    expectReadme(`(about ${money(r.totalMonthly).toFixed(0).replace(/\B(?=(\d{3})+(?!\d))/g, ",")} € per month)`);
  });

  test("the NAT instance's saving on the aws-seed layout", () => {
    const seed = join(ROOT, "config", "examples", "aws-seed");
    const dir = tempDir("aiwc-nat-");
    cpSync(seed, dir, { recursive: true });
    const doc = parseDocument(readFileSync(join(dir, "cluster.yaml"), "utf8"));
    doc.setIn(["aws", "egress"], "nat-instance");
    doc.setIn(["files", "users"], join(ROOT, "config", "users.yaml"));
    doc.setIn(["files", "tariffs"], join(ROOT, "config", "tariffs.yaml"));
    doc.delete("references");
    writeFileSync(join(dir, "cluster.yaml"), doc.toString());
    const gateway = money(report({ config: seed }).totalMonthly);
    const instance = money(report({ config: dir }).totalMonthly);
    expectReadme(`aws-seed layout that is ${formatEur(gateway.minus(instance))} a month less`);
  });
});
