/**
 * The admin page (`aiwc report --html FILE`, `aiwc serve`): one self-contained HTML file — the
 * report's JSON, the styles, the script and the charting library (uPlot, from npm) inline, and a
 * Content-Security-Policy that lets nothing be fetched, so no request leaves the file. It shows
 * cost against revenue over the recorded months, usage per meter per day, and a sortable user
 * table whose rows open the user's invoice lines and usage.
 */
import { readFileSync } from "node:fs";
import type { MonthlyJson } from "./monthly-schema";

let vendored: { js: string; css: string } | undefined;
function uplot(): { js: string; css: string } {
  vendored ??= { js: readFileSync(require.resolve("uplot/dist/uPlot.iife.min.js"), "utf8"), css: readFileSync(require.resolve("uplot/dist/uPlot.min.css"), "utf8") };
  return vendored;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
/** JSON inside <script>: nothing in it can close the element. */
const inlineJson = (value: unknown) => JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");

const STYLE = `
:root { font-family: system-ui, sans-serif; color: #1d2329; background: #f6f7f9; }
body { margin: 0 auto; max-width: 1200px; padding: 1.5rem; }
h1 { font-size: 1.4rem; margin: 0 0 1rem; } h2 { font-size: 1.1rem; margin: 2rem 0 .6rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: .8rem; }
.card { background: #fff; border: 1px solid #dde1e6; border-radius: 6px; padding: .8rem 1rem; }
.card .label { font-size: .8rem; color: #5c6670; } .card .value { font-size: 1.4rem; font-variant-numeric: tabular-nums; }
.card .sub { font-size: .8rem; color: #5c6670; }
.neg { color: #b3261e; }
table { border-collapse: collapse; width: 100%; background: #fff; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid #e6e9ed; padding: .35rem .6rem; text-align: left; font-size: .9rem; }
th.num, td.num { text-align: right; }
#users th { cursor: pointer; user-select: none; } #users th[aria-sort="ascending"]::after { content: " ▲"; } #users th[aria-sort="descending"]::after { content: " ▼"; }
#users tbody tr.user { cursor: pointer; } #users tbody tr.user:hover { background: #f0f4f8; }
tr.detail td { background: #fafbfc; } tr.detail table { margin: .3rem 0 .6rem; }
.flag { background: #fde7e5; color: #8a1c14; border-radius: 3px; padding: 0 .3rem; font-size: .8rem; margin-left: .3rem; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(360px, 1fr)); gap: .8rem; }
.chart { background: #fff; border: 1px solid #dde1e6; border-radius: 6px; padding: .5rem; }
.warnings { background: #fff8e1; border: 1px solid #f0d77a; border-radius: 6px; padding: .5rem 1rem; margin-bottom: .8rem; }
`;

/** The page's own script: reads the embedded report, draws, sorts, opens rows. No network. */
const SCRIPT = `
(function () {
  "use strict";
  var report = JSON.parse(document.getElementById("report-data").textContent);
  var eur = function (s) { return s === null ? "—" : Number(s).toLocaleString("de-DE", { style: "currency", currency: "EUR" }); };
  var el = function (tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { if (k === "text") node.textContent = attrs[k]; else node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { node.appendChild(c); });
    return node;
  };
  var monthTs = function (m) { return Date.UTC(Number(m.slice(0, 4)), Number(m.slice(5, 7)) - 1, 1) / 1000; };
  var dayTs = function (d) { return Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10))) / 1000; };
  var width = function (node) { return Math.max(300, node.clientWidth - 16); };

  // Cost against revenue over the recorded months.
  var history = document.getElementById("history-chart");
  var months = report.history.map(function (h) { return monthTs(h.month); });
  var lastMonth = monthTs(report.month), firstMonth = monthTs(report.history.length > 0 ? report.history[0].month : report.month);
  new uPlot({
    title: "cost and revenue per month (EUR)", width: width(history), height: 260,
    // The recorded months, half a month of margin either side (one month alone is a point, not a range).
    scales: { x: { time: true, range: function () { return [firstMonth - 15 * 86400, lastMonth + 15 * 86400]; } } },
    series: [{}, { label: "cost", stroke: "#b3261e", width: 2, points: { size: 6 } }, { label: "revenue", stroke: "#1a7f37", width: 2, points: { size: 6 } }],
    axes: [{ splits: function () { return months; }, values: function (u, ticks) { return ticks.map(function (t) { return new Date(t * 1000).toISOString().slice(0, 7); }); } }, { size: 70 }],
  }, [months, report.history.map(function (h) { return h.cost === null ? null : Number(h.cost); }), report.history.map(function (h) { return h.revenue === null ? null : Number(h.revenue); })], history);

  // Usage per meter per day, one chart each.
  var usage = document.getElementById("usage-charts");
  var meters = report.payg.filter(function (p) { return report.daily.some(function (d) { return d.meter === p.meter; }); });
  var first = dayTs(report.month + "-01"), days = [];
  for (var t = first; new Date(t * 1000).toISOString().slice(0, 7) === report.month; t += 86400) days.push(t);
  // Every box in the grid first, so each is measured at its final width.
  var boxes = meters.map(function (p) { var box = el("div", { class: "chart", "data-meter": p.meter }); usage.appendChild(box); return box; });
  meters.forEach(function (p, i) {
    var box = boxes[i];
    var values = days.map(function (d) { var row = report.daily.find(function (x) { return x.meter === p.meter && dayTs(x.day) === d; }); return row ? Number(row.quantity) : 0; });
    new uPlot({ title: p.meter + " (" + p.unit + " per day)", width: width(box), height: 200, scales: { x: { time: true } }, series: [{}, { label: p.meter, stroke: "#2f6fb3", fill: "rgba(47,111,179,.15)", width: 1.5 }], axes: [{}, { size: 70 }] }, [days, values], box);
  });
  if (meters.length === 0) usage.appendChild(el("p", { text: "No metered usage this month." }));

  // The users, sortable and paged (a hundred rows at a time); a click opens the user's invoice
  // lines and usage. Rows are arrays and repeated texts indices into report.texts (see page.ts).
  var T = report.texts, U = report.userColumns;
  var users = report.users.map(function (r) {
    var u = {}; U.forEach(function (name, i) { u[name] = r[i]; }); return u;
  });
  var table = document.getElementById("users");
  var body = table.querySelector("tbody");
  var columns = [
    { key: "user", label: "user" }, { key: "tariff", label: "tariff" }, { key: "packs", label: "packs" },
    { key: "revenue", label: "revenue (net)", num: true, get: function (u) { return Number(u.revenue); }, show: function (u) { return eur(u.revenue); } },
    { key: "gpu", label: "GPU hours", num: true, get: function (u) { return Number(u.gpu); }, show: function (u) { return u.gpu; } },
    { key: "storage", label: "storage GB", num: true, get: function (u) { return u.storage === null ? -1 : Number(u.storage); }, show: function (u) { return u.storage === null ? "—" : u.storage + " / " + u.quota; } },
  ];
  var sortKey = "revenue", ascending = false, pageSize = 100, first = 0;
  var head = table.querySelector("thead tr");
  columns.forEach(function (c) {
    var th = el("th", { text: c.label, "data-key": c.key, class: c.num ? "num" : "" });
    th.addEventListener("click", function () { if (sortKey === c.key) ascending = !ascending; else { sortKey = c.key; ascending = !c.num; } first = 0; render(); });
    head.appendChild(th);
  });
  var pager = document.getElementById("pager");
  var previous = el("button", { type: "button", text: "‹ previous", id: "previous" }), next = el("button", { type: "button", text: "next ›", id: "next" }), range = el("span", { id: "range" });
  previous.addEventListener("click", function () { first = Math.max(0, first - pageSize); render(); });
  next.addEventListener("click", function () { if (first + pageSize < users.length) first += pageSize; render(); });
  [previous, range, next].forEach(function (n) { pager.appendChild(n); });
  var value = function (c, u) { return c.get ? c.get(u) : u[c.key]; };
  function detail(u) {
    var lines = el("table", {}, [el("thead", {}, [el("tr", {}, ["item", "description", "quantity", "unit", "amount"].map(function (h) { return el("th", { text: h }); }))]),
      el("tbody", {}, u.lines.map(function (l) { return el("tr", {}, [el("td", { text: T[l[0]] }), el("td", { text: T[l[1]] + (l[5] >= 0 ? " (" + T[l[5]] + ")" : "") }), el("td", { class: "num", text: l[2] }), el("td", { text: T[l[3]] }), el("td", { class: "num", text: eur(l[4]) })]); }))]);
    var used = el("table", {}, [el("thead", {}, [el("tr", {}, [el("th", { text: "meter" }), el("th", { text: "used this month", class: "num" }), el("th", { text: "included", class: "num" })])]),
      el("tbody", {}, u.usage.map(function (m) { return el("tr", {}, [el("td", { text: report.meters[m[0]] }), el("td", { class: "num", text: m[1] }), el("td", { class: "num", text: m[2] })]); }))]);
    var cell = el("td", { colspan: String(columns.length) }, [el("strong", { text: "Invoice " + (u.invoice || "(draft)") }), lines, el("strong", { text: "Usage" }), used]);
    return el("tr", { class: "detail", "data-user": u.user }, [cell]);
  }
  var open = {};
  function render() {
    var column = columns.filter(function (c) { return c.key === sortKey; })[0];
    var rows = users.slice().sort(function (a, b) { var x = value(column, a), y = value(column, b); var r = x < y ? -1 : x > y ? 1 : 0; return r !== 0 ? (ascending ? r : -r) : a.user < b.user ? -1 : 1; });
    head.querySelectorAll("th").forEach(function (th) { if (th.getAttribute("data-key") === sortKey) th.setAttribute("aria-sort", ascending ? "ascending" : "descending"); else th.removeAttribute("aria-sort"); });
    var fragment = document.createDocumentFragment();
    rows.slice(first, first + pageSize).forEach(function (u) {
      var tr = el("tr", { class: "user", "data-user": u.user }, columns.map(function (c) { return el("td", { class: c.num ? "num" : "", text: c.show ? c.show(u) : String(value(c, u)) }); }));
      if (u.overQuota) tr.children[0].appendChild(el("span", { class: "flag", text: "at quota" }));
      if (u.payment !== null && u.payment !== "paid") tr.children[0].appendChild(el("span", { class: "flag", text: "unpaid (" + u.payment + ")" }));
      if (u.unentitled !== "") tr.children[0].appendChild(el("span", { class: "flag", text: "not included: " + u.unentitled }));
      tr.addEventListener("click", function () { open[u.user] = !open[u.user]; render(); });
      fragment.appendChild(tr);
      if (open[u.user]) fragment.appendChild(detail(u));
    });
    body.textContent = "";
    body.appendChild(fragment);
    range.textContent = " rows " + (users.length === 0 ? 0 : first + 1) + "–" + Math.min(first + pageSize, users.length) + " of " + users.length + " ";
    previous.disabled = first === 0;
    next.disabled = first + pageSize >= users.length;
  }
  render();
  document.body.setAttribute("data-ready", "true");
})();
`;

function card(id: string, label: string, value: string, sub: string, negative = false): string {
  return `<div class="card"><div class="label">${escapeHtml(label)}</div><div class="value${negative ? " neg" : ""}" data-testid="${id}" data-value="${escapeHtml(value)}">${escapeHtml(eurText(value))}</div><div class="sub">${escapeHtml(sub)}</div></div>`;
}

function eurText(amount: string | null): string {
  if (amount === null) return "—";
  const [whole, cents] = amount.replace("-", "").split(".");
  return `${amount.startsWith("-") ? "−" : ""}${whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ".")},${cents ?? "00"} €`;
}

/**
 * What the page's script needs, compact enough for 10,000 users in a few MB: users as rows of a
 * column list, every repeated text (items, descriptions, units, notes) once in `texts`, a PAYG
 * line's description the meter's (the user's numbers are in the usage table beside it).
 */
export function pageModel(r: MonthlyJson) {
  const texts: string[] = [];
  const index = new Map<string, number>();
  const text = (t: string): number => {
    let i = index.get(t);
    if (i === undefined) {
      i = texts.length;
      texts.push(t);
      index.set(t, i);
    }
    return i;
  };
  const meters = [...new Set([...r.payg.map((p) => p.meter), ...r.users.flatMap((u) => Object.keys(u.usage))])];
  const meterIndex = new Map(meters.map((m, i) => [m, i]));
  const units = new Map(r.payg.map((p) => [p.meter, p.unit]));
  const userColumns = ["user", "tariff", "packs", "revenue", "gpu", "storage", "quota", "overQuota", "unentitled", "invoice", "lines", "usage", "payment"] as const;
  const gpuMeter = r.gpu?.meter ?? "gpu_hours";
  return {
    month: r.month,
    history: r.history,
    daily: r.daily,
    payg: r.payg.map((p) => ({ meter: p.meter, unit: p.unit })),
    meters,
    texts,
    userColumns,
    users: r.users.map((u) => [
      u.user,
      u.tariff,
      u.packs.join(", "),
      u.revenue,
      u.usage[gpuMeter] ?? "0",
      u.storageGb,
      u.storageQuotaGb,
      u.overQuota,
      u.unentitled.join(", "),
      u.invoice,
      u.lines.map((l) => {
        const meter = l.item.startsWith("payg:") ? l.item.slice(5) : undefined;
        const description = meter !== undefined ? `${units.get(meter) ?? meter} beyond what is included` : l.description;
        return [text(l.item), text(description), l.quantity, text(l.unit), l.amount, l.note !== undefined ? text(l.note) : -1];
      }),
      Object.entries(u.usage).map(([meter, used]) => [meterIndex.get(meter)!, used, u.included[meter] ?? "0"]),
      u.payment,
    ]),
  };
}

export function monthlyPage(report: MonthlyJson): string {
  const { js, css } = uplot();
  const r = report;
  const groups = r.cost.groups.map((g) => `<tr><td>${escapeHtml(g.group)}</td><td class="num">${eurText(g.incurred)}</td><td class="num">${eurText(g.setup)}</td><td class="num">${eurText(g.forecast)}</td></tr>`).join("");
  const payg = r.payg
    .map((p) => `<tr><td>${escapeHtml(p.meter)}</td><td class="num">${escapeHtml(p.actual)} ${escapeHtml(p.unit)}</td><td class="num">${escapeHtml(p.forecast)}</td><td class="num">${eurText(p.revenue)}</td><td>${escapeHtml(p.calibration.join("; "))}</td></tr>`)
    .join("");
  const gpu =
    r.gpu === null
      ? ""
      : `<h2>GPU workers</h2><p data-testid="gpu">${r.gpu.workers} worker(s), ${escapeHtml(r.gpu.workerHours)} worker hours, ${escapeHtml(r.gpu.meteredHours)} GPU hours metered${r.gpu.utilisation !== null ? `, ${escapeHtml(r.gpu.utilisation)} % busy` : ""}. ${escapeHtml(r.gpu.advice)}.</p>`;
  const warnings = r.warnings.length === 0 ? "" : `<div class="warnings"><ul>${r.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join("")}</ul></div>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'">
<title>aiwc ${escapeHtml(r.month)}</title>
<style>${css}</style>
<style>${STYLE}</style>
</head>
<body>
<h1>aiwc — ${escapeHtml(r.month)}</h1>
${warnings}
<div class="cards">
${card("cost", "cost incurred", r.cost.incurred, `forecast ${eurText(r.cost.forecast)} · ${r.cost.deployments} recorded state(s)`)}
${card("revenue", `revenue (${r.revenue.source === "issued" ? "issued invoices" : "draft bill"})`, r.revenue.net, `forecast ${eurText(r.revenue.forecast)} · ${r.revenue.invoices} invoice(s)`)}
${card("margin", "gross margin", r.margin.actual, `${r.margin.percent === null ? "—" : `${r.margin.percent} %`} · forecast ${eurText(r.margin.forecast)}`, r.margin.actual.startsWith("-"))}
</div>
<h2>Cost and revenue</h2>
<div class="chart" id="history-chart"></div>
<h2>Cost per node group</h2>
<table id="groups"><thead><tr><th>group</th><th class="num">incurred</th><th class="num">setup</th><th class="num">monthly (forecast)</th></tr></thead><tbody>${groups}</tbody></table>
<h2>Usage per meter and day</h2>
<div class="charts" id="usage-charts"></div>
<h2>PAYG</h2>
<table id="payg"><thead><tr><th>meter</th><th class="num">actual</th><th class="num">forecast</th><th class="num">revenue</th><th>what the profiles should say</th></tr></thead><tbody>${payg}</tbody></table>
${gpu}
<h2>Users</h2>
<div id="pager"></div>
<table id="users"><thead><tr></tr></thead><tbody></tbody></table>
<script type="application/json" id="report-data">${inlineJson(pageModel(r))}</script>
<script>${js}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
