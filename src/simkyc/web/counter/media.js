// Camera, microphone and recording. Each step opens the camera afresh (and closes
// it after), so a recording starts with the camera's first frames.

let stream = null;

export async function openCamera(video, { audio = false } = {}) {
  closeCamera();
  stream = await navigator.mediaDevices.getUserMedia({
    video: { width: 640, height: 480, frameRate: 15 }, audio });
  video.srcObject = stream;
  await video.play().catch(() => {});
  if (!video.videoWidth) {
    await new Promise((resolve) => { video.onloadedmetadata = resolve; setTimeout(resolve, 3000); });
  }
  return stream;
}

export function closeCamera() {
  if (stream) stream.getTracks().forEach((t) => t.stop());
  stream = null;
}

export function currentStream() { return stream; }

/** One frame as the camera sees it (not mirrored), as a JPEG blob. */
export function grabFrame(video, quality = 0.92) {
  const c = document.createElement("canvas");
  c.width = video.videoWidth; c.height = video.videoHeight;
  c.getContext("2d").drawImage(video, 0, 0);
  return new Promise((resolve) => c.toBlob(resolve, "image/jpeg", quality));
}

function pickMime(withAudio) {
  const options = withAudio ? ["video/webm;codecs=vp8,opus", "video/webm"]
    : ["video/webm;codecs=vp8", "video/webm"];
  return options.find((m) => window.MediaRecorder && MediaRecorder.isTypeSupported(m)) || "";
}

/** Start recording ``s``; ``started`` resolves on the first chunk's start, ``stop()`` gives the webm. */
export function record(s, withAudio) {
  const chunks = [];
  const mimeType = pickMime(withAudio);
  const rec = new MediaRecorder(s, mimeType ? { mimeType } : undefined);
  rec.ondataavailable = (e) => { if (e.data && e.data.size) chunks.push(e.data); };
  const done = new Promise((resolve) => { rec.onstop = () => resolve(new Blob(chunks, { type: "video/webm" })); });
  const started = new Promise((resolve) => { rec.onstart = resolve; });
  rec.start(250);
  return { started, stop: () => { if (rec.state !== "inactive") rec.stop(); return done; } };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
