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
// The public sees a non-public item under a neutral title that the server
// sends as a translation key.
const NEUTRAL_TITLE = "agenda.nonpublic_title";
const itemTitle = (it) => it.title === NEUTRAL_TITLE ? t(NEUTRAL_TITLE) : it.title;
// What the public receives now: nothing in the non-public part nor while a
// non-public item is called.
const publicCut = (s) => s.part === "non_public" || (!!s.item && s.item.public === false);

let state = null;
let lastSeq = 0;
let ws = null;
let backoff = 500;
let cmdNo = 0;
let fresh = false; // the next connection asks for a snapshot
let countdown = null;
let media = null; // live-media.js, loaded when the page has a media section
// The signed-in citizen's questions of this meeting (the public page):
// when the chair gives one of them the floor, the page offers the
// microphone (audio only).
const myQuestions = new Set((root.dataset.myQuestions || "").split(",").filter(Boolean));
// Resolved complaints (from the snapshot and complaint_resolved events),
// and the member's own complaints not yet resolved.
const resolved = [];
const pending = [];
const onAck = new Map(); // command id -> what to do when it is acknowledged (gets the ack)
const onErr = new Map(); // command id -> what to do when it fails (gets the error message)
const sentCmd = new Map(); // command id -> command name (to explain its errors)

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

// The member's toolbar is fixed at the bottom of the screen: the page
// keeps room for it, and scrolling to a focused element keeps it clear of
// the toolbar.
const toolbar = $("toolbar");
if (toolbar && window.ResizeObserver) {
  new ResizeObserver(() => {
    const h = toolbar.offsetHeight + "px";
    document.body.style.paddingBottom = h;
    document.documentElement.style.scrollPaddingBottom = h;
  }).observe(toolbar);
}

// The console's desk stays at the top of wide screens: scrolling to a
// focused element keeps it clear of the desk.
const desk = $("desk");
if (desk && window.ResizeObserver) {
  new ResizeObserver(() => {
    const sticky = getComputedStyle(desk).position === "sticky";
    document.documentElement.style.scrollPaddingTop = sticky ? desk.offsetHeight + "px" : "";
  }).observe(desk);
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
    resendBallots();
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
      if (state.question_floor) state.question_floor.mine = state.question_floor.mine || myQuestions.has(state.question_floor.id);
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
    case "ack": {
      showError("");
      const f = onAck.get(m.id);
      onAck.delete(m.id); onErr.delete(m.id); sentCmd.delete(m.id);
      if (f) f(m);
      return;
    }
    case "error": {
      const f = onErr.get(m.id);
      const text = errorText(sentCmd.get(m.id), m.error ? m.error.code : "internal");
      onAck.delete(m.id); onErr.delete(m.id); sentCmd.delete(m.id);
      showError(t("live.error") + " " + text);
      if (f) f(m);
      return;
    }
  }
}

function apply(kind, d) {
  switch (kind) {
    case "session_started":
      state.mode = d.mode; state.basis = d.basis; state.profile = d.profile;
      state.state = d.state; state.part = d.part;
      break;
    case "session_closed":
      state.state = d.state; state.part = d.part; state.question_floor = null;
      break;
    case "poll":
      applyPoll(d);
      break;
    case "item_changed":
      // The floor and the list belong to the item: a new item starts with
      // none (the server sends the new list to those who may see it).
      state.item = d; state.conflicts = []; state.polls = []; state.speakers = null;
      state.questions = []; state.question = null; state.question_floor = null; // the question time sends its own
      announce(t("live.item_changed") + " " + d.number + " " + itemTitle(d));
      break;
    case "part_changed":
      state.part = d.part; state.confirmed = []; state.self_confirmed = false; state.question_floor = null;
      if ($("confirm-state")) $("confirm-state").textContent = "";
      if (d.part === "non_public" && mode === "public") {
        state.item = null; state.roster = []; state.quorum = null; state.speakers = null; state.polls = [];
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
    case "questions":
      state.questions = d.questions || []; state.question = d.current || null;
      break;
    case "question_floor":
      if (d.until) {
        state.question_floor = Object.assign({}, d, { mine: myQuestions.has(d.id) });
      } else if (state.question_floor && state.question_floor.id === d.id) {
        state.question_floor = null;
        announce(t("live.questions.floor_ended", d.number));
      }
      break;
    case "question_read": {
      state.question = d;
      const q = (state.questions || []).find((x) => x.id === d.id);
      if (q) q.called = d.called;
      announce(questionLine(d));
      break;
    }
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

// extra may be a function: the arguments are read when the button is
// clicked (e.g. the speaking time typed meanwhile). key names the button
// across re-renders (the focus stays on it).
function button(label, cmd, extra, key) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  if (key) b.dataset.key = key;
  b.addEventListener("click", () => send(cmd, typeof extra === "function" ? extra() : extra));
  return b;
}

// keepFocus runs draw (which replaces parts of the page) and puts the
// focus back where it was: on the element with the same data-key, else on
// the heading of the section the focused element was in (never on BODY).
function keepFocus(draw) {
  const active = document.activeElement;
  const inside = active && active !== document.body && root.contains(active);
  const key = inside ? active.dataset.key : "";
  const section = inside ? active.closest("section") : null;
  draw();
  const now = document.activeElement;
  if (!inside || (now && now !== document.body && root.contains(now) && !now.disabled)) return;
  const again = key ? root.querySelector(`[data-key="${key}"]`) : null;
  if (again && !again.disabled && !again.closest("[hidden]")) { again.focus(); return; }
  if (active.isConnected && !active.disabled && !active.closest("[hidden]")) { active.focus(); return; }
  const h = section && section.isConnected ? section.querySelector("h2") : null;
  if (h) { h.tabIndex = -1; h.focus(); }
}

function render() {
  if (!state) return;
  keepFocus(draw);
}

function draw() {
  $("state").textContent = t("live.state." + state.state);
  const hidden = mode === "public" && state.state === "running" && publicCut(state);
  // The public is told the non-public part also while a non-public item
  // of the public part is called: that is what it gets.
  $("part").textContent = hidden ? t("live.part.non_public") : state.part ? t("live.part." + state.part) : "";
  if ($("notice")) $("notice").hidden = !hidden;
  // The recording indicator, for everyone in the session: the recorder
  // writes while the session runs in the public part on a public item.
  const rec = state.recording === true && state.state === "running" && !publicCut(state);
  $("recording").hidden = !rec;
  $("recording").textContent = rec ? t("live.recording.on") : "";
  if (mode === "console") {
    // What the public gets right now (the console's one place for it).
    $("public-gets").textContent = t(state.state !== "running" ? "live.public_gets.none" :
      publicCut(state) ? "live.public_gets.cut" : "live.public_gets.stream");
  }
  $("item").textContent = state.item ? state.item.number + " " + itemTitle(state.item) :
    (state.state === "invited" ? t("live.not_started") : state.state === "closed" ? t("live.closed") : t("live.none"));
  const q = state.quorum;
  $("quorum").textContent = !q ? t("live.none") :
    t("live.quorum_line", q.counted, q.seats, q.needed) + " – " + t(q.quorate ? "live.quorate" : "live.not_quorate");
  // How the quorum is reckoned, for the chair and the members.
  if ($("quorum-why")) $("quorum-why").textContent = !q ? "" : t("live.quorum_why", q.seats, q.present, q.conflicted, q.counted, q.needed);
  $("session-mode").textContent = !state.mode ? "" : "· " + t("live.vote.mode." + state.mode) +
    (state.basis ? " · " + t("live.vote.basis_line", t("live.vote.basis." + state.basis)) : "");
  renderQuestions();
  renderRoster();
  renderPolls();
  renderSpeakers();
  renderGallery();
  if (mode !== "public") renderConfirmPrompt();
  if (mode === "public") {
    // The player's caption names the item; the attendance is a summary
    // with the full list folded.
    const ic = root.querySelector('[data-media="item-caption"]');
    if (ic) ic.textContent = state.state === "running" && state.item ? t("live.item_caption", state.item.number) + " " + itemTitle(state.item) : "";
    const r = state.roster || [];
    const remote = r.filter((a) => a.mode === "remote").length;
    const present = r.filter((a) => a.mode === "room").length + remote;
    $("attendance").textContent = r.length ? t("live.attendance.line", present, r.length, remote) : t("live.none");
  }
  if (mode === "member") {
    renderHand();
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
    $("start-options").hidden = state.state !== "invited";
    // The desk offers the steps of the state it is in: starting before,
    // the rest while the session runs.
    root.querySelectorAll('button[data-cmd="start"]').forEach((b) => { b.hidden = state.state !== "invited"; });
    root.querySelectorAll('button[data-cmd="set_part"]').forEach((b) => {
      b.disabled = !running || b.dataset.part === state.part;
    });
    const ul = $("complaints");
    ul.replaceChildren();
    (state.complaints || []).forEach((c) => li(c.name + ": " + c.text, ul, [
      button(t("live.resolve_repeat") + ": " + c.name, "resolve_complaint", { request: c.id, text: "repeat" }, "repeat-" + c.id),
      button(t("live.resolve_continue") + ": " + c.name, "resolve_complaint", { request: c.id, text: "continue" }, "continue-" + c.id)]));
    resolved.forEach((c) => { li(resolvedText(c), ul).dataset.resolved = c.resolution; });
    if (!ul.children.length) none(ul);
    renderConfirmations();
  }
  if (media) media.update(state);
}

// The Einwohnerfragestunde: on the question time's item every page shows
// the question the chair read last; the console lists the published
// questions, each with its button to read it (read_question).
function questionLine(q) {
  return t("live.questions.number", q.number) + ": " + q.text + (q.asker ? " (" + t("live.questions.asked_by", q.asker) + ")" : "");
}

// The asking citizen's floor (give_question_floor): audio only, for a
// limited time. activeFloor is the floor while its time runs; the pages
// count down and drop it when the time is up (the SFU stops forwarding
// then on its own).
const QUESTION_FLOOR_SECONDS = 180;
let floorTimer = null;
function activeFloor() {
  const f = state && state.question_floor;
  if (!f || !f.until || state.state !== "running" || publicCut(state)) return null;
  return Date.parse(f.until) > Date.now() ? f : null;
}

function floorLeft(f) {
  const left = Math.max(0, Math.round((Date.parse(f.until) - Date.now()) / 1000));
  return Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
}

function tickFloor() {
  const f = activeFloor();
  if (!f) {
    window.clearInterval(floorTimer); floorTimer = null;
    if (state && state.question_floor) { state.question_floor = null; render(); }
    return;
  }
  $("question-floor").textContent = t("live.questions.floor_line", f.number, floorLeft(f));
  if ($("guest-remaining")) $("guest-remaining").textContent = t("live.guest.remaining", floorLeft(f));
}

function renderQuestions() {
  const box = $("questions-box");
  if (!box) return;
  const qs = state.questions || [];
  const live = state.state === "running" && !publicCut(state);
  const f = activeFloor();
  box.hidden = !live || (!qs.length && !state.question && !f);
  $("question").textContent = state.question ? questionLine(state.question) : t("live.questions.none_read");
  $("question-floor").hidden = !f;
  if (f && !floorTimer) floorTimer = window.setInterval(tickFloor, 1000);
  if (f) tickFloor();
  renderGuest(f);
  if ($("end-question-floor")) $("end-question-floor").hidden = !f;
  const ol = $("questions");
  if (!ol) return;
  ol.replaceChildren();
  qs.forEach((q) => {
    const label = t("live.questions.number", q.number);
    const btns = [button(t("live.questions.read") + ": " + label, "read_question", { question: q.id }, "read-" + q.id)];
    // The asker who has the floor is not offered it again (the console's
    // "end" button above ends it); another asker may take it over.
    if (!f || f.id !== q.id) {
      btns.push(button(t("live.questions.floor_give", QUESTION_FLOOR_SECONDS / 60) + ": " + label, "give_question_floor",
        { question: q.id, seconds: QUESTION_FLOOR_SECONDS }, "floor-" + q.id));
    }
    const el = li(questionLine(q), ol, btns);
    if (q.called) el.dataset.called = "true";
    if (state.question && state.question.id === q.id) el.setAttribute("aria-current", "true");
    if (f && f.id === q.id) el.dataset.floor = "true";
  });
}

// The citizen whose question has the floor: a panel with the microphone
// (audio only; the page asks for the microphone only on the click). When
// the floor ends — by the chair, by time, with the item or the
// non-public part — the microphone goes off and the page plays the
// programme again.
let guestOn = false;
let guestShown = false;
function renderGuest(f) {
  const box = $("guest-floor");
  if (!box) return;
  const mine = !!f && !!f.mine;
  if (mine && !guestShown) {
    guestShown = true;
    box.hidden = false;
    $("guest-text").textContent = t("live.guest.text", f.number);
    box.focus();
    announce(t("live.guest.title"));
  } else if (!mine && guestShown) {
    guestShown = false;
    box.hidden = true;
    if (guestOn && media) media.guest(false);
    guestOn = false;
    announce(t("live.guest.over"));
  }
  syncGuestButtons();
}

function syncGuestButtons() {
  if (!$("guest-speak")) return;
  $("guest-speak").hidden = guestOn;
  $("guest-mute").hidden = !guestOn;
  $("guest-done").hidden = !guestOn;
}

if ($("guest-speak")) {
  $("guest-speak").addEventListener("click", async () => {
    if (!media) { showError(t("live.guest.no_mic")); return; }
    if (!(await media.guest(true))) { showError(t("live.guest.no_mic")); return; }
    showError("");
    guestOn = true;
    $("guest-mute").setAttribute("aria-pressed", "false");
    $("guest-mute").textContent = t("live.guest.mute");
    syncGuestButtons();
    $("guest-mute").focus();
  });
  $("guest-mute").addEventListener("click", () => {
    const muted = media.guestMute();
    if (muted === null) return;
    $("guest-mute").setAttribute("aria-pressed", String(muted));
    $("guest-mute").textContent = t(muted ? "live.guest.unmute" : "live.guest.mute");
    announce(t(muted ? "live.media.mic_off" : "live.media.mic_on"));
  });
  $("guest-done").addEventListener("click", () => {
    media.guest(false);
    guestOn = false;
    syncGuestButtons();
    $("guest-speak").focus();
  });
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

// The member's gallery: everyone taking part (in the room or by video),
// with initials for a picture, who has the floor and who waits to speak.
// The speaker's video is in the speaker tile above it.
const initials = (name) => {
  const w = name.replace(/\(.*?\)/g, "").trim().split(/\s+/).filter(Boolean);
  return ((w[0] || "?")[0] + (w.length > 1 ? w[w.length - 1][0] : "")).toUpperCase();
};
function renderGallery() {
  const ul = $("gallery");
  if (!ul) return;
  const sp = state.speakers || { floor: [], queue: [] };
  const floor = new Set((sp.floor || []).map((s) => s.person_id));
  const queue = (sp.queue || []).map((s) => s.person_id);
  ul.replaceChildren();
  (state.roster || []).filter((a) => a.mode === "room" || a.mode === "remote").forEach((a) => {
    const item = document.createElement("li");
    const av = document.createElement("span");
    av.className = "live-avatar";
    av.setAttribute("aria-hidden", "true");
    av.textContent = initials(a.name);
    const name = document.createElement("span");
    name.className = "live-gallery-name";
    name.textContent = a.name;
    let m = t("live.mode." + a.mode);
    if (floor.has(a.person_id)) { m += " · " + t("live.gallery.floor"); item.dataset.floor = "true"; }
    const qi = queue.indexOf(a.person_id);
    if (qi >= 0) m += " · " + t("live.gallery.queued", qi + 1);
    const meta = document.createElement("span");
    meta.className = "live-gallery-meta";
    meta.textContent = m;
    item.append(av, name, meta);
    ul.append(item);
  });
  if (!ul.children.length) none(ul);
}

// The console's roster: search, a filter, and a selection for the roll
// call (check_in_many), kept across updates.
const rosterSel = new Set();
function rosterShown(a, conflicts) {
  const q = $("roster-search") ? $("roster-search").value.trim().toLowerCase() : "";
  const f = $("roster-filter") ? $("roster-filter").value : "";
  if (q && !a.name.toLowerCase().includes(q)) return false;
  if (f === "conflicted") return conflicts.has(a.person_id);
  return !f || a.mode === f;
}

function renderRoster() {
  const tb = $("roster");
  tb.replaceChildren();
  const conflicts = new Set(state.conflicts || []);
  const confirmed = new Set(state.confirmed || []);
  const roster = state.roster || [];
  const known = new Set(roster.map((a) => a.person_id));
  rosterSel.forEach((id) => { if (!known.has(id)) rosterSel.delete(id); });
  let shown = 0;
  roster.forEach((a) => {
    if (mode === "console" && !rosterShown(a, conflicts)) return;
    shown++;
    const tr = document.createElement("tr");
    if (mode === "console") {
      const td = document.createElement("td");
      const cb = document.createElement("input");
      cb.type = "checkbox";
      cb.checked = rosterSel.has(a.person_id);
      cb.dataset.key = "sel-" + a.person_id;
      cb.setAttribute("aria-label", t("live.roster.select_one", a.name));
      cb.addEventListener("change", () => {
        if (cb.checked) rosterSel.add(a.person_id); else rosterSel.delete(a.person_id);
        rosterTools(shown, roster.length);
      });
      td.append(cb);
      tr.append(td);
    }
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
      // One key for both: after a check-in the focus is on the check-out.
      if (a.mode === "room") td.append(button(t("live.check_out") + ": " + a.name, "check_out", { person: a.person_id }, "presence-" + a.person_id));
      else td.append(button(t("live.check_in") + ": " + a.name, "check_in", { person: a.person_id }, "presence-" + a.person_id));
      tr.append(td);
    }
    tb.append(tr);
  });
  if (!shown && roster.length) {
    const tr = document.createElement("tr");
    const td = document.createElement("td");
    td.colSpan = mode === "console" ? 4 : 2;
    td.textContent = t("live.none");
    tr.append(td);
    tb.append(tr);
  }
  if (mode === "console") rosterTools(shown, roster.length);
}

function rosterTools(shown, total) {
  const inRoom = new Set((state.roster || []).filter((a) => a.mode === "room").map((a) => a.person_id));
  const todo = [...rosterSel].filter((id) => !inRoom.has(id)).length;
  $("roster-count").textContent = t("live.roster.count", shown, total, rosterSel.size);
  const b = $("check-in-selected");
  b.disabled = state.state !== "running" || todo === 0;
}

if (mode === "console" && $("roster-search")) {
  const again = () => { if (state) keepFocus(renderRoster); };
  $("roster-search").addEventListener("input", again);
  $("roster-filter").addEventListener("change", again);
  $("select-absent").addEventListener("click", () => {
    (state && state.roster || []).forEach((a) => { if (a.mode === "absent") rosterSel.add(a.person_id); });
    again();
  });
  $("check-in-selected").addEventListener("click", () => {
    const inRoom = new Set((state.roster || []).filter((a) => a.mode === "room").map((a) => a.person_id));
    const persons = [...rosterSel].filter((id) => !inRoom.has(id));
    if (!persons.length) return;
    const id = send("check_in_many", { persons });
    if (!id) return;
    onAck.set(id, () => {
      persons.forEach((p) => rosterSel.delete(p));
      announce(t("live.roster.checked_in", persons.length));
      again();
    });
  });
}

// The console's shortcuts (Alt+Shift and a letter, so that they never
// fire while typing): next item, the floor to the first request, end the
// first floor.
if (mode === "console") {
  document.addEventListener("keydown", (ev) => {
    if (!ev.altKey || !ev.shiftKey || ev.ctrlKey || ev.metaKey || !state || state.state !== "running") return;
    const pick = { KeyN: 'button[data-cmd="next_item"]', KeyG: '[data-live="queue"] li:first-child button[data-key^="grant-"]',
      KeyE: '[data-live="floor"] li:first-child button[data-key^="end-"]' }[ev.code];
    const b = pick && root.querySelector(pick);
    if (!b || b.disabled) return;
    ev.preventDefault();
    b.click();
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
  // The member's own speaking time also stands in the toolbar.
  const handTime = $("hand-time");
  if (handTime) handTime.textContent = "";
  (sp.floor || []).forEach((s) => {
    const btns = mode === "console" ? [button(t("live.end_floor") + ": " + s.name, "end_floor", { request: s.id }, "end-" + s.id)] : [];
    const el = li(s.name + " (" + t("live.kind." + s.kind) + ")", floor, btns);
    if (s.seconds && s.granted_at) {
      const span = document.createElement("span");
      span.className = "live-countdown";
      el.append(" ", span);
      const end = Date.parse(s.granted_at) + s.seconds * 1000;
      timed.push([span, end]);
      if (handTime && s.person_id === state.self) timed.push([handTime, end]);
    }
  });
  // The console may reorder the waiting requests other than points of
  // order: "nach oben"/"nach unten", or by dragging (move_request).
  const movable = (sp.queue || []).filter((s) => s.kind !== "point_of_order");
  (sp.queue || []).forEach((s) => {
    let btns = [];
    const k = movable.indexOf(s);
    if (mode === "console") {
      btns = [button(t("live.grant") + ": " + s.name, "grant_floor", () => ({ request: s.id, seconds: secondsLimit() }), "grant-" + s.id),
        button(t("live.withdraw") + ": " + s.name, "withdraw_hand", { request: s.id }, "withdraw-" + s.id)];
      if (k > 0) btns.push(button(t("live.move_up") + ": " + s.name, "move_request", { request: s.id, position: k - 1 }, "up-" + s.id));
      if (k >= 0 && k < movable.length - 1) btns.push(button(t("live.move_down") + ": " + s.name, "move_request", { request: s.id, position: k + 1 }, "down-" + s.id));
    }
    const el = li(s.name + " (" + t("live.kind." + s.kind) + ")", queue, btns);
    if (mode === "console" && k >= 0 && movable.length > 1) {
      el.draggable = true;
      el.dataset.request = s.id;
      el.dataset.place = String(k);
      el.addEventListener("dragstart", (ev) => { ev.dataTransfer.setData("text/plain", s.id); ev.dataTransfer.effectAllowed = "move"; });
      el.addEventListener("dragover", (ev) => { ev.preventDefault(); ev.dataTransfer.dropEffect = "move"; });
      el.addEventListener("drop", (ev) => {
        ev.preventDefault();
        const id = ev.dataTransfer.getData("text/plain");
        if (id && id !== s.id) send("move_request", { request: id, position: k });
      });
    }
  });
  if (!floor.children.length) none(floor);
  if (!queue.children.length) none(queue);
  if (mode === "console") {
    const g = queue.querySelector('li:first-child button[data-key^="grant-"]');
    if (g) g.setAttribute("aria-keyshortcuts", "Alt+Shift+G");
    const en = floor.querySelector('li:first-child button[data-key^="end-"]');
    if (en) en.setAttribute("aria-keyshortcuts", "Alt+Shift+E");
  }
  if (timed.length) {
    const tick = () => timed.forEach(([span, end]) => {
      const left = Math.max(0, Math.round((end - Date.now()) / 1000));
      span.textContent = t("live.remaining", Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0"));
    });
    tick();
    countdown = window.setInterval(tick, 1000);
  }
}

// The member's own request: "Wortmeldung" shows whether one is pending
// (sent, waiting for the server), on the list (with the place) or granted,
// and is not offered twice; "zurückziehen" only when there is something
// to withdraw.
let handPending = false;
function renderHand() {
  const sp = state.speakers || { floor: [], queue: [] };
  const me = state.self;
  const qi = me ? (sp.queue || []).findIndex((s) => s.person_id === me) : -1;
  const floor = me ? (sp.floor || []).some((s) => s.person_id === me) : false;
  const running = state.state === "running" && !!state.item;
  const status = $("hand-state");
  let text = "";
  if (handPending) text = t("live.hand.pending");
  else if (floor) text = t("live.hand.floor");
  else if (qi >= 0) text = t("live.hand.queued", qi + 1);
  // aria-disabled, not disabled: the button keeps the focus.
  const off = (b, yes) => b.setAttribute("aria-disabled", yes ? "true" : "false");
  root.querySelectorAll('button[data-cmd="raise_hand"]').forEach((b) => off(b, !running || handPending || floor || qi >= 0));
  root.querySelectorAll('button[data-cmd="withdraw_hand"]').forEach((b) => off(b, handPending || qi < 0));
  if (status && status.textContent !== text) status.textContent = text;
  // In the toolbar "Wortmeldung" is a toggle: the request, or its
  // withdrawal while on the list, or nothing while holding the floor. The
  // focus goes with it.
  const raise = root.querySelector('[data-live="toolbar"] button[data-cmd="raise_hand"]');
  const withdraw = root.querySelector('[data-live="toolbar"] button[data-cmd="withdraw_hand"]');
  if (raise && withdraw) {
    const had = document.activeElement;
    raise.hidden = floor || (qi >= 0 && !handPending);
    withdraw.hidden = qi < 0 || handPending;
    if (had === raise && raise.hidden && !withdraw.hidden) withdraw.focus();
    else if (had === withdraw && withdraw.hidden && !raise.hidden) raise.focus();
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
  sentCmd.set(msg.id, cmd);
  ws.send(JSON.stringify(msg));
  return msg.id;
}

root.querySelectorAll("button[data-cmd]").forEach((b) => {
  b.addEventListener("click", () => {
    if (b.getAttribute("aria-disabled") === "true") return;
    if (b.dataset.confirm && !window.confirm(t(b.dataset.confirm))) return;
    const extra = {};
    if (b.dataset.part) extra.part = b.dataset.part;
    if (b.dataset.pointOfOrder) extra.point_of_order = true;
    if (b.dataset.cmd === "start") { extra.mode = $("start-mode").value; extra.basis = $("start-basis").value; }
    const id = send(b.dataset.cmd, extra);
    if (id && b.dataset.cmd === "raise_hand") {
      handPending = true;
      render();
      const done = () => { handPending = false; render(); };
      onAck.set(id, done);
      onErr.set(id, done);
    }
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
      if (!r.ok) { showError(t("live.error") + " " + errorText("", statusCode(r.status))); return; }
      $("ingest-url").value = j.url;
      $("ingest-token").value = j.token;
      $("ingest-result").hidden = false;
      $("ingest-token").focus();
      showError("");
      loadTokens();
    } catch (e) {
      showError(t("live.error") + " " + errorText("", "unavailable"));
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
      showError(t("live.error") + " " + errorText("", statusCode(r.status)));
      return;
    }
    showError("");
    announce(t("live.ingest_revoked_done", name));
  } catch (e) {
    showError(t("live.error") + " " + errorText("", "unavailable"));
  }
  await loadTokens();
  const h = document.getElementById("live-ingest-list-h");
  if (h && !document.activeElement.closest("[data-live='ingest-tokens']")) { h.tabIndex = -1; h.focus(); }
}

// Errors: a translated message for the command's error code (never the
// server's own text); a command may have its own message for a code.
function statusCode(status) {
  return { 400: "invalid", 401: "unauthorized", 403: "forbidden", 404: "not_found", 409: "conflict",
    422: "invalid", 503: "unavailable" }[status] || "internal";
}

function errorText(cmd, code) {
  if (cmd === "open_poll" && code === "conflict" && state && state.quorum && !state.quorum.quorate) {
    return t("live.err.open_poll.not_quorate");
  }
  const own = "live.err." + cmd + "." + code;
  if (cmd && T[own]) return T[own];
  return t(T["live.err." + code] ? "live.err." + code : "live.err.internal");
}

// Votes (docs/VOTING.md). The polls of the current item come with the
// snapshot and as "poll" events; the console opens and runs them, members
// cast their ballots, everyone sees counts and results.
const secretKinds = new Set(["secret", "election"]);
const allRules = ["simple", "absolute", "two_thirds_cast", "two_thirds_present", "two_thirds_statutory",
  "three_quarters_cast", "three_quarters_present", "three_quarters_statutory"];
const BALLOT_RETRY = 8000;
const inflight = new Map(); // poll id -> timer of the ballot in flight (member)
const focusedPolls = new Set(); // polls whose ballot panel took the focus once
const ui = { search: {}, reason: {}, picks: {}, changing: {} }; // what the user typed or ticked, kept across re-renders

function applyPoll(d) {
  const ps = state.polls || (state.polls = []);
  const i = ps.findIndex((p) => p.id === d.id);
  const before = i >= 0 ? ps[i] : null;
  if (i >= 0) ps[i] = d; else ps.push(d);
  ps.sort((a, b) => a.position - b.position);
  if (before && before.state === d.state) return;
  const what = { open: before ? "live.vote.resumed" : "live.vote.opened", paused: "live.vote.paused",
    closed: "live.vote.closed", cancelled: "live.vote.cancelled" }[d.state];
  let msg = t(what, d.question);
  if (d.state === "closed") msg += " " + resultLine(d);
  const el = $("poll-status");
  el.textContent = "";
  window.setTimeout(() => { el.textContent = msg; }, 50);
}

const store = {
  get(k) { try { return JSON.parse(sessionStorage.getItem(k)); } catch { return null; } },
  set(k, v) { try { sessionStorage.setItem(k, JSON.stringify(v)); } catch { /* private mode: memory only */ } },
  del(k) { try { sessionStorage.removeItem(k); } catch { /* nothing */ } },
};
const ballotKey = (poll) => "plenar-ballot:" + poll;

function randomID() {
  const a = new Uint8Array(18);
  crypto.getRandomValues(a);
  return btoa(String.fromCharCode(...a)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

// receiptOf computes a secret ballot's receipt code as the server does
// (meetings.Receipt): SHA-256 of "plenar-receipt:<poll>:<ballot>", the
// first 5 bytes in base32 "0123456789ABCDEFGHJKMNPQRSTVWXYZ", XXXX-XXXX.
async function receiptOf(poll, ballot) {
  if (!crypto.subtle) return "";
  const sum = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode("plenar-receipt:" + poll + ":" + ballot)));
  const abc = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  let bits = 0n;
  for (let i = 0; i < 5; i++) bits = (bits << 8n) | BigInt(sum[i]);
  let s = "";
  for (let i = 7; i >= 0; i--) s += abc[Number((bits >> BigInt(5 * i)) & 31n)];
  return s.slice(0, 4) + "-" + s.slice(4);
}

// castBallot sends the member's ballot; a retry (time-out, reconnect)
// sends the same ballot id, which the server answers as the first time.
function castBallot(p, choice) {
  const saved = store.get(ballotKey(p.id));
  if (inflight.has(p.id) || (saved && saved.done)) return;
  store.set(ballotKey(p.id), { ballot: saved && !saved.done ? saved.ballot : randomID(), choice, done: false, secret: secretKinds.has(p.kind) });
  sendBallot(p.id);
}

function sendBallot(pollID) {
  const b = store.get(ballotKey(pollID));
  window.clearTimeout(inflight.get(pollID));
  if (!b || b.done) { inflight.delete(pollID); return; }
  inflight.set(pollID, window.setTimeout(() => sendBallot(pollID), BALLOT_RETRY));
  const id = send("cast_ballot", { poll: pollID, choice: b.choice, ballot: b.ballot });
  if (id) {
    onAck.set(id, (m) => ballotDone(pollID, m.data || {}));
    onErr.set(id, () => ballotFailed(pollID));
  }
  render();
}

function resendBallots() {
  for (let i = 0; i < sessionStorage.length; i++) {
    const k = sessionStorage.key(i);
    if (!k || !k.startsWith("plenar-ballot:")) continue;
    const b = store.get(k);
    if (b && !b.done) sendBallot(k.slice("plenar-ballot:".length));
  }
}

function ballotDone(pollID, reply) {
  window.clearTimeout(inflight.get(pollID));
  inflight.delete(pollID);
  delete ui.changing[pollID];
  const b = store.get(ballotKey(pollID)) || {};
  b.done = true;
  if (reply.receipt) b.receipt = reply.receipt;
  if (reply.choice) b.choice = reply.choice;
  store.set(ballotKey(pollID), b);
  render();
  const el = root.querySelector(`[data-key="counted-${pollID}"]`);
  if (el) el.focus();
}

function ballotFailed(pollID) {
  window.clearTimeout(inflight.get(pollID));
  inflight.delete(pollID);
  store.del(ballotKey(pollID));
  render();
}

// make builds an element: make("p", {className: "x", text: "…"}, child…).
function make(tag, props, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (k === "text") el.textContent = v;
    else if (k === "data") Object.assign(el.dataset, v);
    else if (k === "on") el.addEventListener(v[0], v[1]);
    else if (k.startsWith("aria") || k === "role" || k === "for") el.setAttribute(k === "for" ? "for" : k.replace(/^aria/, "aria-").toLowerCase(), v);
    else el[k] = v;
  }
  el.append(...kids.filter((x) => x !== null && x !== undefined));
  return el;
}

function vbutton(label, hidden, onclick, props) {
  const b = make("button", Object.assign({ type: "button", on: ["click", onclick] }, props || {}), label);
  if (hidden) b.append(make("span", { className: "live-vh", text: " " + hidden }));
  return b;
}

function choiceLabel(p, c) {
  const cand = (p.candidates || []).find((x) => x.id === c);
  if (cand) return cand.name;
  return t("live.vote.choice." + c);
}

function choicesLabel(p, cs) {
  return (cs || []).length ? cs.map((c) => choiceLabel(p, c)).join(", ") : t("live.vote.choice.empty");
}

function ruleLine(p) {
  if (p.kind === "election") {
    return t("live.vote.kind.election") + " · " + t("live.vote.seats_line", p.seats || 1) + (p.round > 1 ? " · " + t("live.vote.round", p.round) : "");
  }
  return t("live.vote.kind." + p.kind) + " · " + t("live.vote.rule." + p.rule);
}

function resultLine(p) {
  if (p.state === "cancelled") return t("live.vote.cancelled_because", reasonText(p.reason));
  if (p.state !== "closed") return "";
  if (p.election) {
    const r = p.election.result || {};
    const names = (ids) => (ids || []).map((id) => choiceLabel(p, id)).join(", ");
    if (r.outcome === "elected") return t("live.vote.elected", names(r.elected)) + (r.lots ? " " + t("live.vote.by_lot") : "");
    if (r.outcome === "runoff") return t("live.vote.runoff", names(r.runoff));
    return t("live.vote.no_result");
  }
  const tl = p.tally || { yes: 0, no: 0, abstain: 0 };
  return t("live.vote.outcome." + p.outcome) + " – " + t("live.vote.counts", tl.yes, tl.no, tl.abstain) +
    (p.result && p.result.tie ? " – " + t("live.vote.tie") : "");
}

function reasonText(r) {
  if (r === "complaint") return t("live.vote.reason_complaint");
  if (r === "repeated_after_complaint") return t("live.vote.reason_repeated");
  return r || "";
}

// keep records which field had the focus (by data-key) and puts it back
// after the polls were drawn anew.
function renderPolls() {
  const box = $("polls");
  if (!box) return;
  const active = document.activeElement;
  const key = active && box.contains(active) ? active.dataset.key : "";
  const sel = key && active.selectionStart != null ? [active.selectionStart, active.selectionEnd] : null;
  const polls = state.polls || [];
  const cards = polls.map(pollCard);
  box.replaceChildren(...(cards.length ? cards : [make("p", { className: "meta", text: t("live.vote.none") })]));
  if (mode === "console") renderPollForm();
  let focus = key ? box.querySelector(`[data-key="${key}"]`) : null;
  if (focus) {
    focus.focus();
    if (sel) try { focus.setSelectionRange(sel[0], sel[1]); } catch { /* not a text field */ }
  }
  // A poll the member may vote in takes the focus once when it opens.
  if (mode !== "public") {
    polls.forEach((p) => {
      const panel = box.querySelector(`[data-key="ballot-${p.id}"]`);
      if (panel && !focusedPolls.has(p.id)) { focusedPolls.add(p.id); panel.focus(); }
    });
  }
}

function pollCard(p) {
  const running = p.state === "open" || p.state === "paused";
  const card = make("article", { className: "live-poll", data: { poll: p.id, state: p.state, kind: p.kind }, ariaLabelledby: "poll-h-" + p.id });
  card.append(make("h3", { id: "poll-h-" + p.id, text: p.question }));
  card.append(make("p", { className: "meta", data: { live: "poll-info" }, text: ruleLine(p) }));
  card.append(make("p", { className: "live-poll-state", data: { live: "poll-state" }, text: t("live.vote.state." + p.state) }));
  if (p.state === "paused") card.append(make("p", { className: "live-poll-paused", text: t("live.vote.paused_help") }));
  const eligible = (p.eligible || []).length;
  if (running) card.append(make("p", { className: "live-poll-count", data: { live: "poll-count" }, text: t("live.vote.count", p.ballots, eligible) }));
  // The chair votes too: on the console, a ballot for the chair's own person.
  if (mode === "member" || (mode === "console" && state.self)) card.append(memberBallot(p));
  if (mode === "console" && running) card.append(...consoleRun(p));
  if (p.state === "closed" || p.state === "cancelled") card.append(resultBlock(p));
  if (mode === "console" && p.state === "closed" && p.election && p.election.result && p.election.result.outcome === "runoff" &&
    !(state.polls || []).some((x) => x.previous === p.id)) {
    card.append(vbutton(t("live.vote.open_runoff"), "", () => send("open_poll", { kind: p.kind, poll: p.id }), { className: "live-primary", data: { key: "runoff-" + p.id } }));
  }
  if (mode === "console" && p.state === "cancelled" && !(state.polls || []).some((x) => x.previous === p.id)) {
    card.append(vbutton(t("live.vote.repeat"), p.question, () => send("open_poll", { kind: p.kind, poll: p.id }), { data: { key: "repeat-" + p.id } }));
  }
  if (!secretKinds.has(p.kind) && (p.votes || []).length) card.append(votesTable(p));
  if ((p.receipts || []).length) card.append(receiptList(p));
  return card;
}

// The member's ballot: the choices as large buttons (an election: the
// candidates to tick, then "vote", or Nein / Enthaltung), the ballot in
// flight, the confirmation with the receipt code, or why the member may
// not vote.
function memberBallot(p) {
  const me = state.self;
  const box = make("div", { className: "live-ballot-box" });
  const eligible = (p.eligible || []).some((e) => e.person_id === me);
  const saved = store.get(ballotKey(p.id));
  const voted = ((p.voted || []).includes(me) || (saved && saved.done)) && !ui.changing[p.id];
  if (!eligible) {
    if (mode === "console") return box;
    if (p.state === "open" || p.state === "paused") box.append(make("p", { className: "live-ballot-not", data: { live: "not-eligible" }, text: notEligible(p) }));
    return box;
  }
  if (voted) {
    box.append(counted(p, saved));
    return box;
  }
  if (p.state !== "open" && p.state !== "paused") return box;
  const pendingNow = inflight.has(p.id) || (saved && !saved.done);
  const panel = make("fieldset", { className: "live-ballot", tabIndex: -1, data: { key: "ballot-" + p.id, live: "ballot" } });
  panel.append(make("legend", { text: t("live.vote.your_vote", p.question) }));
  panel.append(make("p", { className: "meta", text: ruleLine(p) }));
  const disabled = pendingNow || p.state !== "open";
  panel.append(...ballotControls(p, "m", disabled, (choice) => castBallot(p, choice)));
  if (pendingNow) panel.append(make("p", { role: "status", className: "live-ballot-pending", text: t("live.vote.pending") }));
  box.append(panel);
  return box;
}

// ballotControls are the choices of poll p as buttons (and, for an
// election, candidate boxes with a "vote" button); cast gets the choice.
// prefix keeps the keys of the member's ballot and the clerk's urn apart.
function ballotControls(p, prefix, disabled, cast) {
  const out = [];
  const key = prefix + "-" + p.id;
  if (p.kind !== "election") {
    const row = make("div", { className: "live-choices" });
    (p.choices || []).forEach((c) => row.append(vbutton(choiceLabel(p, c), prefix === "urn" ? t("live.vote.paper_ballot") : "",
      () => cast([c]), { className: "live-choice live-choice-" + c, disabled, data: { key: key + "-" + c, choice: c } })));
    out.push(row);
    return out;
  }
  const multi = (p.seats || 1) > 1;
  const picks = ui.picks[key] || (ui.picks[key] = []);
  const group = make("fieldset", { className: "live-candidates" });
  group.append(make("legend", { text: multi ? t("live.vote.pick_many", p.seats) : t("live.vote.pick_one") }));
  (p.candidates || []).forEach((c) => {
    const id = "cand-" + key + "-" + c.id;
    const input = make("input", { type: multi ? "checkbox" : "radio", name: "cand-" + key, id, value: c.id, disabled,
      checked: picks.includes(c.id), data: { key: id } });
    input.addEventListener("change", () => {
      if (!multi) picks.length = 0;
      const i = picks.indexOf(c.id);
      if (input.checked && i < 0) picks.push(c.id);
      if (!input.checked && i >= 0) picks.splice(i, 1);
    });
    group.append(make("div", { className: "live-cand" }, input, " ", make("label", { htmlFor: id, text: c.name })));
  });
  out.push(group);
  const row = make("div", { className: "live-choices" });
  row.append(vbutton(t(prefix === "urn" ? "live.vote.enter_paper" : "live.vote.cast"), "", () => {
    if (!picks.length) { showError(t("live.vote.pick_first")); return; }
    if (picks.length > (p.seats || 1)) { showError(t("live.vote.too_many", p.seats)); return; }
    showError("");
    cast(picks.slice());
    picks.length = 0;
  }, { className: "live-choice live-choice-yes", disabled, data: { key: key + "-cast" } }));
  ["no", "abstain"].filter((c) => (p.choices || []).includes(c)).forEach((c) => row.append(vbutton(choiceLabel(p, c),
    prefix === "urn" ? t("live.vote.paper_ballot") : "", () => cast([c]), { className: "live-choice live-choice-" + c, disabled, data: { key: key + "-" + c, choice: c } })));
  out.push(row);
  return out;
}

function counted(p, saved) {
  const box = make("div", { className: "live-counted", role: "status", tabIndex: -1, data: { key: "counted-" + p.id, live: "counted" } });
  if (!secretKinds.has(p.kind)) {
    const v = (p.votes || []).find((x) => x.person_id === state.self);
    const choice = v ? v.choice : saved && saved.choice;
    box.append(make("p", { className: "live-counted-head", text: t("live.vote.counted_choice", choicesLabel(p, choice)) }));
    if (p.change && p.state === "open") {
      // The Land profile lets a member change an open or named ballot
      // until the close: a new ballot (new id) replaces the first.
      box.append(vbutton(t("live.vote.change"), p.question, () => {
        store.del(ballotKey(p.id));
        ui.changing[p.id] = true;
        render();
        const panel = root.querySelector(`[data-key="ballot-${p.id}"]`);
        if (panel) panel.focus();
      }, { data: { key: "change-" + p.id, live: "change" } }));
    }
    return box;
  }
  box.append(make("p", { className: "live-counted-head", text: t("live.vote.counted") }));
  const receipt = saved && saved.receipt;
  if (receipt) {
    box.append(make("p", { className: "live-receipt" }, t("live.vote.your_receipt") + " ", make("strong", { data: { live: "own-receipt" }, text: receipt })));
    box.append(make("p", { className: "meta", text: t("live.vote.receipt_hint") }));
  } else if (saved && saved.ballot) {
    // The ack was lost (a reload): the code follows from the ballot id.
    receiptOf(p.id, saved.ballot).then((r) => { if (r) { saved.receipt = r; store.set(ballotKey(p.id), saved); render(); } });
  }
  return box;
}

function notEligible(p) {
  const me = state.self;
  if (!me) return t("live.vote.not_member");
  if ((state.conflicts || []).includes(me)) return t("live.vote.not_conflicted");
  const a = (state.roster || []).find((x) => x.person_id === me);
  if (a && a.mode === "remote" && !p.remote) return t("live.vote.not_remote");
  if (a && !a.voting) return t("live.vote.not_voting");
  return t("live.vote.not_present");
}

// consoleRun: the running poll on the console: who may vote and who has,
// the clerk's entries for members in the room, the urn of a secret poll,
// close and cancel.
function consoleRun(p) {
  const out = [];
  const open = p.state === "open";
  const secret = secretKinds.has(p.kind);
  const voted = new Set(p.voted || []);
  const votes = new Map((p.votes || []).map((v) => [v.person_id, v.choice]));
  const roomMode = new Map((state.roster || []).map((a) => [a.person_id, a.mode]));
  const table = make("table", { className: "live-eligible", data: { live: "eligible" } });
  table.append(make("caption", { text: t("live.vote.eligible_caption", (p.eligible || []).length) }));
  table.append(make("thead", {}, make("tr", {}, ...["live.name", "live.presence", "live.vote.status", "live.actions"].map((k) => make("th", { scope: "col", text: t(k) })))));
  const tb = make("tbody");
  (p.eligible || []).forEach((e) => {
    const tr = make("tr", { data: { person: e.person_id } });
    let status = voted.has(e.person_id) ? t("live.vote.has_voted") : t("live.vote.not_yet");
    if (votes.has(e.person_id)) status = choicesLabel(p, votes.get(e.person_id));
    const acts = make("td");
    if (open && !voted.has(e.person_id) && e.mode === "room" && roomMode.get(e.person_id) === "room") {
      if (secret) {
        acts.append(vbutton(t("live.vote.paper_tick"), e.name, () => send("cast_ballot", { poll: p.id, person: e.person_id }),
          { data: { key: "tick-" + p.id + "-" + e.person_id } }));
      } else {
        (p.choices || []).forEach((c) => acts.append(vbutton(choiceLabel(p, c), e.name,
          () => send("cast_ballot", { poll: p.id, person: e.person_id, choice: [c] }), { data: { key: "enter-" + p.id + "-" + e.person_id + "-" + c, choice: c } })));
      }
    }
    tr.append(make("td", { text: e.name }), make("td", { text: t("live.mode." + e.mode) }), make("td", { text: status }), acts);
    tb.append(tr);
  });
  table.append(tb);
  out.push(wrap(table));
  if (open && !secret && (p.choices || []).includes("yes")) {
    out.push(make("p", { className: "meta", text: t("live.vote.room_help") }));
    out.push(vbutton(t("live.vote.room_yes"), "", () => send("room_vote", { poll: p.id, choice: "yes" }), { data: { key: "room-" + p.id } }));
  }
  if (secret) {
    // From the server (members and staff): paper voters ticked off, and
    // the urn's ballots, of which ballots - paper came from devices.
    const ticked = p.paper || 0;
    const entered = Math.max(0, (p.urn || 0) - ((p.ballots || 0) - ticked));
    const urn = make("fieldset", { className: "live-urn", data: { live: "urn" } });
    urn.append(make("legend", { text: t("live.vote.urn") }));
    urn.append(make("p", { className: "meta", text: t("live.vote.urn_help") }));
    urn.append(make("p", { data: { live: "urn-count" }, text: t("live.vote.urn_count", entered, ticked) }));
    urn.append(...ballotControls(p, "urn", !open, (choice) => {
      const id = send("paper_ballot", { poll: p.id, choice });
      if (id) onAck.set(id, () => announce(t("live.vote.urn_entered")));
    }));
    out.push(urn);
  }
  const actions = make("div", { className: "live-actions" });
  actions.append(vbutton(t("live.vote.close"), p.question, () => send("close_poll", { poll: p.id }),
    { className: "live-primary", disabled: !open, data: { key: "close-" + p.id } }));
  out.push(actions);
  const rid = "reason-" + p.id;
  const reason = make("input", { type: "text", id: rid, maxLength: 500, value: ui.reason[p.id] || "", data: { key: rid } });
  reason.addEventListener("input", () => { ui.reason[p.id] = reason.value; });
  const cancel = make("form", { className: "live-cancel", noValidate: true }, make("label", { htmlFor: rid, text: t("live.vote.cancel_reason") }), " ", reason, " ",
    make("button", { type: "submit", text: t("live.vote.cancel"), data: { key: "cancel-" + p.id } }));
  cancel.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const text = reason.value.trim();
    if (!text) { showError(t("live.vote.reason_needed")); reason.focus(); return; }
    if (send("cancel_poll", { poll: p.id, text })) ui.reason[p.id] = "";
  });
  out.push(cancel);
  return out;
}

function resultBlock(p) {
  const box = make("div", { className: "live-result", data: { live: "poll-result" } });
  box.append(make("p", { className: "live-result-head", text: resultLine(p) }));
  if (p.state !== "closed") return box;
  const dl = make("dl", { className: "live-result-facts" });
  const fact = (k, v) => dl.append(make("dt", { text: t(k) }), make("dd", { text: String(v) }));
  if (p.election) {
    (p.candidates || []).forEach((c) => dl.append(make("dt", { text: c.name }), make("dd", { text: String(p.election.votes[c.id] || 0) })));
    fact("live.vote.choice.no", p.election.no || 0);
    if ((p.choices || []).includes("abstain")) fact("live.vote.choice.abstain", p.election.abstain || 0);
    fact("live.vote.ballots", p.ballots);
  } else {
    const tl = p.tally || {};
    fact("live.vote.choice.yes", tl.yes || 0);
    fact("live.vote.choice.no", tl.no || 0);
    fact("live.vote.choice.abstain", tl.abstain || 0);
    fact("live.vote.rule", t("live.vote.rule." + p.rule));
  }
  const inp = p.inputs || {};
  fact("live.vote.present", inp.present || 0);
  fact("live.vote.conflicted", inp.conflicted || 0);
  fact("live.vote.eligible", inp.eligible || 0);
  fact("live.vote.statutory", inp.statutory || 0);
  box.append(dl);
  if (p.election && p.election.seed) box.append(make("p", { className: "meta", text: t("live.vote.seed", p.election.seed) }));
  return box;
}

// wrap puts a table into a box that scrolls sideways on small screens; the
// box takes the focus (keyboard scrolling) and is named by the caption.
function wrap(table) {
  const cap = table.querySelector("caption");
  return make("div", { className: "table-wrap live-table-wrap", tabIndex: 0, role: "region", ariaLabel: cap ? cap.textContent : "" }, table);
}

function votesTable(p) {
  const table = make("table", { className: "live-votes", data: { live: "votes" } });
  table.append(make("caption", { text: t("live.vote.votes_caption") }));
  table.append(make("thead", {}, make("tr", {}, make("th", { scope: "col", text: t("live.name") }), make("th", { scope: "col", text: t("live.vote.choice") }))));
  const tb = make("tbody");
  p.votes.forEach((v) => tb.append(make("tr", {}, make("td", { text: v.name }), make("td", { text: choicesLabel(p, v.choice) }))));
  table.append(tb);
  return wrap(table);
}

// receiptList: the published urn of a closed secret poll, with a search
// for one's own receipt code.
function receiptList(p) {
  const box = make("div", { className: "live-receipts", data: { live: "receipts" } });
  const sid = "receipt-search-" + p.id;
  box.append(make("h4", { text: t("live.vote.receipts") }));
  box.append(make("p", { className: "meta", text: t("live.vote.receipts_help") }));
  const input = make("input", { type: "search", id: sid, value: ui.search[p.id] || "", autocomplete: "off", spellcheck: false,
    ariaDescribedby: "receipt-found-" + p.id, data: { key: sid, live: "receipt-search" } });
  const found = make("p", { id: "receipt-found-" + p.id, role: "status", data: { live: "receipt-found" } });
  box.append(make("p", {}, make("label", { htmlFor: sid, text: t("live.vote.check_receipt") }), " ", input), found);
  const table = make("table", { className: "live-receipt-table" });
  table.append(make("caption", { text: t("live.vote.receipts_caption", p.receipts.length) }));
  table.append(make("thead", {}, make("tr", {}, make("th", { scope: "col", text: t("live.vote.receipt") }), make("th", { scope: "col", text: t("live.vote.choice") }))));
  const tb = make("tbody");
  const rows = p.receipts.map((r) => {
    const tr = make("tr", { data: { receipt: r.receipt } }, make("td", { className: "live-code", text: r.receipt }), make("td", { text: choicesLabel(p, r.choice) }));
    tb.append(tr);
    return tr;
  });
  table.append(tb);
  const filter = () => {
    const q = input.value.toUpperCase().replace(/[^0-9A-Z]/g, "");
    ui.search[p.id] = input.value;
    let hits = 0;
    rows.forEach((tr) => {
      const hit = !q || tr.dataset.receipt.replace("-", "").includes(q);
      tr.hidden = !hit;
      tr.classList.toggle("live-hit", !!q && hit);
      if (q && hit) hits++;
    });
    const one = rows.find((tr) => !tr.hidden);
    found.textContent = !q ? "" : q.length === 8 && hits === 1 ? t("live.vote.receipt_found", one.dataset.receipt, one.children[1].textContent) :
      hits ? t("live.vote.receipt_matches", hits) : t("live.vote.receipt_missing");
  };
  input.addEventListener("input", filter);
  if (input.value) filter();
  box.append(wrap(table));
  return box;
}

// The console's form to open a poll: the kind decides whether a rule
// (yes/no polls) or seats and candidates (elections) are asked.
function renderPollForm() {
  const sel = $("poll-rule");
  const rules = (state.rules && state.rules.length) ? state.rules : allRules;
  if (sel.dataset.rules !== rules.join(",")) {
    sel.replaceChildren(...rules.map((r) => make("option", { value: r, text: t("live.vote.rule." + r) })));
    sel.dataset.rules = rules.join(",");
  }
  const running = state.state === "running" && !!state.item;
  const busy = (state.polls || []).some((p) => p.state === "open" || p.state === "paused");
  $("poll-form").querySelector("button[type=submit]").disabled = !running || busy;
}

const pollForm = $("poll-form");
if (pollForm) {
  const kindOf = () => (pollForm.querySelector("input[name=poll-kind]:checked") || {}).value || "open";
  const sync = () => {
    const election = kindOf() === "election";
    $("poll-election").hidden = !election;
    $("poll-rule-row").hidden = election;
  };
  pollForm.querySelectorAll("input[name=poll-kind]").forEach((r) => r.addEventListener("change", sync));
  sync();
  pollForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const kind = kindOf();
    const text = $("poll-question").value.trim();
    if (!text) { showError(t("live.vote.question_needed")); $("poll-question").focus(); return; }
    const extra = { kind, text };
    if (kind === "election") {
      extra.candidates = $("poll-candidates").value.split("\n").map((s) => s.trim()).filter(Boolean);
      extra.seats = parseInt($("poll-seats").value, 10) || 1;
      if (extra.candidates.length < extra.seats) { showError(t("live.vote.candidates_needed")); $("poll-candidates").focus(); return; }
    } else {
      extra.rule = $("poll-rule").value;
    }
    const id = send("open_poll", extra);
    if (id) onAck.set(id, () => { $("poll-question").value = ""; $("poll-candidates").value = ""; });
  });
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
