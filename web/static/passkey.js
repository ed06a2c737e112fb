// Passkeys (WebAuthn): registration on the account page, login on /login,
// the second factor after a password. The server sends the options with
// binary fields as base64url and takes the browser's answer in the same
// form (web/auth_passkey.go); this script only converts and carries them.
// Each container has data-passkey="login|second|register", a start button
// [data-passkey-start] and a live region [data-passkey-status]
// (role=alert) for errors.

const endpoints = {
  login: ["/login/passkey/begin", "/login/passkey/finish"],
  second: ["/login/passkey/second/begin", "/login/passkey/second/finish"],
  register: ["/account/passkeys/begin", "/account/passkeys/finish"],
};

function fromB64url(s) {
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out.buffer;
}

function toB64url(buf) {
  const bytes = new Uint8Array(buf);
  let bin = "";
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function decodeCreation(o) {
  const pk = { ...o.publicKey };
  pk.challenge = fromB64url(pk.challenge);
  pk.user = { ...pk.user, id: fromB64url(pk.user.id) };
  pk.excludeCredentials = (pk.excludeCredentials || []).map((c) => ({ ...c, id: fromB64url(c.id) }));
  return { publicKey: pk };
}

function decodeRequest(o) {
  const pk = { ...o.publicKey };
  pk.challenge = fromB64url(pk.challenge);
  if (pk.allowCredentials) pk.allowCredentials = pk.allowCredentials.map((c) => ({ ...c, id: fromB64url(c.id) }));
  return { publicKey: pk };
}

function encodeCredential(cred) {
  const r = cred.response;
  const response = { clientDataJSON: toB64url(r.clientDataJSON) };
  if (r.attestationObject) {
    response.attestationObject = toB64url(r.attestationObject);
    response.transports = typeof r.getTransports === "function" ? r.getTransports() : [];
  } else {
    response.authenticatorData = toB64url(r.authenticatorData);
    response.signature = toB64url(r.signature);
    if (r.userHandle) response.userHandle = toB64url(r.userHandle);
  }
  return {
    id: cred.id,
    rawId: toB64url(cred.rawId),
    type: cred.type,
    authenticatorAttachment: cred.authenticatorAttachment || undefined,
    response,
    clientExtensionResults: cred.getClientExtensionResults(),
  };
}

async function post(url, csrf, body) {
  const headers = { "Content-Type": "application/json", Accept: "application/json" };
  if (csrf) headers["X-CSRF-Token"] = csrf;
  const resp = await fetch(url, { method: "POST", headers, body: JSON.stringify(body), credentials: "same-origin" });
  let data = null;
  try {
    data = await resp.json();
  } catch {
    data = null;
  }
  if (!resp.ok) {
    const err = new Error((data && data.error && data.error.message) || resp.statusText);
    err.fromServer = true;
    throw err;
  }
  return data;
}

function setup(box) {
  const mode = box.dataset.passkey;
  const [begin, finish] = endpoints[mode] || [];
  const start = box.querySelector("[data-passkey-start]");
  const status = box.querySelector("[data-passkey-status]");
  if (!begin || !start || !status) return;
  const say = (msg) => {
    status.textContent = msg;
    status.classList.toggle("alert", msg !== "");
    status.classList.toggle("error", msg !== "");
  };
  if (!window.PublicKeyCredential || !navigator.credentials) {
    start.disabled = true;
    say(box.dataset.msgUnsupported);
    return;
  }
  let busy = false;
  const run = async (ev) => {
    if (ev) ev.preventDefault();
    if (busy) return;
    say("");
    let body = {};
    if (mode === "register") {
      const name = box.querySelector("input[name=name]");
      const password = box.querySelector("input[name=password]");
      for (const field of [name, password]) {
        if (!field.value.trim()) {
          field.setAttribute("aria-invalid", "true");
          say(box.dataset.msgName);
          field.focus();
          return;
        }
        field.removeAttribute("aria-invalid");
      }
      body = { name: name.value.trim(), password: password.value };
    } else if (mode === "login") {
      body = { next: box.dataset.next || "/" };
    }
    busy = true;
    start.setAttribute("aria-busy", "true");
    try {
      const options = await post(begin, box.dataset.csrf, body);
      let cred;
      try {
        cred = mode === "register"
          ? await navigator.credentials.create(decodeCreation(options))
          : await navigator.credentials.get(decodeRequest(options));
      } catch (e) {
        say(e && e.name === "NotAllowedError" ? box.dataset.msgCancelled : box.dataset.msgFailed);
        return;
      }
      if (!cred) {
        say(box.dataset.msgCancelled);
        return;
      }
      const done = await post(finish, box.dataset.csrf, encodeCredential(cred));
      if (mode === "register") box.querySelector("input[name=password]").value = "";
      window.location.assign(done.location || "/");
    } catch (e) {
      say(e && e.fromServer && e.message ? e.message : box.dataset.msgFailed);
    } finally {
      busy = false;
      start.removeAttribute("aria-busy");
    }
  };
  if (box.tagName === "FORM") box.addEventListener("submit", run);
  else start.addEventListener("click", run);
}

document.querySelectorAll("[data-passkey]").forEach(setup);
