// simkyc shop counter: one screen per step of the flow definition (GET /api/v1/flow),
// customer texts in the customer's language, agent texts in the agent's. No framework,
// no build step. Every check is made by the server; the page shows pass/fail and reasons.
import { api, ApiError, setCsrf, upload, whenSignedOut } from "./api.js";
import { closeCamera, currentStream, grabFrame, openCamera, record, sleep } from "./media.js";

const SPOKEN = { "zh-Hans": "cmn", "zh-Hant": "yue", en: "en", ug: "ug" };
const SCREEN_RGB = { red: "#ff2626", green: "#26ff26", blue: "#334dff", yellow: "#ffff33", magenta: "#ff33ff", cyan: "#33ffff" };
const ACTION_MS = 2600, NEUTRAL_MS = 1300, GUIDANCE_MS = 1000;
const ARROWS = { turn_left: "⟵", turn_right: "⟶", look_up: "⟰", blink: "◉", open_mouth: "◯" };
const $ = (id) => document.getElementById(id);

const state = {
  flow: [], agent: null, agentLang: "zh-Hans", custLang: "zh-Hans",
  agentCat: {}, custCat: {}, cats: {}, reg: null, upperBody: null, voice: null,
  consentAt: null, verdictMs: [],
};
// Timing marks for the browser test (customer side, ms since page load).
// ``events``: every screen shown and every mark, in order, for the per-screen breakdown.
window.simkycTimings = { marks: {}, events: [] };
const mark = (name) => {
  const t = performance.now();
  window.simkycTimings.marks[name] = t;
  window.simkycTimings.events.push([name, t]);
};

async function catalogue(lang) {
  if (!state.cats[lang]) state.cats[lang] = await api("GET", `/api/v1/i18n/${lang}`);
  return state.cats[lang];
}

function fill(text, params) {
  return text.replace(/\{(\w+)\}/g, (_, k) => (params && k in params ? String(params[k]) : `{${k}}`));
}
const ta = (key, params) => fill(state.agentCat[key] || key, params);
const tc = (key, params) => fill(state.custCat[key] || key, params);

function applyTexts() {
  document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = ta(el.dataset.t); });
  document.querySelectorAll("[data-c]").forEach((el) => { el.textContent = tc(el.dataset.c); });
  const agentDir = state.cats[state.agentLang].direction;
  document.documentElement.lang = state.agentLang;
  document.documentElement.dir = agentDir;
  const cust = $("customer");
  cust.lang = state.custLang;
  cust.dir = state.cats[state.custLang].direction;
  document.title = ta("ui.app_title");
  if (state.agent) $("who").textContent = ta("ui.signed_in_as", { name: state.agent.name });
  renderProgress();
}

async function setAgentLang(lang) {
  state.agentLang = lang;
  state.agentCat = (await catalogue(lang)).messages;
  applyTexts();
}

async function setCustomerLang(lang) {
  state.custLang = lang;
  state.custCat = (await catalogue(lang)).messages;
  applyTexts();
}

// --- screens and progress ----------------------------------------------------------------

let current = null;
const SCREEN_OF = { face_match: "result" };

function show(step) {
  current = step;
  window.simkycTimings.events.push([`screen:${step}`, performance.now()]);
  document.querySelectorAll(".screen").forEach((s) => { s.hidden = true; });
  const screen = $(`screen-${SCREEN_OF[step] || step}`);
  screen.hidden = false;
  $("notice").hidden = true;
  busy(null);
  renderProgress();
  const focus = screen.querySelector("button:not([disabled]):not([hidden]), input");
  if (focus) focus.focus();
}

function renderProgress() {
  const nav = $("progress");
  const steps = state.flow;
  const customer = !["signin", "start", null].includes(current);
  nav.hidden = !customer || !steps.length;
  if (nav.hidden) return;
  const idx = Math.max(0, steps.indexOf(current === "done" ? "register" : current === "result" ? "face_match" : current));
  const done = current === "done" ? steps.length : idx;
  $("progress-fill").style.width = `${Math.round((100 * done) / steps.length)}%`;
  const ol = $("progress-steps");
  ol.replaceChildren(...steps.map((s, i) => {
    const li = document.createElement("li");
    li.textContent = tc(`ui.step_${s}`);
    li.className = i < done ? "done" : i === idx ? "current" : "";
    if (i === idx) li.setAttribute("aria-current", "step");
    return li;
  }));
  $("progress-label").textContent = tc("ui.progress", { n: Math.min(idx + 1, steps.length), total: steps.length });
}

function notice(text, kind = "error") {
  const n = $("notice");
  n.textContent = text;
  n.className = `notice ${kind}`;
  n.hidden = false;
}

function busy(text, percent) {
  const b = $("busy");
  if (text === null) { b.hidden = true; return; }
  b.hidden = false;
  $("busy-text").textContent = text;
  const p = $("busy-progress");
  p.hidden = percent === undefined;
  if (percent !== undefined) p.value = percent;
}

function progressTo(percent) {
  busy(percent >= 100 ? tc("ui.checking") : tc("ui.uploading", { percent }), percent);
}

/** Customer words for an API error (its code's text in the customer's language). */
function errorText(err) {
  // A refused card-reader record (422 reader_record_refused) says why: unsigned, revoked, stale ...
  if (err instanceof ApiError && err.code === "reader_record_refused" && err.body && (err.body.messages || []).length) return err.body.messages.join(" ");
  if (err instanceof ApiError && err.code && state.custCat[`error.${err.code}`]) return state.custCat[`error.${err.code}`];
  return err.message || String(err);
}

function showReasons(el, body) {
  el.replaceChildren();
  const messages = (body.messages || []).filter(Boolean);
  if (!messages.length) return;
  const h = document.createElement("p");
  h.textContent = tc("ui.reasons");
  const ul = document.createElement("ul");
  for (const m of messages) { const li = document.createElement("li"); li.textContent = m; ul.append(li); }
  el.append(h, ul);
}

const regPath = (suffix = "") => `/api/v1/registrations/${state.reg}${suffix}`;

// --- sign-in ----------------------------------------------------------------------------

async function signIn(ev) {
  ev.preventDefault();
  try {
    const s = await api("POST", "/api/v1/session", { username: $("username").value, password: $("password").value });
    $("password").value = "";
    signedIn(s);
  } catch (err) {
    $("password").value = "";
    notice(err.code ? `${ta(`error.${err.code}`)} ${err.status === 429 ? "" : ""}` : err.message);
  }
}

function signedIn(s) {
  state.agent = s;
  setCsrf(s.csrf_token);
  $("btn-sign-out").hidden = false;
  applyTexts();
  show("start");
}

async function signOut() {
  try { await api("DELETE", "/api/v1/session"); } catch (e) { /* already ended */ }
  signedOut();
}

function signedOut(err) {
  closeCamera();
  state.agent = null; state.reg = null;
  setCsrf(null);
  $("btn-sign-out").hidden = true;
  $("who").textContent = "";
  show("signin");
  if (err) notice(ta("ui.session_ended"));
}

// --- start and consent ------------------------------------------------------------------

async function begin() {
  const chosen = document.querySelector(".lang-choice[aria-checked='true']");
  await setCustomerLang(chosen ? chosen.dataset.lang : "zh-Hans");
  state.reg = null; state.upperBody = null; state.voice = null; state.liveFace = null;
  $("receipt").hidden = true;
  $("btn-consent-accept").hidden = false; $("btn-consent-decline").hidden = false;
  show("consent");
}

async function acceptConsent() {
  mark("consent");
  busy(tc("ui.checking"));
  try {
    const reg = await api("POST", "/api/v1/registrations", { consent: true, language: SPOKEN[state.custLang] });
    state.reg = reg.id;
    const receipt = await api("GET", `${regPath("/consent-receipt")}?lang=${state.custLang}`);
    $("receipt-id").textContent = receipt.receipt_id;
    $("receipt-time").textContent = `${receipt.consent_at} · ${receipt.outlet_name}`;
    $("receipt-pdf").href = `${regPath("/consent-receipt.pdf")}?lang=${state.custLang}`;
    $("receipt").hidden = false;
    $("btn-consent-accept").hidden = true; $("btn-consent-decline").hidden = true;
    busy(null);
    $("btn-consent-next").focus();
  } catch (err) { busy(null); notice(errorText(err)); }
}

function declineConsent() {
  notice(tc("ui.consent_declined"), "info");
}

// --- document ---------------------------------------------------------------------------

async function enterDocument() {
  show("document");
  try { await openCamera($("doc-video")); } catch (e) { notice(tc("ui.camera_failed")); }
}

async function afterDocument(body) {
  if (body.passed) { closeCamera(); await enterFace(); return; }
  if (body.status === "rejected") { result(body); return; }
  notice((body.messages || []).join(" ") || tc("ui.result_fail"));
}

async function sendDocument(form, path) {
  try {
    const body = await upload(regPath(path), form, progressTo);
    busy(null);
    await afterDocument(body);
  } catch (err) { busy(null); handleError(err); }
}

async function documentFromCamera() {
  const form = new FormData();
  form.append("file", await grabFrame($("doc-video")), "document.jpg");
  form.append("kind", "auto");
  await sendDocument(form, "/document");
}

async function documentFromFile() {
  const file = $("doc-file").files[0];
  if (!file) return;
  const form = new FormData();
  form.append("file", file);
  form.append("kind", "auto");
  $("doc-file").value = "";
  await sendDocument(form, "/document");
}

async function documentFromReader() {
  const file = $("reader-file").files[0];
  if (!file) return;
  const text = await file.text();
  $("reader-file").value = "";
  busy(tc("ui.checking"));
  try {
    const body = await fetchJsonPost(regPath("/document/reader-record"), text);
    busy(null);
    await afterDocument(body);
  } catch (err) { busy(null); handleError(err); }
}

async function fetchJsonPost(path, rawJson) {
  let parsed;
  try { parsed = JSON.parse(rawJson); } catch (e) { throw new ApiError(400, { error: "malformed_json", detail: "not JSON" }); }
  return api("POST", path, parsed);
}

// --- lockout ----------------------------------------------------------------------------

async function showLockout(err) {
  closeCamera();
  show("lockout");
  $("lockout-until").textContent = err.body.until || "";
}

async function liftLockout(ev) {
  ev.preventDefault();
  try {
    await api("POST", regPath("/lockout/lift/signed"), {
      username: $("lift-username").value, password: $("lift-password").value, reason: $("lift-reason").value });
    $("lift-password").value = "";
    await enterDocument();
  } catch (err) { $("lift-password").value = ""; notice(errorText(err)); }
}

function handleError(err) {
  if (err instanceof ApiError && err.status === 423) { showLockout(err); return; }
  notice(errorText(err));
}

// --- face: live guidance, then the photo ------------------------------------------------

let guidanceTimer = null;

async function enterFace() {
  show("live_face");
  $("btn-face-capture").disabled = true;
  try { await openCamera($("face-video")); } catch (e) { notice(tc("ui.camera_failed")); return; }
  guide();
}

async function guide() {
  clearTimeout(guidanceTimer);
  if (current !== "live_face") return;
  const started = performance.now();
  try {
    const form = new FormData();
    form.append("file", await grabFrame($("face-video"), 0.8), "frame.jpg");
    const g = await upload(regPath("/face-guidance"), form);
    $("face-guidance").textContent = g.ready ? tc("ui.face_ready") : (g.messages[0] || tc("ui.face_hint"));
    $("face-guidance").className = g.ready ? "guidance ok" : "guidance";
    $("btn-face-capture").disabled = !g.ready;
    if (g.ready && !window.simkycTimings.marks.face_ready) mark("face_ready");
  } catch (err) {
    if (err.status === 409) return;  // the step is over
    $("face-guidance").textContent = errorText(err);
  }
  guidanceTimer = setTimeout(guide, Math.max(0, GUIDANCE_MS - (performance.now() - started)));
}

async function captureFace() {
  clearTimeout(guidanceTimer);
  const form = new FormData();
  form.append("file", await grabFrame($("face-video")), "live.jpg");
  // The server checks the photo while the customer goes on to the upper-body photo
  // (the flow takes that any time); liveness waits for the verdict (state.liveFace).
  const t0 = performance.now();
  state.liveFace = upload(regPath("/live-face"), form).then((body) => {
    state.verdictMs.push({ step: "live_face", ms: performance.now() - t0 });
    mark("live_face_verdict");
    if (!body.passed) faceRefused(() => notice(body.messages.join(" ")));
    return body.passed;
  }, (err) => { faceRefused(() => handleError(err)); return false; });
  closeCamera();
  await enterUpperBody();
}

/** The live photo was refused after the customer went on: back to the face screen. */
async function faceRefused(say) {
  if (!["attach", "liveness"].includes(current)) { say(); return; }
  closeCamera();
  await enterFace();
  say();
}

async function enterUpperBody() {
  show("attach");
  try { await openCamera($("body-video")); } catch (e) { notice(tc("ui.camera_failed")); }
}

function captureUpperBody() {
  // The server keeps it while the customer goes on (the flow allows it any time
  // before register); the register step waits for it.
  grabFrame($("body-video")).then((blob) => {
    const form = new FormData();
    form.append("file", blob, "upper-body.jpg");
    state.upperBody = upload(regPath("/evidence/upper_body"), form);
    state.upperBody.catch(() => {});
  });
  closeCamera();
  enterLiveness();
}

// --- liveness ---------------------------------------------------------------------------

function enterLiveness() {
  show("liveness");
  $("live-prompt").textContent = "";
  $("liveness-actions").hidden = false;
  openCamera($("live-video")).catch(() => notice(tc("ui.camera_failed")));
}

function prompt(text, action) {
  const p = $("live-prompt");
  p.replaceChildren();
  if (action && ARROWS[action]) {
    const a = document.createElement("span");
    a.className = `arrow ${action}`;
    a.textContent = ARROWS[action];
    p.append(a);
  }
  const t = document.createElement("span");
  t.textContent = text;
  p.append(t);
  p.classList.remove("pulse"); void p.offsetWidth; p.classList.add("pulse");
}

async function flashColours(colours, ms) {
  const flash = $("flash");
  flash.classList.add("on");
  for (const c of colours) { flash.style.background = SCREEN_RGB[c] || "#fff"; await sleep(ms); }
  flash.classList.remove("on");
  flash.style.background = "";
}

async function runLiveness(withFlash) {
  $("liveness-actions").hidden = true;
  notice("", "info"); $("notice").hidden = true;
  if (state.liveFace) {
    busy(tc("ui.checking"));
    const ok = await state.liveFace;
    busy(null);
    if (!ok) return;  // faceRefused took the customer back
    state.liveFace = null;
  }
  try {
    const ch = await api("POST", regPath(withFlash ? "/liveness/challenge" : "/liveness/challenge/no-flash"));
    // A fresh camera for the recording: it starts with the camera's first frames.
    const stream = await openCamera($("live-video"));
    const rec = record(new MediaStream(stream.getVideoTracks()), false);
    await rec.started;
    mark("liveness_recording");
    const flashing = ch.screen_colours.length ? flashColours(ch.screen_colours, ch.colour_ms) : Promise.resolve();
    prompt(tc("liveness.hold"));
    await sleep(NEUTRAL_MS);
    for (const action of ch.actions) {
      prompt(tc(`liveness.${action}`), action);
      await sleep(ACTION_MS);
      prompt(tc("liveness.neutral"));
      await sleep(NEUTRAL_MS);
    }
    await flashing;
    $("live-prompt").textContent = "";
    const blob = await rec.stop();
    mark("liveness_recorded");
    closeCamera();
    const form = new FormData();
    form.append("nonce", ch.nonce);
    form.append("video", blob, "liveness.webm");
    const t0 = performance.now();
    // The customer goes on to the voice screen (its instructions) while the server checks
    // the video; the voice step can start once liveness has passed.
    const checked = upload(regPath("/liveness"), form);
    await enterVoice(true);
    const body = await checked;
    state.verdictMs.push({ step: "liveness", ms: performance.now() - t0 });
    mark("liveness_verdict");
    if (body.passed) { voiceReady(); return; }
    livenessAgain();
    notice(body.messages.join(" ") || tc("ui.result_fail"));
  } catch (err) {
    busy(null); closeCamera();
    if (current !== "liveness") livenessAgain();
    $("liveness-actions").hidden = false;
    handleError(err);
  }
}

function livenessAgain() {
  enterLiveness();
  $("btn-liveness-start").textContent = tc("ui.try_again");
}

// --- voice ------------------------------------------------------------------------------

async function enterVoice(pending = false) {
  show("voice");
  $("override-form").hidden = true;
  $("btn-voice-start").hidden = false; $("btn-voice-stop").hidden = true;
  $("btn-voice-start").disabled = pending;  // until the liveness verdict
  $("btn-voice-listen").hidden = true;
  $("voice-digits").textContent = "";
  $("voice-state").textContent = pending ? tc("ui.checking") : "";
  $("voice-instruction").textContent = tc("voice.instruction");
  $("voice-attempt").textContent = "";
}

function voiceReady() {
  $("voice-state").textContent = "";
  $("btn-voice-start").disabled = false;
  $("btn-voice-start").focus();
}

async function playPrompt(ch) {
  if (!ch.prompt_audio_wav_base64) return;
  const audio = new Audio(`data:audio/wav;base64,${ch.prompt_audio_wav_base64}`);
  const ended = new Promise((resolve) => { audio.onended = resolve; audio.onerror = resolve; });
  const played = await audio.play().then(() => true, () => false);
  if (played) await Promise.race([ended, sleep(20000)]);
}

async function voiceStart() {
  $("btn-voice-start").hidden = true;
  $("notice").hidden = true;
  try {
    const ch = await api("POST", regPath("/voice/challenge"), { language: SPOKEN[state.custLang] });
    state.voice = ch;
    $("voice-digits").textContent = ch.numerals;
    $("voice-instruction").textContent = ch.attempt > 1 ? `${tc("voice.retry")} ${ch.instruction}` : ch.instruction;
    $("voice-attempt").textContent = tc("voice.attempt", { attempt: ch.attempt, max_attempts: ch.max_attempts });
    $("btn-voice-listen").hidden = !ch.prompt_audio_wav_base64;
    // The spoken prompt plays before recording, so the microphone does not take it for
    // the answer; then recording starts by itself (one button less for the customer).
    mark("voice_challenge");
    await playPrompt(ch);
    mark("voice_prompt_played");
    const stream = await openCamera($("voice-video"), { audio: true });
    state.voiceRec = record(stream, true);
    await state.voiceRec.started;
    mark("voice_recording");
    $("voice-state").textContent = tc("ui.recording");
    $("btn-voice-stop").hidden = false;
    $("btn-voice-stop").focus();
  } catch (err) {
    $("btn-voice-start").hidden = false;
    if (err instanceof ApiError && err.status === 409 && state.voice && state.voice.attempt >= state.voice.max_attempts) {
      askSupervisor(); return;
    }
    handleError(err);
  }
}

async function voiceStop() {
  $("btn-voice-stop").hidden = true;
  $("voice-state").textContent = "";
  const blob = await state.voiceRec.stop();
  closeCamera();
  const form = new FormData();
  form.append("nonce", state.voice.nonce);
  form.append("audio", blob, "voice.webm");  // one webm carries both tracks
  form.append("video", blob, "voice.webm");
  form.append("prompt_shown_at_ms", "0");  // the digits were on screen before recording began
  try {
    const t0 = performance.now();
    mark("last_upload");
    const body = await upload(regPath("/voice"), form, progressTo);
    state.verdictMs.push({ step: "voice", ms: performance.now() - t0 });
    mark("voice_verdict");
    busy(null);
    if (body.passed) { await faceMatch(); return; }
    notice(body.messages.join(" ") || tc("ui.result_fail"));
    if (body.next === "supervisor_override") { askSupervisor(); return; }
    $("btn-voice-start").textContent = tc("ui.try_again");
    $("btn-voice-start").hidden = false;
  } catch (err) { busy(null); $("btn-voice-start").hidden = false; handleError(err); }
}

function askSupervisor() {
  $("btn-voice-start").hidden = true;
  $("override-form").hidden = false;
  const n = $("notice");
  n.textContent = tc("voice.supervisor_override"); n.className = "notice info"; n.hidden = false;
  $("override-username").focus();
}

async function signOverride(ev) {
  ev.preventDefault();
  try {
    await api("POST", regPath("/voice/override/signed"), {
      username: $("override-username").value, password: $("override-password").value, reason: $("override-reason").value });
    $("override-password").value = "";
    await faceMatch();
  } catch (err) { $("override-password").value = ""; notice(errorText(err)); }
}

// --- result, service, registered --------------------------------------------------------

async function faceMatch() {
  busy(tc("ui.checking"));
  try {
    const t0 = performance.now();
    const body = await api("POST", regPath("/face-match"));
    state.verdictMs.push({ step: "face_match", ms: performance.now() - t0 });
    mark("result");
    result(body);
  } catch (err) { busy(null); handleError(err); }
}

function result(body) {
  show("face_match");
  const ok = body.passed && body.status !== "rejected";
  $("result-text").textContent = ok ? tc("ui.result_pass") : tc("ui.result_fail");
  $("result-text").className = `result-text ${ok ? "pass" : "fail"}`;
  showReasons($("result-reasons"), body);
  $("result-next").textContent = ok ? ta("ui.next_service") : ta("ui.next_rejected");
  $("btn-result-next").hidden = !ok;
  window.simkycTimings.verdictMs = state.verdictMs;
}

async function register(ev) {
  ev.preventDefault();
  $("service-reasons").replaceChildren();
  try {
    const check = await api("POST", "/api/v1/service-check", {
      kind: "mobile", number: $("service-number").value,
      iccid: $("service-iccid").value || null, language: state.custLang });
    if (!check.valid) { showReasons($("service-reasons"), check); return; }
    busy(tc("ui.checking"));
    if (state.upperBody) await state.upperBody;
    // The server checks the number and the ICCID again (422 service_invalid, with reasons).
    const body = await api("POST", regPath("/register"), {
      service_kind: "mobile", service_id: check.number, iccid: check.iccid });
    busy(null);
    if (body.status === "registered") { mark("registered"); show("done"); return; }
    result({ passed: false, status: body.status, messages: (body.reasons || []).map((r) => state.custCat[`reason.${r}`] || r) });
  } catch (err) {
    busy(null);
    if (err instanceof ApiError && err.code === "service_invalid") { showReasons($("service-reasons"), err.body); return; }
    handleError(err);
  }
}

function newCustomer() {
  closeCamera();
  state.reg = null;
  show("start");
}

// --- wiring -----------------------------------------------------------------------------

function on(id, ev, fn) { $(id).addEventListener(ev, fn); }

async function main() {
  const flow = await api("GET", "/api/v1/flow");
  state.flow = flow.steps.filter((s) => s.customer_facing).map((s) => s.name);
  const saved = localStorage.getItem("simkyc.agentLang");
  await catalogue("zh-Hans");
  state.custCat = (await catalogue("zh-Hans")).messages;
  await setAgentLang(saved && SPOKEN[saved] ? saved : "zh-Hans");
  $("agent-lang").value = state.agentLang;
  if (localStorage.getItem("simkyc.large") === "1") { $("large-text").checked = true; document.documentElement.classList.add("large"); }

  on("signin-form", "submit", signIn);
  on("btn-sign-out", "click", signOut);
  on("agent-lang", "change", (e) => { localStorage.setItem("simkyc.agentLang", e.target.value); setAgentLang(e.target.value); });
  on("large-text", "change", (e) => {
    document.documentElement.classList.toggle("large", e.target.checked);
    localStorage.setItem("simkyc.large", e.target.checked ? "1" : "0");
  });
  document.querySelectorAll(".lang-choice").forEach((b) => b.addEventListener("click", () => {
    document.querySelectorAll(".lang-choice").forEach((o) => o.setAttribute("aria-checked", String(o === b)));
  }));
  on("btn-begin", "click", begin);
  on("btn-consent-accept", "click", acceptConsent);
  on("btn-consent-decline", "click", declineConsent);
  on("btn-receipt-print", "click", () => window.print());
  on("btn-consent-next", "click", enterDocument);
  on("btn-doc-camera", "click", documentFromCamera);
  on("doc-file", "change", documentFromFile);
  on("reader-file", "change", documentFromReader);
  on("lift-form", "submit", liftLockout);
  on("btn-face-capture", "click", captureFace);
  on("btn-body-capture", "click", captureUpperBody);
  on("btn-liveness-start", "click", () => runLiveness(true));
  on("btn-liveness-no-flash", "click", () => runLiveness(false));
  on("btn-voice-start", "click", voiceStart);
  on("btn-voice-stop", "click", voiceStop);
  on("btn-voice-listen", "click", () => state.voice && playPrompt(state.voice));
  on("override-form", "submit", signOverride);
  on("btn-result-next", "click", () => show("register"));
  on("btn-result-new", "click", newCustomer);
  on("service-form", "submit", register);
  on("btn-done-new", "click", newCustomer);

  try { signedIn(await api("GET", "/api/v1/session")); } catch (e) { show("signin"); }
  whenSignedOut(signedOut);
  document.body.dataset.ready = "1";
}

main();
