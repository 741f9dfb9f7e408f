// simkyc compliance pages: dashboard (charts), spot-check queue and review, ledger.
// Sign-in is the counter app's: user name and password make an HttpOnly, SameSite=Strict
// session cookie (POST /api/v1/session); every unsafe request carries the session's CSRF
// token. The page only hides what a role may not use: the server checks every request.
// Texts come from the message catalogue (GET /api/v1/i18n/{lang}); every evidence view is
// a request the server audits. No inline script (the page's CSP forbids it).
"use strict";

const $ = (id) => document.getElementById(id);
const API = "/api/v1/compliance";
const LANGS = ["zh-Hans", "zh-Hant", "en", "ug"];
const READERS = ["compliance", "auditor"]; // the queue and the ledger
const blobs = [];
const state = { me: null, csrf: null, lang: "en", cat: {}, dir: "ltr" };

function fill(text, params) {
  return text.replace(/\{(\w+)\}/g, (_, k) => (params && k in params ? String(params[k]) : `{${k}}`));
}
// The catalogue's text for ``key``, or ``fallback`` (the page's English) when it has none.
function t(key, params, fallback) {
  return fill(state.cat[key] || fallback || key, params);
}

function applyTexts() {
  document.querySelectorAll("[data-t]").forEach((el) => {
    if (!el.dataset.en) el.dataset.en = el.textContent;
    el.textContent = t(el.dataset.t, null, el.dataset.en);
  });
  for (const attr of ["placeholder", "alt"]) {
    document.querySelectorAll(`[data-t-${attr}]`).forEach((el) => {
      const k = `en${attr[0].toUpperCase()}${attr.slice(1)}`;
      if (!el.dataset[k]) el.dataset[k] = el.getAttribute(attr) || "";
      el.setAttribute(attr, t(el.dataset[`t${attr[0].toUpperCase()}${attr.slice(1)}`], null, el.dataset[k]));
    });
  }
  document.documentElement.lang = state.lang;
  document.documentElement.dir = state.dir;
  document.title = t("ui.compliance_title", null, "simkyc compliance");
  $("who").textContent = state.me ? t("ui.compliance_signed_in_as",
    { name: state.me.name, role: t(`ui.compliance_role_${state.me.role}`, null, state.me.role) },
    "Signed in as {name} ({role})") : "";
}

async function setLanguage(lang) {
  const r = await fetch(`/api/v1/i18n/${encodeURIComponent(lang)}`, { credentials: "same-origin" });
  if (!r.ok) return;
  const c = await r.json();
  state.lang = c.language;
  state.dir = c.direction;
  state.cat = c.messages;
  $("lang").value = state.lang;
  localStorage.setItem("simkyc.complianceLang", state.lang);
  applyTexts();
}

function showError(msg) {
  $("error").textContent = msg;
  $("error").hidden = !msg;
}

class ApiError extends Error {
  constructor(status, body) {
    super(body && body.detail ? body.detail : `HTTP ${status}`);
    this.status = status;
    this.code = body && body.error;
  }
}

function errorText(e) {
  if (!(e instanceof ApiError)) return e.message;
  return e.code ? `${t(`error.${e.code}`, null, e.code)} (${e.status}: ${e.message})` : `${e.status} ${e.message}`;
}

// One request with the session cookie (same origin) and, when it changes something, the
// session's CSRF token. A 401 means the session ended: back to the sign-in form.
async function call(path, opts = {}) {
  const method = (opts.method || "GET").toUpperCase();
  const headers = Object.assign({}, opts.headers || {});
  if (method !== "GET" && method !== "HEAD" && state.csrf) headers["X-CSRF-Token"] = state.csrf;
  if (opts.json !== undefined) headers["Content-Type"] = "application/json";
  const init = { method, headers, credentials: "same-origin" };
  if (opts.json !== undefined) init.body = JSON.stringify(opts.json);
  const r = await fetch(path, init);
  if (!r.ok) {
    let body = null;
    try { body = await r.json(); } catch (e) { body = { detail: r.statusText }; }
    const err = new ApiError(r.status, body);
    if (r.status === 401 && state.me) signedOut(true);
    throw err;
  }
  return r;
}

// --- sign-in -----------------------------------------------------------------------------

async function signIn(ev) {
  ev.preventDefault();
  showError("");
  try {
    const r = await call("/api/v1/session", { method: "POST",
      json: { username: $("username").value, password: $("password").value } });
    $("password").value = "";
    signedIn(await r.json());
  } catch (e) {
    $("password").value = "";
    showError(errorText(e));
  }
}

function signedIn(s) {
  state.me = s;
  state.csrf = s.csrf_token;
  const reader = READERS.includes(s.role);
  document.body.dataset.role = s.role;
  $("nav").hidden = false;
  $("period").hidden = false;
  $("nav-queue").hidden = !reader;
  $("nav-ledger").hidden = !reader;
  $("findings-part").hidden = !reader;
  $("scope-note").hidden = reader;
  // Auditors read only: the write controls are hidden (and refused by the server).
  document.querySelectorAll(".write").forEach((el) => { el.hidden = s.role !== "compliance"; });
  $("btn-sign-out").hidden = false;
  applyTexts();
  route();
}

async function signOut() {
  try { await call("/api/v1/session", { method: "DELETE" }); } catch (e) { /* already ended */ }
  signedOut(false);
}

function signedOut(ended) {
  state.me = null;
  state.csrf = null;
  delete document.body.dataset.role;
  delete document.body.dataset.loaded;
  $("nav").hidden = true;
  $("period").hidden = true;
  $("btn-sign-out").hidden = true;
  while (blobs.length) URL.revokeObjectURL(blobs.pop());
  for (const s of document.querySelectorAll(".view")) s.hidden = s.id !== "view-signin";
  applyTexts();
  showError(ended ? t("ui.compliance_session_ended", null, "Your session ended: please sign in again.") : "");
}

// --- the views ---------------------------------------------------------------------------

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
// A media element is ready once its metadata is in (Chromium may stop loading a paused,
// muted video after its metadata, so ``loadeddata`` can never come); a file the browser
// cannot play (``error``) or one slower than MEDIA_WAIT_MS does not hold the view back.
const MEDIA_WAIT_MS = 8000;

function ready(el) {
  if (el.tagName === "IMG") return el.decode().catch(() => undefined);
  if (el.readyState >= 1) return Promise.resolve();
  return new Promise((resolve) => {
    el.addEventListener("loadedmetadata", resolve, { once: true });
    el.addEventListener("error", resolve, { once: true });
    setTimeout(resolve, MEDIA_WAIT_MS);
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

function card(key, english, value) {
  const d = document.createElement("div");
  d.className = "card";
  const b = document.createElement("b");
  b.textContent = String(value);
  const s = document.createElement("span");
  s.dataset.t = key;
  s.dataset.en = english;
  s.textContent = t(key, null, english);
  d.append(b, s);
  return d;
}

const when = (iso) => iso.slice(0, 16).replace("T", " ");
const pct = (x, digits) => `${(100 * x).toFixed(digits)} %`;

async function loadDashboard() {
  const report = await (await call(`${API}/report?${period()}`)).json();
  const o = report.outlets;
  const sum = (f) => o.reduce((a, x) => a + f(x), 0);
  const cards = [
    card("ui.compliance_card_started", "registrations started", sum((x) => x.started)),
    card("ui.compliance_card_completed", "completed", sum((x) => x.completed)),
    card("ui.compliance_card_rejected", "rejected", sum((x) => x.rejected)),
    card("ui.compliance_card_overrides", "assisted overrides", sum((x) => x.overrides)),
    card("ui.compliance_card_no_upper_body", "no upper-body photo",
         sum((x) => x.missing_evidence.upper_body || 0)),
    card("ui.compliance_card_unreadable", "evidence unreadable", sum((x) => x.evidence_unreadable))];
  if (report.findings) {
    cards.push(card("ui.compliance_card_findings", "findings", report.findings.length),
               card("ui.compliance_card_queued", "spot checks queued", (report.spot_checks || {}).queued || 0));
  }
  $("summary").replaceChildren(...cards);
  const fb = rows("findings");
  for (const f of report.findings || []) {
    const tr = document.createElement("tr");
    const td = cell(tr, t(`ui.compliance_pattern_${f.pattern}`, null, f.pattern));
    td.dataset.pattern = f.pattern;
    cell(tr, `${t(`ui.compliance_target_${f.subject_kind}`, null, f.subject_kind)} ${f.subject_id.slice(0, 12)}`);
    cell(tr, f.summary);
    cell(tr, f.evidence.map((e) => e.slice(0, 8)).join(" "));
    fb.appendChild(tr);
  }
  const ob = rows("outlets");
  for (const x of o) {
    const tr = document.createElement("tr");
    cell(tr, x.name);
    for (const v of [x.started, x.completed, x.rejected, x.overrides, pct(x.override_rate, 1),
                     x.no_flash, pct(x.no_flash_rate, 1), x.missing_evidence.upper_body || 0, x.evidence_unreadable, x.median_seconds,
                     x.p95_seconds]) cell(tr, v, "num");
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
    cell(tr, when(c.queued_at));
    cell(tr, c.registration_id.slice(0, 12));
    cell(tr, c.outlet_id.slice(0, 12));
    cell(tr, pct(c.sample_rate, 0), "num");
    cell(tr, t(`ui.compliance_state_${c.status}`, null, c.status));
    cell(tr, c.outcome ? `${t(`ui.compliance_outcome_${c.outcome}`, null, c.outcome)} ${
      c.defect_category ? t(`ui.compliance_defect_${c.defect_category}`, null, c.defect_category) : ""}` : "");
    const td = cell(tr, "");
    const a = document.createElement("a");
    a.href = `#review/${c.id}`;
    a.textContent = t("ui.compliance_review", null, "Review");
    a.className = "review-link";
    td.replaceChildren(a);
    qb.appendChild(tr);
  }
  document.body.dataset.loaded = "queue";
}

function reviewedText(prefixKey, english, c) {
  return t(prefixKey, { outcome: t(`ui.compliance_outcome_${c.outcome}`, null, c.outcome),
    category: c.defect_category ? t(`ui.compliance_defect_${c.defect_category}`, null, c.defect_category) : "",
    note: c.note || "" }, english).trim();
}

async function loadReview(id) {
  const v = await (await call(`${API}/spot-checks/${id}`)).json();
  $("review-id").textContent = id.slice(0, 12);
  const r = v.registration;
  $("review-facts").textContent = t("ui.compliance_review_facts", {
    id: r.id.slice(0, 12), status: t(`status.${r.status}`, null, r.status),
    outlet: r.outlet_id.slice(0, 12), agent: r.agent_id.slice(0, 12), at: when(r.created_at) },
    "Registration {id} ({status}) at outlet {outlet} by agent {agent}, started {at}.") +
    (r.assisted_override ? ` ${t("ui.compliance_assisted_override", null, "Assisted override.")}` : "");
  const stages = $("review-stages");
  stages.replaceChildren();
  for (const s of v.stages) {
    const li = document.createElement("li");
    const reasons = s.reasons.map((c) => t(`reason.${c}`, null, c)).join(", ");
    li.textContent = t(s.passed ? "ui.compliance_stage_passed" : "ui.compliance_stage_failed",
      { stage: s.stage, reasons }, s.passed ? "{stage}: passed" : "{stage}: failed {reasons}");
    stages.appendChild(li);
  }
  const views = v.items.map(async (item) => {
    const el = $(`ev-${item.label}`);
    if (!el) return;
    if (!item.evidence_id) {
      el.removeAttribute("src");
      el.title = t("ui.compliance_missing", null, "missing");
      return;
    }
    await blobInto(el, `${API}/spot-checks/${id}/evidence/${item.label}`);
  });
  await Promise.allSettled(views);
  $("outcome").dataset.check = id;
  $("review-result").textContent = v.check.status === "reviewed"
    ? reviewedText("ui.compliance_reviewed", "Reviewed: {outcome} {category} {note}", v.check) : "";
  document.body.dataset.loaded = "review";
}

function money(e) {
  return e.amount_minor === null ? (e.suspended_from ? t("ui.compliance_suspended",
    { from: e.suspended_from, to: e.suspended_to }, "{from} to {to}") : "")
    : `${(e.amount_minor / 100).toFixed(2)} ${e.currency}`;
}

function totalText(k, v) {
  // "fine:CNY" -> amount in minor units; otherwise a count ("warning", "licence_suspension")
  const [kind, currency] = k.split(":");
  const name = t(`ui.compliance_kind_${kind}`, null, kind);
  return currency ? `${name} ${(v / 100).toFixed(2)} ${currency}` : `${name} ${v}`;
}

async function loadLedger() {
  const [entries, totals] = await Promise.all([
    call(`${API}/ledger`).then((r) => r.json()), call(`${API}/ledger/totals`).then((r) => r.json())]);
  const reversed = new Set(entries.filter((e) => e.reverses).map((e) => e.reverses));
  const tb = rows("totals");
  for (const [outlet, tot] of Object.entries(totals)) {
    const tr = document.createElement("tr");
    cell(tr, outlet.slice(0, 12));
    cell(tr, Object.entries(tot).map(([k, v]) => totalText(k, v)).join(", "));
    tb.appendChild(tr);
  }
  const lb = rows("ledger");
  const writer = state.me && state.me.role === "compliance";
  for (const e of entries) {
    const tr = document.createElement("tr");
    if (reversed.has(e.id)) tr.className = "reversed";
    cell(tr, e.seq, "num");
    cell(tr, when(e.at));
    cell(tr, e.reverses ? t("ui.compliance_reversal_of",
      { seq: entries.find((x) => x.id === e.reverses)?.seq ?? "?" }, "reversal of #{seq}")
      : t(`ui.compliance_kind_${e.kind}`, null, e.kind));
    cell(tr, `${t(`ui.compliance_target_${e.target_kind}`, null, e.target_kind)} ${e.target_id.slice(0, 12)}`);
    cell(tr, money(e), "num");
    cell(tr, e.reason);
    cell(tr, [...e.registration_ids, ...e.finding_ids, ...e.spot_check_ids].map((x) => x.slice(0, 8)).join(" "));
    const td = cell(tr, "");
    if (writer && !e.reverses && !reversed.has(e.id)) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = t("ui.compliance_reverse", null, "Reverse");
      b.addEventListener("click", async () => {
        const reason = window.prompt(t("ui.compliance_reverse_reason", null, "Reason for the reversal"));
        if (!reason) return;
        await guarded(() => call(`${API}/ledger/${e.id}/reverse`, {
          method: "POST", json: { reason } }).then(loadLedger));
      });
      td.replaceChildren(b);
    }
    lb.appendChild(tr);
  }
  document.body.dataset.loaded = "ledger";
}

async function guarded(fn) {
  showError("");
  try { await fn(); } catch (e) { if (state.me) showError(errorText(e)); }
}

function route() {
  if (!state.me) return;
  const hash = location.hash.replace(/^#/, "") || "dashboard";
  let [view, arg] = hash.split("/");
  if (!READERS.includes(state.me.role) || !["dashboard", "queue", "ledger", "review"].includes(view)) {
    view = "dashboard";
  }
  for (const s of document.querySelectorAll(".view")) s.hidden = s.id !== `view-${view}`;
  for (const a of document.querySelectorAll("header nav a")) {
    a.classList.toggle("active", a.id === `nav-${view === "review" ? "queue" : view}`);
  }
  while (blobs.length) URL.revokeObjectURL(blobs.pop());
  guarded(() => ({ dashboard: loadDashboard, queue: loadQueue, ledger: loadLedger,
                   review: () => loadReview(arg) }[view])());
}

async function init() {
  const today = new Date();
  const monthAgo = new Date(today.getTime() - 30 * 86400000);
  $("to").value = today.toISOString().slice(0, 10);
  $("from").value = monthAgo.toISOString().slice(0, 10);
  $("signin").addEventListener("submit", signIn);
  $("btn-sign-out").addEventListener("click", signOut);
  $("lang").addEventListener("change", async (e) => { await setLanguage(e.target.value); route(); });
  $("period").addEventListener("submit", (ev) => { ev.preventDefault(); route(); });
  $("queue-state").addEventListener("change", route);
  window.addEventListener("hashchange", route);
  $("btn-sample").addEventListener("click", () => guarded(async () => {
    await call(`${API}/spot-checks/sample`, { method: "POST",
      json: { from: $("from").value, to: $("to").value } });
    await loadQueue();
  }));
  $("outcome").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const outcome = document.querySelector("input[name=outcome]:checked").value;
    const category = $("defect-category").value || null;
    guarded(async () => {
      const r = await call(`${API}/spot-checks/${$("outcome").dataset.check}/outcome`, {
        method: "POST", json: { outcome, defect_category: outcome === "defect" ? category : null,
                                note: $("note").value } });
      $("review-result").textContent = reviewedText("ui.compliance_recorded",
        "Recorded: {outcome} {category}", await r.json());
    });
  });
  $("penalty").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const kind = $("p-kind").value;
    const withMoney = kind === "fine" || kind === "deposit_deduction";
    const ids = $("p-links").value.split(/[\s,]+/).filter(Boolean);
    guarded(async () => {
      // the ids are sent as registrations; the server refuses unknown ones
      await call(`${API}/ledger`, { method: "POST", json: {
        kind, target_kind: $("p-target-kind").value, target_id: $("p-target").value.trim(),
        reason: $("p-reason").value, registration_ids: ids,
        amount_minor: withMoney ? Math.round(parseFloat($("p-amount").value) * 100) : null,
        currency: withMoney ? $("p-currency").value.trim() : null,
        suspended_from: kind === "licence_suspension" ? $("p-from").value : null,
        suspended_to: kind === "licence_suspension" ? $("p-to").value : null } });
      await loadLedger();
    });
  });
  const saved = localStorage.getItem("simkyc.complianceLang");
  const browser = (navigator.language || "").startsWith("zh") ? "zh-Hans" : "en";
  await setLanguage(LANGS.includes(saved) ? saved : browser);
  try {
    const r = await fetch("/api/v1/session", { credentials: "same-origin" });
    if (r.ok) signedIn(await r.json()); else signedOut(false);
  } catch (e) { signedOut(false); }
  document.body.dataset.ready = "1";
}

init();
