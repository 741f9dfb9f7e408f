// The API as the counter page uses it: the session cookie rides along by itself
// (same origin); every unsafe request carries the session's CSRF token.

let csrf = null;
let onSignedOut = () => {};

export function setCsrf(token) { csrf = token; }
export function whenSignedOut(fn) { onSignedOut = fn; }

export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.detail ? body.detail : `HTTP ${status}`);
    this.status = status;
    this.code = body && body.error;
    this.body = body || {};
  }
}

function headers(method, extra) {
  const h = Object.assign({}, extra || {});
  if (method !== "GET" && method !== "HEAD" && csrf) h["X-CSRF-Token"] = csrf;
  return h;
}

async function parse(res) {
  let body = null;
  if (res.status !== 204) {
    try { body = await res.json(); } catch (e) { body = { detail: res.statusText }; }
  }
  if (!res.ok) {
    const err = new ApiError(res.status, body);
    if (res.status === 401) onSignedOut(err);
    throw err;
  }
  return body;
}

/** JSON request: ``api("POST", "/api/v1/...", {..})``. */
export async function api(method, path, json) {
  const init = { method, credentials: "same-origin", headers: headers(method) };
  if (json !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  }
  return parse(await fetch(path, init));
}

/** Multipart upload with progress (0..100) reported to ``onProgress``. */
export function upload(path, form, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", path);
    xhr.withCredentials = true;
    const h = headers("POST");
    for (const k of Object.keys(h)) xhr.setRequestHeader(k, h[k]);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && onProgress) onProgress(Math.round((100 * e.loaded) / e.total));
    };
    xhr.onload = () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = { detail: xhr.statusText }; }
      if (xhr.status >= 200 && xhr.status < 300) { resolve(body); return; }
      const err = new ApiError(xhr.status, body);
      if (xhr.status === 401) onSignedOut(err);
      reject(err);
    };
    xhr.onerror = () => reject(new ApiError(0, { detail: "network error" }));
    xhr.send(form);
  });
}
