// Live session page: one websocket (protocol v1 of meetings/live), state
// from the snapshot, updated by events, re-rendered without a reload.
// Reconnects with the last seq and exponential back-off.
const root = document.getElementById("live");
const mode = root.dataset.mode;
const T = JSON.parse(root.dataset.i18n || "{}");
const t = (k, ...args) => {
  let s = T[k] || k;
  args.forEach((a, i) => { s = s.replace("%" + (i + 1), String(a)); });
  return s;
};
const $ = (name) => root.querySelector(`[data-live="${name}"]`);

let state = null;
let lastSeq = 0;
let ws = null;
let backoff = 500;
let cmdNo = 0;
let fresh = false; // the next connection asks for a snapshot
let countdown = null;
let media = null; // live-media.js, loaded when the page has a media section
// Resolved complaints (from the snapshot and complaint_resolved events),
// and the member's own complaints not yet resolved.
const resolved = [];
const pending = [];
const onAck = new Map(); // command id -> what to do when it is acknowledged

function announce(text) {
  const el = $("announce");
  el.textContent = "";
  window.setTimeout(() => { el.textContent = text; }, 50);
}

function showError(text) {
  const el = $("error");
  el.textContent = text;
  el.hidden = !text;
}

function connect() {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  const since = !fresh && lastSeq > 0 ? "?since=" + lastSeq : "";
  fresh = false;
  ws = new WebSocket(proto + "//" + location.host + root.dataset.ws + since);
  ws.addEventListener("open", () => {
    backoff = 500;
    $("conn").textContent = t("live.connected");
    if (media) media.reconnected();
  });
  ws.addEventListener("message", (ev) => {
    let m;
    try { m = JSON.parse(ev.data); } catch { return; }
    handle(m);
  });
  ws.addEventListener("close", (ev) => {
    $("conn").textContent = t("live.reconnecting");
    // 4001: the session ended (logout, reset, expiry). The page may show
    // nothing of what the session could see: load it again as whoever the
    // visitor now is (public page, or the login for member page and console).
    if (ev.code === 4001) { location.reload(); return; }
    if (ev.code === 4000) { fresh = true; backoff = 250; }
    const delay = backoff + Math.random() * backoff / 2;
    backoff = Math.min(backoff * 2, 30000);
    window.setTimeout(connect, delay);
  });
}

function handle(m) {
  if (media && (m.type === "ack" || m.type === "error") && media.reply(m)) return;
  switch (m.type) {
    case "media":
      if (media) media.signal(m.signal);
      return;
    case "snapshot":
      state = m.snapshot;
      lastSeq = m.seq || 0;
      absorbComplaints();
      render();
      return;
    case "event":
      if (m.seq <= lastSeq) return;
      lastSeq = m.seq;
      if (state) apply(m.kind, m.data || {});
      render();
      return;
    case "resync":
      fresh = true;
      return;
    case "ack":
      showError("");
      if (onAck.has(m.id)) { onAck.get(m.id)(); onAck.delete(m.id); }
      return;
    case "error":
      onAck.delete(m.id);
      showError(t("live.error") + " " + (m.error ? m.error.message : ""));
      return;
  }
}

function apply(kind, d) {
  switch (kind) {
    case "session_started":
    case "session_closed":
      state.state = d.state; state.part = d.part;
      break;
    case "item_changed":
      state.item = d; state.conflicts = [];
      announce(t("live.item_changed") + " " + d.number + " " + d.title);
      break;
    case "part_changed":
      state.part = d.part; state.confirmed = []; state.self_confirmed = false;
      if ($("confirm-state")) $("confirm-state").textContent = "";
      if (d.part === "non_public" && mode === "public") {
        state.item = null; state.roster = []; state.quorum = null; state.speakers = null;
      }
      announce(t("live.part." + d.part));
      break;
    case "attendance": {
      const r = state.roster || (state.roster = []);
      const i = r.findIndex((x) => x.person_id === d.person_id);
      if (i >= 0) r[i] = d; else r.push(d);
      if (d.mode === "absent") { // leaving ends a non-public confirmation
        state.confirmed = (state.confirmed || []).filter((id) => id !== d.person_id);
        if (d.person_id === state.self) state.self_confirmed = false;
      }
      break;
    }
    case "quorum":
    case "quorum_found":
      state.quorum = d;
      if (kind === "quorum_found") announce(t(d.quorate ? "live.quorate" : "live.not_quorate"));
      break;
    case "speakers":
      state.speakers = d;
      break;
    case "conflict_declared":
      (state.conflicts || (state.conflicts = [])).push(d.person_id);
      break;
    case "complaint_raised":
      (state.complaints || (state.complaints = [])).push(d);
      announce(d.name + ": " + d.text);
      break;
    case "complaint_resolved": {
      state.complaints = (state.complaints || []).filter((c) => c.id !== d.id);
      if (!resolved.some((c) => c.id === d.id)) resolved.push(d);
      const i = pending.indexOf(d.text);
      if (i >= 0) pending.splice(i, 1);
      announce(resolvedText(d));
      break;
    }
    case "non_public_confirmed":
      (state.confirmed || (state.confirmed = [])).push(d.person_id);
      if (d.person_id === state.self) state.self_confirmed = true;
      break;
  }
}

// The snapshot carries the session's complaints with their resolution:
// resolved ones join the resolved list, open ones stay on the console
// (and are the member's own pending ones on the member page).
function absorbComplaints() {
  const open = [];
  (state.complaints || []).forEach((c) => {
    if (!c.resolution) { open.push(c); return; }
    if (!resolved.some((x) => x.id === c.id)) resolved.push(c);
  });
  state.complaints = open;
  if (mode === "member") open.forEach((c) => { if (!pending.includes(c.text)) pending.push(c.text); });
}

// The non-public part needs each remote member's confirmation that no
// third party can see or hear; until then the SFU gives them no media.
// The prompt shows for the page's own person (a member, or the chair on
// the console) while remote and unconfirmed, and takes the focus.
function renderConfirmPrompt() {
  const box = $("confirm-prompt");
  if (!box) return;
  const me = (state.roster || []).find((a) => a.person_id === state.self);
  const need = !!state.self && state.state === "running" && state.part === "non_public" &&
    !!me && me.mode === "remote" && !state.self_confirmed;
  if (need === !box.hidden) return;
  box.hidden = !need;
  if (need) {
    box.focus();
    announce(t("live.confirm_prompt_title"));
  } else if (box.contains(document.activeElement) || document.activeElement === document.body) {
    $("confirm-state").focus();
  }
}

function resolvedText(c) {
  return t("live.complaint_resolved", c.name, c.text, t("live.resolution." + c.resolution));
}

function li(text, parent, buttons) {
  const el = document.createElement("li");
  el.textContent = text;
  (buttons || []).forEach((b) => { el.append(" "); el.append(b); });
  parent.append(el);
  return el;
}

// none marks an empty list with one unnumbered, unbulleted "none" entry
// (not "1. —", which reads like an entry).
function none(parent) {
  li(t("live.none"), parent).className = "live-none";
}

function button(label, cmd, extra) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  b.addEventListener("click", () => send(cmd, extra));
  return b;
}

function render() {
  if (!state) return;
  $("state").textContent = t("live.state." + state.state);
  $("part").textContent = state.part ? t("live.part." + state.part) : "";
  const hidden = mode === "public" && state.part === "non_public";
  $("notice").hidden = !hidden;
  $("item").textContent = state.item ? state.item.number + " " + state.item.title :
    (state.state === "invited" ? t("live.not_started") : state.state === "closed" ? t("live.closed") : t("live.none"));
  const q = state.quorum;
  $("quorum").textContent = !q ? t("live.none") :
    t("live.quorum_line", q.counted, q.seats, q.needed) + " – " + t(q.quorate ? "live.quorate" : "live.not_quorate");
  renderRoster();
  if (mode !== "public") { renderSpeakers(); renderConfirmPrompt(); }
  if (mode === "member") {
    const ul = $("own-complaints");
    ul.replaceChildren();
    pending.forEach((text) => li(t("live.complaint_pending", text), ul));
    resolved.forEach((c) => { li(resolvedText(c), ul).dataset.resolved = c.resolution; });
    if (!ul.children.length) none(ul);
  }
  if (mode === "console") {
    // Only the steps the session's state allows are offered.
    const running = state.state === "running";
    const allowed = { start: state.state === "invited", previous_item: running, next_item: running,
      close: running, find_quorum: running };
    for (const [cmd, on] of Object.entries(allowed)) {
      root.querySelectorAll(`button[data-cmd="${cmd}"]`).forEach((b) => { b.disabled = !on; });
    }
    root.querySelectorAll('button[data-cmd="set_part"]').forEach((b) => {
      b.disabled = !running || b.dataset.part === state.part;
    });
    const ul = $("complaints");
    ul.replaceChildren();
    (state.complaints || []).forEach((c) => li(c.name + ": " + c.text, ul, [
      button(t("live.resolve_repeat") + ": " + c.name, "resolve_complaint", { request: c.id, text: "repeat" }),
      button(t("live.resolve_continue") + ": " + c.name, "resolve_complaint", { request: c.id, text: "continue" })]));
    resolved.forEach((c) => { li(resolvedText(c), ul).dataset.resolved = c.resolution; });
    if (!ul.children.length) none(ul);
    renderConfirmations();
  }
  if (media) media.update(state);
}

// The remote members' confirmations for the non-public part: the chair
// waits for every remote member before going on.
function renderConfirmations() {
  const ul = $("confirmations");
  ul.replaceChildren();
  if (state.part !== "non_public") { none(ul); return; }
  const confirmed = new Set(state.confirmed || []);
  (state.roster || []).filter((a) => a.mode === "remote").forEach((a) => {
    li(a.name + ": " + t(confirmed.has(a.person_id) ? "live.confirmed" : "live.unconfirmed"), ul);
  });
  if (!ul.children.length) none(ul);
}

function renderRoster() {
  const tb = $("roster");
  tb.replaceChildren();
  const conflicts = new Set(state.conflicts || []);
  const confirmed = new Set(state.confirmed || []);
  (state.roster || []).forEach((a) => {
    const tr = document.createElement("tr");
    const name = document.createElement("td");
    name.textContent = a.name + (a.role ? " (" + a.role + ")" : "");
    const pres = document.createElement("td");
    let p = t("live.mode." + a.mode);
    if (a.connected) p += ", " + t("live.media.online");
    if (conflicts.has(a.person_id)) p += ", " + t("live.conflicted");
    if (confirmed.has(a.person_id)) p += ", " + t("live.confirmed");
    pres.textContent = p;
    tr.append(name, pres);
    if (mode === "console") {
      const td = document.createElement("td");
      if (a.mode === "room") td.append(button(t("live.check_out") + ": " + a.name, "check_out", { person: a.person_id }));
      else td.append(button(t("live.check_in") + ": " + a.name, "check_in", { person: a.person_id }));
      tr.append(td);
    }
    tb.append(tr);
  });
}

function renderSpeakers() {
  const sp = state.speakers || { floor: [], queue: [] };
  const floor = $("floor");
  const queue = $("queue");
  floor.replaceChildren();
  queue.replaceChildren();
  if (countdown) { window.clearInterval(countdown); countdown = null; }
  const timed = [];
  (sp.floor || []).forEach((s) => {
    const btns = mode === "console" ? [button(t("live.end_floor") + ": " + s.name, "end_floor", { request: s.id })] : [];
    const el = li(s.name + " (" + t("live.kind." + s.kind) + ")", floor, btns);
    if (s.seconds && s.granted_at) {
      const span = document.createElement("span");
      span.className = "live-countdown";
      el.append(" ", span);
      timed.push([span, Date.parse(s.granted_at) + s.seconds * 1000]);
    }
  });
  (sp.queue || []).forEach((s) => {
    let btns = [];
    if (mode === "console") {
      btns = [button(t("live.grant") + ": " + s.name, "grant_floor", { request: s.id, seconds: secondsLimit() }),
        button(t("live.withdraw") + ": " + s.name, "withdraw_hand", { request: s.id })];
    }
    li(s.name + " (" + t("live.kind." + s.kind) + ")", queue, btns);
  });
  if (!floor.children.length) none(floor);
  if (!queue.children.length) none(queue);
  if (timed.length) {
    const tick = () => timed.forEach(([span, end]) => {
      const left = Math.max(0, Math.round((end - Date.now()) / 1000));
      span.textContent = t("live.remaining", Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0"));
    });
    tick();
    countdown = window.setInterval(tick, 1000);
  }
}

function secondsLimit() {
  const el = $("seconds");
  const n = el ? parseInt(el.value, 10) : 0;
  return Number.isFinite(n) && n > 0 ? n : 0;
}

// The extra fields are the command's arguments (meetings/live: DecodeClient).
// It returns the command's id ("" when not connected).
function send(cmd, extra) {
  if (!ws || ws.readyState !== WebSocket.OPEN) { showError(t("live.reconnecting")); return ""; }
  const msg = Object.assign({ v: 1, type: "command", id: "c" + (++cmdNo), command: cmd }, extra || {});
  if (cmd === "grant_floor" && !msg.seconds) delete msg.seconds;
  ws.send(JSON.stringify(msg));
  return msg.id;
}

root.querySelectorAll("button[data-cmd]").forEach((b) => {
  b.addEventListener("click", () => {
    if (b.dataset.confirm && !window.confirm(t(b.dataset.confirm))) return;
    const extra = {};
    if (b.dataset.part) extra.part = b.dataset.part;
    if (b.dataset.pointOfOrder) extra.point_of_order = true;
    const id = send(b.dataset.cmd, extra);
    if (id && b.dataset.cmd === "confirm_non_public") {
      onAck.set(id, () => {
        if (state) state.self_confirmed = true;
        $("confirm-state").textContent = t("live.confirmed_own");
        render();
      });
    }
  });
});

const form = $("complaint-form");
if (form) {
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const input = $("complaint-text");
    const text = input.value;
    const id = send("complain", { text });
    if (!id) return;
    onAck.set(id, () => { pending.push(text); render(); announce(t("live.complaint_pending", text)); });
    input.value = "";
  });
}

// Ingest tokens for WHIP (console): created here, shown once.
const ingest = $("ingest-form");
if (ingest) {
  ingest.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const body = new URLSearchParams({ kind: $("ingest-kind").value, label: $("ingest-label").value });
    try {
      const r = await fetch(root.dataset.tokens, { method: "POST", body, headers: { "X-CSRF-Token": root.dataset.csrf, Accept: "application/json" } });
      const j = await r.json();
      if (!r.ok) { showError(t("live.error") + " " + (j.error ? j.error.message : r.status)); return; }
      $("ingest-url").value = j.url;
      $("ingest-token").value = j.token;
      $("ingest-result").hidden = false;
      $("ingest-token").focus();
      showError("");
      loadTokens();
    } catch (e) {
      showError(t("live.error") + " " + e);
    }
  });
  loadTokens();
}

// The meeting's ingest tokens: label, created, by whom, revoked; a valid
// one can be revoked.
async function loadTokens() {
  const tb = $("ingest-tokens");
  if (!tb) return;
  let list = [];
  try {
    const r = await fetch(root.dataset.tokens, { cache: "no-store" });
    if (!r.ok) return; // not the chair or a clerk (yet): the list stays empty
    list = (await r.json()).tokens || [];
  } catch (e) {
    return;
  }
  const when = (x) => new Date(x).toLocaleString(document.documentElement.lang || undefined);
  tb.replaceChildren();
  list.forEach((k) => {
    const tr = document.createElement("tr");
    tr.dataset.token = k.id;
    const name = k.label || t("live.ingest_unnamed");
    for (const text of [name, t("live.ingest_kind_" + k.kind), when(k.created_at), k.created_by || t("live.none"),
      k.revoked_at ? t("live.ingest_revoked", when(k.revoked_at)) : t("live.ingest_active")]) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.append(td);
    }
    const td = document.createElement("td");
    if (!k.revoked_at) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = t("live.ingest_revoke", name);
      b.addEventListener("click", () => revokeToken(k.id, name));
      td.append(b);
    }
    tr.append(td);
    tb.append(tr);
  });
  if (!list.length) {
    const tr = document.createElement("tr");
    const td = document.createElement("td");
    td.colSpan = 6;
    td.textContent = t("live.ingest_none");
    tr.append(td);
    tb.append(tr);
  }
}

async function revokeToken(id, name) {
  if (!window.confirm(t("live.ingest_confirm_revoke"))) return;
  try {
    const r = await fetch(root.dataset.tokens + "/" + encodeURIComponent(id), { method: "DELETE", headers: { "X-CSRF-Token": root.dataset.csrf } });
    if (!r.ok && r.status !== 404) {
      let msg = r.status;
      try { const j = await r.json(); if (j.error) msg = j.error.message; } catch (e) { /* keep the status */ }
      showError(t("live.error") + " " + msg);
      return;
    }
    showError("");
    announce(t("live.ingest_revoked_done", name));
  } catch (e) {
    showError(t("live.error") + " " + e);
  }
  await loadTokens();
  const h = document.getElementById("live-ingest-list-h");
  if (h && !document.activeElement.closest("[data-live='ingest-tokens']")) { h.tabIndex = -1; h.focus(); }
}

// Media needs its own module; the page works without it.
async function start() {
  if (root.dataset.mediaJs && window.RTCPeerConnection) {
    try {
      const mod = await import(root.dataset.mediaJs);
      media = mod.setupMedia({ root, mode, t, announce, send: sendRaw });
    } catch (e) {
      media = null;
    }
  }
  connect();
}

function sendRaw(msg) {
  if (!ws || ws.readyState !== WebSocket.OPEN) return false;
  ws.send(JSON.stringify(Object.assign({ v: 1 }, msg)));
  return true;
}

start();
