// simkyc compliance pages: dashboard (charts), spot-check queue and review, ledger.
// Every call carries the bearer token typed in the sign-in field; every evidence view is
// a request the server audits. No inline script (the page's CSP forbids it).
"use strict";

const $ = (id) => document.getElementById(id);
const API = "/api/v1/compliance";
const blobs = [];

function showError(msg) {
  $("error").textContent = msg;
  $("error").hidden = !msg;
}

async function call(path, opts = {}) {
  const headers = Object.assign({ Authorization: `Bearer ${$("token").value.trim()}` },
                                opts.headers || {});
  const r = await fetch(path, Object.assign({}, opts, { headers }));
  if (!r.ok) {
    let detail = r.statusText;
    try { const b = await r.json(); detail = `${b.error}: ${b.detail}`; } catch (e) { /* not JSON */ }
    throw new Error(`${r.status} ${detail}`);
  }
  return r;
}

function period() {
  return `from=${$("from").value}&to=${$("to").value}`;
}

function cell(tr, text, cls) {
  const td = document.createElement("td");
  td.textContent = text === null || text === undefined ? "-" : String(text);
  if (cls) td.className = cls;
  tr.appendChild(td);
  return td;
}

function rows(tableId) {
  const body = $(tableId).querySelector("tbody");
  body.replaceChildren();
  return body;
}

// Resolves once the element has decoded what it shows (the page marks itself loaded then).
function ready(el) {
  if (el.tagName === "IMG") return el.decode().catch(() => undefined);
  const event = el.tagName === "VIDEO" ? "loadeddata" : "loadedmetadata";
  if (el.readyState >= (el.tagName === "VIDEO" ? 2 : 1)) return Promise.resolve();
  return new Promise((resolve) => {
    el.addEventListener(event, resolve, { once: true });
    el.addEventListener("error", resolve, { once: true });
  });
}

async function blobInto(el, path) {
  const r = await call(path);
  const url = URL.createObjectURL(await r.blob());
  blobs.push(url);
  const done = ready(el);
  el.src = url;
  await done;
}

function card(label, value) {
  const d = document.createElement("div");
  d.className = "card";
  const b = document.createElement("b");
  b.textContent = String(value);
  d.append(b, document.createTextNode(label));
  return d;
}

async function loadDashboard() {
  const report = await (await call(`${API}/report?${period()}`)).json();
  const o = report.outlets;
  const sum = (f) => o.reduce((a, x) => a + f(x), 0);
  $("summary").replaceChildren(
    card("registrations started", sum((x) => x.started)),
    card("completed", sum((x) => x.completed)),
    card("rejected", sum((x) => x.rejected)),
    card("assisted overrides", sum((x) => x.overrides)),
    card("no upper-body photo", sum((x) => x.missing_evidence.upper_body || 0)),
    card("evidence unreadable", sum((x) => x.evidence_unreadable)),
    card("findings", (report.findings || []).length),
    card("spot checks queued", (report.spot_checks || {}).queued || 0));
  const fb = rows("findings");
  for (const f of report.findings || []) {
    const tr = document.createElement("tr");
    cell(tr, f.pattern);
    cell(tr, `${f.subject_kind} ${f.subject_id.slice(0, 12)}`);
    cell(tr, f.summary);
    cell(tr, f.evidence.map((e) => e.slice(0, 8)).join(" "));
    fb.appendChild(tr);
  }
  const ob = rows("outlets");
  for (const x of o) {
    const tr = document.createElement("tr");
    cell(tr, x.name);
    for (const v of [x.started, x.completed, x.rejected, x.overrides,
                     `${(100 * x.override_rate).toFixed(1)} %`, x.missing_evidence.upper_body || 0,
                     x.evidence_unreadable, x.median_seconds, x.p95_seconds]) cell(tr, v, "num");
    ob.appendChild(tr);
  }
  await Promise.all(["outcomes", "override_rate", "missing_evidence"].map(
    (c) => blobInto($(`chart-${c}`), `${API}/charts/${c}?${period()}`)));
  document.body.dataset.loaded = "dashboard";
}

async function loadQueue() {
  const checks = await (await call(`${API}/spot-checks?state=${$("queue-state").value}`)).json();
  const qb = rows("queue");
  for (const c of checks) {
    const tr = document.createElement("tr");
    cell(tr, c.queued_at.slice(0, 16).replace("T", " "));
    cell(tr, c.registration_id.slice(0, 12));
    cell(tr, c.outlet_id.slice(0, 12));
    cell(tr, `${(100 * c.sample_rate).toFixed(0)} %`, "num");
    cell(tr, c.status);
    cell(tr, c.outcome ? `${c.outcome} ${c.defect_category || ""}` : "");
    const td = cell(tr, "");
    const a = document.createElement("a");
    a.href = `#review/${c.id}`;
    a.textContent = "Review";
    a.className = "review-link";
    td.replaceChildren(a);
    qb.appendChild(tr);
  }
  document.body.dataset.loaded = "queue";
}

async function loadReview(id) {
  const v = await (await call(`${API}/spot-checks/${id}`)).json();
  $("review-id").textContent = id.slice(0, 12);
  const r = v.registration;
  $("review-facts").textContent = `Registration ${r.id.slice(0, 12)} (${r.status}) at outlet ` +
    `${r.outlet_id.slice(0, 12)} by agent ${r.agent_id.slice(0, 12)}, started ` +
    `${r.created_at.slice(0, 16).replace("T", " ")}${r.assisted_override ? ", assisted override" : ""}.`;
  const stages = $("review-stages");
  stages.replaceChildren();
  for (const s of v.stages) {
    const li = document.createElement("li");
    li.textContent = `${s.stage}: ${s.passed ? "passed" : "failed"} ${s.reasons.join(", ")}`;
    stages.appendChild(li);
  }
  const views = v.items.map(async (item) => {
    const el = $(`ev-${item.label}`);
    if (!el) return;
    if (!item.evidence_id) { el.removeAttribute("src"); el.title = "missing"; return; }
    await blobInto(el, `${API}/spot-checks/${id}/evidence/${item.label}`);
  });
  await Promise.allSettled(views);
  $("outcome").dataset.check = id;
  $("review-result").textContent = v.check.status === "reviewed"
    ? `Reviewed: ${v.check.outcome} ${v.check.defect_category || ""} ${v.check.note}` : "";
  document.body.dataset.loaded = "review";
}

function money(e) {
  return e.amount_minor === null ? (e.suspended_from ? `${e.suspended_from} to ${e.suspended_to}` : "")
    : `${(e.amount_minor / 100).toFixed(2)} ${e.currency}`;
}

async function loadLedger() {
  const [entries, totals] = await Promise.all([
    call(`${API}/ledger`).then((r) => r.json()), call(`${API}/ledger/totals`).then((r) => r.json())]);
  const reversed = new Set(entries.filter((e) => e.reverses).map((e) => e.reverses));
  const tb = rows("totals");
  for (const [outlet, t] of Object.entries(totals)) {
    const tr = document.createElement("tr");
    cell(tr, outlet.slice(0, 12));
    cell(tr, Object.entries(t).map(([k, v]) => k.includes(":") ? `${k} ${(v / 100).toFixed(2)}` : `${k} ${v}`).join(", "));
    tb.appendChild(tr);
  }
  const lb = rows("ledger");
  for (const e of entries) {
    const tr = document.createElement("tr");
    if (reversed.has(e.id)) tr.className = "reversed";
    cell(tr, e.seq, "num");
    cell(tr, e.at.slice(0, 16).replace("T", " "));
    cell(tr, e.reverses ? `reversal of #${entries.find((x) => x.id === e.reverses)?.seq ?? "?"}` : e.kind);
    cell(tr, `${e.target_kind} ${e.target_id.slice(0, 12)}`);
    cell(tr, money(e), "num");
    cell(tr, e.reason);
    cell(tr, [...e.registration_ids, ...e.finding_ids, ...e.spot_check_ids].map((x) => x.slice(0, 8)).join(" "));
    const td = cell(tr, "");
    if (!e.reverses && !reversed.has(e.id)) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = "Reverse";
      b.addEventListener("click", async () => {
        const reason = window.prompt("Reason for the reversal");
        if (!reason) return;
        await guarded(() => call(`${API}/ledger/${e.id}/reverse`, {
          method: "POST", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ reason }) }).then(loadLedger));
      });
      td.replaceChildren(b);
    }
    lb.appendChild(tr);
  }
  document.body.dataset.loaded = "ledger";
}

async function guarded(fn) {
  showError("");
  try { await fn(); } catch (e) { showError(e.message); }
}

function route() {
  const hash = location.hash.replace(/^#/, "") || "dashboard";
  const [view, arg] = hash.split("/");
  for (const s of document.querySelectorAll(".view")) s.hidden = s.id !== `view-${view}`;
  for (const a of document.querySelectorAll("header nav a")) {
    a.classList.toggle("active", a.id === `nav-${view === "review" ? "queue" : view}`);
  }
  if (!$("token").value.trim()) return;
  while (blobs.length) URL.revokeObjectURL(blobs.pop());
  guarded(() => ({ dashboard: loadDashboard, queue: loadQueue, ledger: loadLedger,
                   review: () => loadReview(arg) }[view] || loadDashboard)());
}

function init() {
  const today = new Date();
  const monthAgo = new Date(today.getTime() - 30 * 86400000);
  $("to").value = today.toISOString().slice(0, 10);
  $("from").value = monthAgo.toISOString().slice(0, 10);
  $("signin").addEventListener("submit", (ev) => { ev.preventDefault(); route(); });
  $("queue-state").addEventListener("change", route);
  window.addEventListener("hashchange", route);
  $("btn-sample").addEventListener("click", () => guarded(async () => {
    await call(`${API}/spot-checks/sample`, { method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ from: $("from").value, to: $("to").value }) });
    await loadQueue();
  }));
  $("outcome").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const outcome = document.querySelector("input[name=outcome]:checked").value;
    const category = $("defect-category").value || null;
    guarded(async () => {
      const r = await call(`${API}/spot-checks/${$("outcome").dataset.check}/outcome`, {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ outcome, defect_category: outcome === "defect" ? category : null,
                               note: $("note").value }) });
      const c = await r.json();
      $("review-result").textContent = `Recorded: ${c.outcome} ${c.defect_category || ""}`;
    });
  });
  $("penalty").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const kind = $("p-kind").value;
    const money = kind === "fine" || kind === "deposit_deduction";
    const ids = $("p-links").value.split(/[\s,]+/).filter(Boolean);
    guarded(async () => {
      // the ids are sent as registrations; the server refuses unknown ones
      await call(`${API}/ledger`, { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          kind, target_kind: $("p-target-kind").value, target_id: $("p-target").value.trim(),
          reason: $("p-reason").value, registration_ids: ids,
          amount_minor: money ? Math.round(parseFloat($("p-amount").value) * 100) : null,
          currency: money ? $("p-currency").value.trim() : null,
          suspended_from: kind === "licence_suspension" ? $("p-from").value : null,
          suspended_to: kind === "licence_suspension" ? $("p-to").value : null }) });
      await loadLedger();
    });
  });
  route();
}

init();
