// simkyc capture page: drives one registration through the API, step by step.
// No framework, no build step. The customer sees prompts in their language;
// the agent sees pass/fail and reasons (the API never returns scores).
"use strict";

const T = {
  zh: {
    title: "实名登记", ui_language: "界面语言", signin: "营业员登录", token: "令牌",
    start: "开始登记", consent: "客户已同意采集和处理其证件、人脸与声音信息，用于本次实名登记。",
    service_kind: "业务", service_id: "号码", customer_language: "客户语言", btn_start: "开始",
    document: "证件", doc_photo: "证件照片", doc_kind: "类型", btn_check: "检查",
    reader_record: "或：读卡器记录 (JSON)", camera: "人脸", btn_camera: "打开摄像头",
    btn_live_face: "拍照", btn_liveness: "动作检测", voice: "朗读数字",
    btn_voice_start: "获取数字并开始录音", btn_voice_stop: "读完了", finish: "比对与登记",
    btn_match: "人脸比对", btn_register: "完成登记", registration: "登记", status: "状态",
    passed: "通过", failed: "未通过", error: "错误",
    turn_left: "请向左转头", turn_right: "请向右转头", blink: "请眨眼", look_up: "请抬头",
    open_mouth: "请张嘴", neutral: "请看正前方", hold: "请保持不动", read_now: "请读出以下数字",
  },
  en: {
    title: "Real-name registration", ui_language: "Language", signin: "Agent sign-in", token: "Token",
    start: "Start", consent: "The customer consents to the capture and processing of their document, face and voice for this registration.",
    service_kind: "Service", service_id: "Number", customer_language: "Customer's language", btn_start: "Start",
    document: "Identity document", doc_photo: "Photo of the document", doc_kind: "Kind", btn_check: "Check",
    reader_record: "or: card-reader record (JSON)", camera: "Face", btn_camera: "Open camera",
    btn_live_face: "Take photo", btn_liveness: "Liveness check", voice: "Read the digits",
    btn_voice_start: "Get digits and record", btn_voice_stop: "Done", finish: "Match and register",
    btn_match: "Face match", btn_register: "Register", registration: "Registration", status: "Status",
    passed: "passed", failed: "failed", error: "error",
    turn_left: "Turn your head to your left", turn_right: "Turn your head to your right",
    blink: "Blink", look_up: "Look up", open_mouth: "Open your mouth", neutral: "Look straight ahead",
    hold: "Hold still", read_now: "Please read these digits",
  },
};
const SCREEN_RGB = { red: "#ff2626", green: "#26ff26", blue: "#334dff", yellow: "#ffff33", magenta: "#ff33ff", cyan: "#33ffff" };
const ACTION_MS = 2600, NEUTRAL_MS = 1300;

const $ = (id) => document.getElementById(id);
const state = { reg: null, stream: null };
let lang = "zh";
const t = (k) => (T[lang] && T[lang][k]) || T.en[k] || k;

function applyLanguage() {
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = t(el.dataset.t); });
}

function log(kind, text) {
  const li = document.createElement("li");
  li.className = kind;
  li.textContent = `${new Date().toLocaleTimeString()} ${text}`;
  $("log").prepend(li);
}

async function api(path, opts = {}) {
  const headers = Object.assign({ Authorization: `Bearer ${$("token").value.trim()}` }, opts.headers || {});
  const res = await fetch(path, Object.assign({}, opts, { headers }));
  let body = null;
  try { body = await res.json(); } catch (e) { body = { detail: res.statusText }; }
  if (!res.ok) {
    log("err", `${t("error")} ${res.status}: ${body.detail || body.error || ""}`);
    throw new Error(body.detail || res.statusText);
  }
  return body;
}

function showResult(step, body) {
  const ok = body.passed !== false && body.status !== "rejected";
  const reasons = (body.reasons || []).join(", ");
  const messages = (body.messages || []).map((m) => (typeof m === "string" ? m : m[lang] || m.en || "")).join(" ");
  log(ok ? "ok" : "fail", `${step}: ${ok ? t("passed") : t("failed")}${reasons ? " — " + reasons : ""}${messages ? " — " + messages : ""}`);
  if (body.status) $("reg-status").textContent = body.status;
}

const regPath = (suffix) => `/api/v1/registrations/${state.reg}${suffix}`;

async function start() {
  const body = await api("/api/v1/registrations", {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ consent: $("consent").checked, service_kind: $("service-kind").value,
      service_id: $("service-id").value || null, language: $("customer-lang").value }),
  });
  state.reg = body.id;
  $("reg-id").textContent = body.id;
  $("reg-status").textContent = body.status;
  log("ok", `${t("start")}: ${body.id}`);
}

async function sendDocument() {
  const file = $("doc-file").files[0];
  if (!file) return;
  const form = new FormData();
  form.append("file", file);
  form.append("kind", $("doc-kind").value);
  showResult(t("document"), await api(regPath("/document"), { method: "POST", body: form }));
}

async function sendReaderRecord() {
  const file = $("reader-file").files[0];
  if (!file) return;
  showResult(t("document"), await api(regPath("/document/reader-record"), {
    method: "POST", headers: { "Content-Type": "application/json" }, body: await file.text() }));
}

async function openCamera() {
  state.stream = await navigator.mediaDevices.getUserMedia({
    video: { width: 640, height: 480, frameRate: 15 }, audio: true });
  $("preview").srcObject = state.stream;
  await $("preview").play().catch(() => {});
}

function grabFrame() {
  const v = $("preview");
  const c = document.createElement("canvas");
  c.width = v.videoWidth; c.height = v.videoHeight;
  c.getContext("2d").drawImage(v, 0, 0);  // unmirrored, as the camera sees it
  return new Promise((resolve) => c.toBlob(resolve, "image/jpeg", 0.92));
}

async function sendLiveFace() {
  if (!state.stream) await openCamera();
  const form = new FormData();
  form.append("file", await grabFrame(), "live.jpg");
  showResult(t("camera"), await api(regPath("/live-face"), { method: "POST", body: form }));
}

function pickMime(withAudio) {
  const options = withAudio ? ["video/webm;codecs=vp8,opus", "video/webm"] : ["video/webm;codecs=vp8", "video/webm"];
  return options.find((m) => window.MediaRecorder && MediaRecorder.isTypeSupported(m)) || "";
}

function record(stream, mimeType) {
  const chunks = [];
  const rec = new MediaRecorder(stream, mimeType ? { mimeType } : undefined);
  rec.ondataavailable = (e) => { if (e.data && e.data.size) chunks.push(e.data); };
  const done = new Promise((resolve) => { rec.onstop = () => resolve(new Blob(chunks, { type: "video/webm" })); });
  const started = new Promise((resolve) => { rec.onstart = resolve; });
  rec.start(250);
  return { started, stop: () => { if (rec.state !== "inactive") rec.stop(); return done; } };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function flashColours(colours, ms) {
  const flash = $("flash");
  flash.classList.add("on");
  for (const c of colours) { flash.style.background = SCREEN_RGB[c] || "#fff"; await sleep(ms); }
  flash.classList.remove("on");
}

async function liveness() {
  if (!state.stream) await openCamera();
  const ch = await api(regPath("/liveness/challenge"), { method: "POST" });
  const videoOnly = new MediaStream(state.stream.getVideoTracks());
  const rec = record(videoOnly, pickMime(false));
  // The colours are timed from the first recorded frame: wait for the recorder.
  await rec.started;
  const flashing = flashColours(ch.screen_colours || [], ch.colour_ms || 400);
  $("prompt").textContent = t("hold");
  await sleep(NEUTRAL_MS);
  for (const action of ch.actions) {
    $("prompt").textContent = t(action);
    await sleep(ACTION_MS);
    $("prompt").textContent = t("neutral");
    await sleep(NEUTRAL_MS);
  }
  await flashing;
  $("prompt").textContent = "";
  const blob = await rec.stop();
  const form = new FormData();
  form.append("nonce", ch.nonce);
  form.append("video", blob, "liveness.webm");
  showResult(t("btn_liveness"), await api(regPath("/liveness"), { method: "POST", body: form }));
}

async function voiceStart() {
  if (!state.stream) await openCamera();
  const ch = await api(regPath("/voice/challenge"), {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ language: $("customer-lang").value }) });
  state.voice = ch;
  // Digits stay on screen; the spoken prompt plays *before* recording so the
  // microphone does not pick it up as the customer's answer.
  $("digits").textContent = ch.numerals;
  $("prompt").textContent = ch.instruction || t("read_now");
  if (ch.prompt_audio_wav_base64) {
    const audio = $("prompt-audio");
    audio.src = `data:audio/wav;base64,${ch.prompt_audio_wav_base64}`;
    const ended = new Promise((resolve) => { audio.onended = resolve; audio.onerror = resolve; });
    if (await audio.play().then(() => true, () => false)) await ended;
  }
  state.voiceRec = record(state.stream, pickMime(true));
  $("btn-voice-stop").disabled = false;
}

async function voiceStop() {
  $("btn-voice-stop").disabled = true;
  $("prompt").textContent = "";
  const blob = await state.voiceRec.stop();
  const form = new FormData();
  form.append("nonce", state.voice.nonce);
  form.append("audio", blob, "voice.webm");  // one webm carries both tracks
  form.append("video", blob, "voice.webm");
  form.append("prompt_shown_at_ms", "0");  // the digits were on screen before recording began
  const body = await api(regPath("/voice"), { method: "POST", body: form });
  showResult(t("voice"), body);
  if (!body.passed && body.next) log("fail", `${t("voice")}: ${body.next}`);
}

async function match() {
  showResult(t("btn_match"), await api(regPath("/face-match"), { method: "POST" }));
}

async function register() {
  const body = await api(regPath("/register"), {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({}) });
  showResult(t("btn_register"), body);
}

function guard(fn) {
  return async () => { try { await fn(); } catch (e) { console.error(e); } };
}

document.addEventListener("DOMContentLoaded", () => {
  $("ui-lang").addEventListener("change", (e) => { lang = e.target.value; applyLanguage(); });
  $("btn-start").addEventListener("click", guard(start));
  $("btn-document").addEventListener("click", guard(sendDocument));
  $("btn-reader").addEventListener("click", guard(sendReaderRecord));
  $("btn-camera").addEventListener("click", guard(openCamera));
  $("btn-live-face").addEventListener("click", guard(sendLiveFace));
  $("btn-liveness").addEventListener("click", guard(liveness));
  $("btn-voice-start").addEventListener("click", guard(voiceStart));
  $("btn-voice-stop").addEventListener("click", guard(voiceStop));
  $("btn-match").addEventListener("click", guard(match));
  $("btn-register").addEventListener("click", guard(register));
  applyLanguage();
});
