// WebRTC media of the live pages. The SFU is the only offerer: the page
// joins over the live websocket (media_join), answers the server's offers
// and trickles candidates. Program slots arrive as fixed tracks whose
// msid (stream "program") names the slot: floor-0…, room-audio,
// speaker-video, room-video. A member additionally sends camera and
// microphone on the transceivers the server offers as recvonly.
// getUserMedia runs only on a click ("test" or "join").

export function setupMedia({ root, mode, t, send, announce }) {
  const $ = (name) => root.querySelector(`[data-media="${name}"]`);
  const statusEl = $("status");
  const program = $("program");
  const audioBox = $("audio");
  const soundBtn = $("sound");
  let pc = null;
  let kind = null; // the kind we want to be joined as (null: none)
  let joinedAck = false;
  let local = null; // MediaStream of camera and microphone
  let meterStop = null;
  let state = null;
  let joinNo = 0;
  let joinGen = 0; // bumps with every join and leave
  let retry = null;
  let offerDirs = new Map(); // mid -> {kind, dir, track}
  const audios = new Map(); // slot -> audio element
  let speakerStream = null; // the speaker-video slot's stream, shown while someone has the floor
  let speaking = false;
  let selfSpeaking = false;

  // The status line is a live region: it changes only when its text does,
  // so a screen reader announces each change once, not every update.
  function status(key, ...args) {
    const text = t(key, ...args);
    if (statusEl && statusEl.textContent !== text) statusEl.textContent = text;
  }

  // --- devices, preview, level ---------------------------------------
  async function fillDevices() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) return;
    const devs = await navigator.mediaDevices.enumerateDevices();
    for (const [sel, k] of [[$("camera"), "videoinput"], [$("microphone"), "audioinput"]]) {
      if (!sel) continue;
      const keep = sel.value;
      sel.replaceChildren();
      const def = document.createElement("option");
      def.value = ""; def.textContent = t("live.media.default_device");
      sel.append(def);
      devs.filter((d) => d.kind === k).forEach((d, i) => {
        const o = document.createElement("option");
        o.value = d.deviceId;
        o.textContent = d.label || t(k === "videoinput" ? "live.media.camera" : "live.media.microphone") + " " + (i + 1);
        sel.append(o);
      });
      sel.value = keep;
    }
  }

  async function openLocal() {
    if (local) return local;
    const cam = $("camera").value, mic = $("microphone").value;
    local = await navigator.mediaDevices.getUserMedia({
      audio: mic ? { deviceId: { exact: mic } } : true,
      video: cam ? { deviceId: { exact: cam } } : true,
    });
    $("preview").srcObject = local;
    $("preview").closest("figure").hidden = false;
    startMeter(local);
    await fillDevices();
    return local;
  }

  function stopLocal() {
    if (meterStop) { meterStop(); meterStop = null; }
    if (local) local.getTracks().forEach((tr) => tr.stop());
    local = null;
    if ($("preview")) {
      $("preview").srcObject = null;
      $("preview").closest("figure").hidden = true; // no black box before the camera is on
    }
  }

  function startMeter(stream) {
    const meter = $("level");
    if (!meter || !window.AudioContext || !stream.getAudioTracks().length) return;
    const ac = new AudioContext();
    const an = ac.createAnalyser();
    an.fftSize = 512;
    ac.createMediaStreamSource(stream).connect(an);
    const buf = new Float32Array(an.fftSize);
    let on = true;
    const tick = () => {
      if (!on) return;
      an.getFloatTimeDomainData(buf);
      let sum = 0;
      for (const v of buf) sum += v * v;
      meter.value = Math.min(1, Math.sqrt(sum / buf.length) * 4);
      window.setTimeout(tick, 100);
    };
    tick();
    meterStop = () => { on = false; meter.value = 0; ac.close(); };
  }

  async function switchDevice(k) {
    if (!local) return;
    const sel = $(k === "audio" ? "microphone" : "camera");
    const c = sel.value ? { deviceId: { exact: sel.value } } : true;
    const s = await navigator.mediaDevices.getUserMedia(k === "audio" ? { audio: c } : { video: c });
    const nt = s.getTracks()[0];
    const old = k === "audio" ? local.getAudioTracks()[0] : local.getVideoTracks()[0];
    if (old) { nt.enabled = old.enabled; local.removeTrack(old); old.stop(); }
    local.addTrack(nt);
    if (pc) pc.getSenders().filter((x) => x.track && x.track.kind === k || (!x.track && senderKind(x) === k))
      .forEach((x) => x.replaceTrack(nt));
    if (k === "audio") { if (meterStop) meterStop(); startMeter(local); }
  }

  function senderKind(sender) {
    const tr = pc.getTransceivers().find((x) => x.sender === sender);
    return tr && tr.receiver.track ? tr.receiver.track.kind : "";
  }

  function setPressed(btn, on, onKey, offKey) {
    btn.setAttribute("aria-pressed", on ? "true" : "false");
    btn.textContent = t(on ? onKey : offKey);
  }

  // --- peer connection -----------------------------------------------
  function parseOffer(sdp) {
    const m = new Map();
    let cur = null;
    sdp.split(/\r?\n/).forEach((line) => {
      if (line.startsWith("m=")) { cur = { kind: line.slice(2).split(" ")[0], dir: "sendrecv", track: "" }; return; }
      if (!cur) return;
      if (line.startsWith("a=mid:")) m.set(line.slice(6).trim(), cur);
      else if (/^a=(sendrecv|sendonly|recvonly|inactive)$/.test(line)) cur.dir = line.slice(2);
      else if (line.startsWith("a=msid:")) cur.track = (line.slice(7).split(" ")[1] || "").trim();
    });
    return m;
  }

  // ICE servers (STUN, TURN with short-lived credentials) for this
  // join; none when the server has none or cannot be asked.
  // The last list fetched is used again when the server refuses (429: too
  // many fetches from this address) or cannot be reached.
  let lastIce = [];
  async function iceServers() {
    if (!root.dataset.ice) return [];
    try {
      const r = await fetch(root.dataset.ice, { credentials: "same-origin", cache: "no-store" });
      if (!r.ok) return lastIce;
      const j = await r.json();
      if (Array.isArray(j.ice_servers)) lastIce = j.ice_servers;
      return lastIce;
    } catch (e) {
      return lastIce;
    }
  }

  function newPC(ice) {
    const p = new RTCPeerConnection({ iceServers: ice || [] });
    p.addEventListener("icecandidate", (ev) => {
      send({ type: "media", signal: { type: "candidate", candidate: ev.candidate ? ev.candidate.toJSON() : null } });
    });
    p.addEventListener("track", (ev) => attach(ev));
    p.addEventListener("connectionstatechange", () => {
      if (p !== pc) return;
      const s = p.connectionState;
      if (s === "connected") status(kind === "member" ? "live.media.connected_member" : kind === "guest" ? "live.media.connected_guest" : "live.media.connected");
      else if (s === "failed") { status("live.media.failed"); rejoinLater(); }
      else if (s === "connecting") status("live.media.connecting");
      else if (s === "disconnected") {
        // A changed network (Wi-Fi to mobile) leaves the connection
        // "disconnected" for half a minute before it fails; rejoining after
        // a few seconds brings the member back within the presence grace
        // period, so the roster shows no absence.
        window.setTimeout(() => {
          if (p === pc && p.connectionState === "disconnected") { status("live.media.failed"); rejoinLater(); }
        }, 4000);
      }
    });
    return p;
  }

  function slotOf(ev) {
    const info = offerDirs.get(ev.transceiver.mid);
    return (info && info.track) || ev.track.id;
  }

  // --- the public's player ------------------------------------------
  // One stage shows the speaker while someone has the floor and their
  // camera sends, else the room camera while it sends, else a slate that
  // says why there is no picture. "Sends" is read from the decoder: a slot
  // whose frame count did not grow for 2.5 s shows nothing (the SFU keeps
  // every slot's track, also when no source feeds it).
  const stage = $("stage");
  const live = { speaker: false, room: false };
  const frames = new Map(); // slot -> {n: frames decoded, at: when it last grew}
  let cut = false; // the public's media is cut (non-public part or item)
  let userPaused = false;
  let volume = 1;

  async function pollFrames() {
    if (!pc) { live.speaker = live.room = false; showStage(); return; }
    const mine = pc;
    try {
      const now = Date.now();
      (await mine.getStats()).forEach((r) => {
        if (r.type !== "inbound-rtp" || r.kind !== "video") return;
        const info = offerDirs.get(r.mid);
        const slot = info && info.track;
        if (slot !== "speaker-video" && slot !== "room-video") return;
        const n = r.framesDecoded || 0;
        const prev = frames.get(slot);
        if (!prev || n > prev.n) frames.set(slot, { n, at: n > 0 ? now : 0 });
      });
      const fresh = (slot) => { const f = frames.get(slot); return !!f && f.at > 0 && now - f.at < 2500; };
      live.speaker = fresh("speaker-video");
      live.room = fresh("room-video");
    } catch (e) { /* the connection closed meanwhile */ }
    showStage();
    showRoomTile();
  }

  // Outside the public's stage (member page, console) the room camera's
  // tile shows only while the room camera sends: no black box without a
  // reason.
  function showRoomTile() {
    if (stage) return;
    const v = $("room-video");
    const fig = v && v.closest("figure");
    if (fig && fig.hidden !== !live.room) fig.hidden = !live.room;
  }

  function showStage() {
    if (!stage || !state) return;
    const s = state;
    const running = s.state === "running";
    const f = running && s.speakers && s.speakers.floor && s.speakers.floor[0];
    const g = guestFloor(s);
    let show = "slate";
    let text = "";
    if (s.state === "closed") text = t("live.slate.closed");
    else if (!running) text = $("slate").dataset.before;
    else if (cut) text = t("live.slate.nonpublic");
    else if (f && live.speaker) show = "speaker";
    else if (live.room) show = "room";
    else if (f) text = t("live.slate.speaking", f.name);
    else if (g) text = t("live.slate.guest", g.number);
    else if (!pc || pc.connectionState !== "connected") text = t("live.slate.connecting");
    else text = t("live.slate.nobody");
    if (stage.dataset.show !== show) stage.dataset.show = show;
    const st = $("slate-text");
    if (text && st.textContent !== text) st.textContent = text;
    const pip = $("pip");
    if (pip) pip.disabled = show === "slate" || !document.pictureInPictureEnabled;
  }

  function playAll() {
    for (const el of root.querySelectorAll("video, audio")) {
      if (userPaused || cut) el.pause(); else if (el.srcObject) el.play().catch(() => {});
    }
  }

  if (!stage && $("room-video")) {
    showRoomTile();
    window.setInterval(pollFrames, 1000);
  }
  if (stage) {
    window.setInterval(pollFrames, 1000);
    const playBtn = $("play");
    playBtn.addEventListener("click", () => {
      userPaused = !userPaused;
      playBtn.textContent = t(userPaused ? "live.player.play" : "live.player.pause");
      playAll();
      announce(t(userPaused ? "live.player.pause" : "live.player.play"));
    });
    $("volume").addEventListener("input", (ev) => {
      volume = Number(ev.target.value);
      audios.forEach((a) => { a.volume = volume; });
    });
    $("fullscreen").addEventListener("click", () => {
      if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
      else if (stage.requestFullscreen) stage.requestFullscreen().catch(() => {});
    });
    $("pip").addEventListener("click", () => {
      if (document.pictureInPictureElement) { document.exitPictureInPicture().catch(() => {}); return; }
      const v = $(stage.dataset.show === "speaker" ? "speaker-video" : "room-video");
      if (v && v.requestPictureInPicture) v.requestPictureInPicture().catch(() => {});
    });
  }

  // The first decoded frame of a slot shows at once (the poll above
  // only notices when frames stop): the video element reports it.
  function onFirstFrame(v, slot) {
    const seen = () => {
      const f = frames.get(slot);
      frames.set(slot, { n: f ? f.n : 0, at: Date.now() });
      live[slot === "room-video" ? "room" : "speaker"] = true;
      showStage();
      showRoomTile();
    };
    if (v.requestVideoFrameCallback) v.requestVideoFrameCallback(seen);
    else v.addEventListener("loadeddata", seen, { once: true });
  }

  function attach(ev) {
    const slot = slotOf(ev);
    const stream = new MediaStream([ev.track]);
    if (ev.track.kind === "video") {
      if (slot === "room-video") {
        const v = $("room-video");
        if (v) { v.srcObject = stream; onFirstFrame(v, slot); if (!userPaused && !cut) v.play().catch(() => {}); }
      } else {
        speakerStream = stream;
        showSpeaker();
      }
      return;
    }
    let a = audios.get(slot);
    if (!a) {
      a = document.createElement("audio");
      a.autoplay = true;
      a.dataset.slot = slot;
      audioBox.append(a);
      audios.set(slot, a);
    }
    a.srcObject = stream;
    a.volume = volume;
    if (mode === "console" && kind === "viewer") a.muted = !monitorHear;
    if (userPaused || cut) return;
    a.play().catch(() => { if (soundBtn) soundBtn.hidden = false; });
  }

  async function onSignal(sig) {
    if (!pc || !sig) return;
    const mine = pc;
    try {
      if (sig.type === "offer") {
        offerDirs = parseOffer(sig.sdp);
        await mine.setRemoteDescription({ type: "offer", sdp: sig.sdp });
        // A member sends camera and microphone, a guest (the asking
        // citizen) the microphone only: the server offers it no camera.
        if ((kind === "member" || kind === "guest") && local) {
          for (const tr of mine.getTransceivers()) {
            const info = offerDirs.get(tr.mid);
            if (!info || info.dir !== "recvonly") continue;
            const track = info.kind === "audio" ? local.getAudioTracks()[0] : local.getVideoTracks()[0];
            if (!track) continue;
            tr.direction = "sendonly";
            if (tr.sender.track !== track) await tr.sender.replaceTrack(track);
          }
        }
        const answer = await mine.createAnswer();
        await mine.setLocalDescription(answer);
        if (mine === pc) send({ type: "media", id: "ma" + (++joinNo), signal: { type: "answer", sdp: mine.localDescription.sdp } });
      } else if (sig.type === "candidate") {
        await mine.addIceCandidate(sig.candidate || null);
      }
    } catch (e) {
      status("live.media.failed");
    }
  }

  async function join(k) {
    kind = k;
    joinedAck = false;
    if (pc) { pc.close(); pc = null; }
    status("live.media.connecting");
    const gen = ++joinGen;
    const ice = await iceServers();
    if (kind !== k || joinGen !== gen) return; // left or joined again meanwhile
    pc = newPC(ice);
    send({ type: "media_join", id: "mj" + (++joinNo), kind: k });
  }

  function leave() {
    kind = null;
    joinGen++;
    joinedAck = false;
    if (retry) { window.clearTimeout(retry); retry = null; }
    if (pc) { pc.close(); pc = null; }
    send({ type: "media_leave", id: "ml" + (++joinNo) });
    clearProgram();
  }

  // The speaker's tile shows the slot only while someone has the floor:
  // after the floor ends the slot sends nothing, and the player would keep
  // the last frame.
  function showSpeaker() {
    const v = $("speaker-video");
    if (!v) return;
    // A member who has the floor sees themself (the SFU does not send
    // anyone their own camera back).
    const want = !speaking ? null : selfSpeaking && local ? local : speakerStream;
    if (v.srcObject !== want) {
      v.srcObject = want;
      if (want === speakerStream && want) onFirstFrame(v, "speaker-video");
    }
    if (want && !userPaused && !cut) v.play().catch(() => {});
    v.closest("figure").dataset.speaking = speaking ? "true" : "false";
  }

  function clearProgram() {
    speakerStream = null;
    for (const v of [$("speaker-video"), $("room-video")]) if (v) v.srcObject = null;
    audios.forEach((a) => a.remove());
    audios.clear();
  }

  function rejoinLater() {
    if (!kind || retry) return;
    const k = kind;
    retry = window.setTimeout(() => { retry = null; if (kind === k) join(k); }, 2000);
  }

  // The member's toolbar offers joining until joined, then the
  // microphone and the camera.
  function syncToolbar() {
    if (mode !== "member") return;
    const joined = kind === "member";
    if ($("join")) $("join").hidden = joined;
    for (const n of ["mute", "cam-off"]) if ($(n)) $(n).hidden = !joined;
  }
  syncToolbar();

  // The console's programme monitor: a viewer connection, what the
  // public sees and hears, its sound off until asked for. The chair's own
  // member connection shows the programme anyway.
  const monitorBtn = $("monitor");
  const monitorSound = $("monitor-sound");
  let monitorWanted = false;
  let monitorHear = false;
  function monitorUpdate(s) {
    if (!monitorBtn) return;
    const running = s.state === "running";
    const cutNow = s.part === "non_public" || (!!s.item && s.item.public === false);
    if (monitorWanted && running && !kind && !cutNow) join("viewer");
    if (kind === "viewer" && (!running || !monitorWanted)) leave();
    monitorBtn.disabled = !running || kind === "member";
    monitorBtn.setAttribute("aria-pressed", String(monitorWanted && kind !== "member"));
    monitorSound.hidden = kind !== "viewer";
    if (monitorWanted && running && cutNow) status("live.monitor.cut");
    else if (kind === "viewer") status(pc && pc.connectionState === "connected" ? "live.media.connected" : "live.media.connecting");
  }
  if (monitorBtn) {
    monitorBtn.addEventListener("click", () => {
      monitorWanted = !monitorWanted;
      if (state) monitorUpdate(state);
      if (state) update(state);
    });
    monitorSound.addEventListener("click", () => {
      monitorHear = !monitorHear;
      monitorSound.setAttribute("aria-pressed", String(monitorHear));
      audios.forEach((a) => { a.muted = !monitorHear; });
    });
  }

  // --- wiring --------------------------------------------------------
  if (soundBtn) soundBtn.addEventListener("click", () => {
    audios.forEach((a) => a.play().catch(() => {}));
    soundBtn.hidden = true;
  });
  if ($("test")) {
    $("test").addEventListener("click", async () => {
      try { await openLocal(); status("live.media.testing"); } catch (e) { status("live.media.no_devices"); }
    });
    $("camera").addEventListener("change", () => switchDevice("video").catch(() => status("live.media.no_devices")));
    $("microphone").addEventListener("change", () => switchDevice("audio").catch(() => status("live.media.no_devices")));
    // The speakers: a short tone through the page's audio output.
    if ($("speaker-test")) $("speaker-test").addEventListener("click", () => {
      const ac = new (window.AudioContext || window.webkitAudioContext)();
      const osc = ac.createOscillator();
      const gain = ac.createGain();
      gain.gain.value = 0.2;
      osc.frequency.value = 440;
      osc.connect(gain).connect(ac.destination);
      osc.start();
      osc.stop(ac.currentTime + 0.8);
      osc.onended = () => ac.close();
      status("live.media.speaker_testing");
    });
    $("join").addEventListener("click", async () => {
      try { await openLocal(); } catch (e) { status("live.media.no_devices"); return; }
      // Joining muted (when asked for): the microphone is off until the
      // member switches it on. (Without it the microphone is on but heard
      // only while the member has the floor: the server forwards no other.)
      const mic = local && local.getAudioTracks()[0];
      if (mic && $("join-muted") && $("join-muted").checked) {
        mic.enabled = false;
        setPressed($("mute"), true, "live.media.unmute", "live.media.mute");
      }
      join("member");
      $("join").disabled = true;
      $("leave").disabled = false; $("mute").disabled = false; $("cam-off").disabled = false;
      const focused = document.activeElement === $("join");
      syncToolbar();
      if (focused && mode === "member") $("mute").focus();
    });
    $("leave").addEventListener("click", () => {
      leave();
      stopLocal();
      status("live.media.idle");
      $("join").disabled = false;
      $("leave").disabled = true; $("mute").disabled = true; $("cam-off").disabled = true;
      setPressed($("mute"), false, "live.media.unmute", "live.media.mute");
      setPressed($("cam-off"), false, "live.media.camera_on", "live.media.camera_off");
      syncToolbar();
    });
    $("mute").addEventListener("click", () => {
      if (!local) return;
      const tr = local.getAudioTracks()[0];
      if (!tr) return;
      tr.enabled = !tr.enabled;
      setPressed($("mute"), !tr.enabled, "live.media.unmute", "live.media.mute");
      announce(t(tr.enabled ? "live.media.mic_on" : "live.media.mic_off"));
    });
    $("cam-off").addEventListener("click", () => {
      if (!local) return;
      const tr = local.getVideoTracks()[0];
      if (!tr) return;
      tr.enabled = !tr.enabled;
      setPressed($("cam-off"), !tr.enabled, "live.media.camera_on", "live.media.camera_off");
    });
  }

  // The asking citizen who has the floor (audio only) while the time runs.
  function guestFloor(s) {
    const g = s && s.state === "running" && s.question_floor;
    return g && g.until && Date.parse(g.until) > Date.now() ? g : null;
  }

  // The live page tells us the state after every change.
  function update(s) {
    state = s;
    const running = s.state === "running";
    // The public gets nothing in the non-public part nor while a
    // non-public item is called.
    const hidden = mode === "public" && (s.part === "non_public" || (!!s.item && s.item.public === false));
    // The console shows the programme only while it receives it: the
    // chair's own member connection, or the monitor while the public gets
    // something.
    const consoleCut = mode === "console" && kind === "viewer" && (s.part === "non_public" || (!!s.item && s.item.public === false));
    // A member sees the programme once joined (before, nothing comes).
    if (program) program.hidden = hidden || (mode === "console" && (!kind || consoleCut)) || (mode === "member" && !kind);
    if (mode === "public") {
      // Media stops with the non-public part: the SFU sends viewers
      // nothing, and the page pauses and hides its players.
      cut = running && hidden;
      playAll();
      if (hidden) status("live.media.paused");
      else if (wasHidden && kind) status(pc && pc.connectionState === "connected" ? "live.media.connected" : "live.media.connecting");
      if (running && !hidden && !kind) join("viewer");
      if (!running && kind) leave();
      wasHidden = hidden;
    }
    if (mode === "console" && $("devices")) $("devices").hidden = s.role !== "chair";
    if (mode === "console") monitorUpdate(s);
    if (mode === "console" && s.role !== "chair" && !kind) status("live.media.console_idle");
    if (!running && kind === "member") { leave(); stopLocal(); }
    if (s.state === "closed") status("live.media.ended");
    if ($("join")) $("join").disabled = !running || kind === "member";
    syncToolbar();
    const f = running && s.speakers && s.speakers.floor && s.speakers.floor[0];
    speaking = !!f;
    selfSpeaking = !!f && !!s.self && f.person_id === s.self;
    showSpeaker();
    const cap = $("speaker-caption");
    // The public's caption says nothing before and after the session (the
    // slate does).
    const g = guestFloor(s);
    if (cap) cap.textContent = f ? t("live.media.speaker_name", f.name) : g ? t("live.slate.guest", g.number) : running ? t("live.media.nobody") : stage ? "" : t("live.media.speaker");
    showStage();
  }
  let wasHidden = false;

  // The asking citizen's microphone (audio only): on, the page joins as a
  // guest (the server checks that this citizen holds the floor); off, it
  // plays the programme as a viewer again. Returns false when the
  // microphone could not be opened.
  async function guest(on) {
    if (!on) {
      stopLocal();
      if (kind === "guest") {
        if (state && state.state === "running") join("viewer"); else leave();
      }
      return true;
    }
    try {
      stopLocal();
      local = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
    } catch (e) {
      status("live.media.no_devices");
      return false;
    }
    join("guest");
    return true;
  }

  // guestMute switches the guest's microphone and reports whether it is
  // muted now (null: no microphone).
  function guestMute() {
    const tr = local && local.getAudioTracks()[0];
    if (!tr) return null;
    tr.enabled = !tr.enabled;
    return !tr.enabled;
  }

  return {
    signal: onSignal,
    update,
    guest,
    guestMute,
    // The websocket reconnected: the server closed our peer with the old
    // connection; join again.
    reconnected() { if (kind) join(kind); },
    reply(m) {
      if (!m.id || !m.id.startsWith("m")) return false;
      if (m.type === "ack" && m.id.startsWith("mj")) { joinedAck = true; return true; }
      if (m.type === "error") {
        if (m.id.startsWith("mj")) {
          // Not allowed now (e.g. the non-public part began): try again on
          // the next state change.
          const k = kind;
          kind = null;
          if (pc) { pc.close(); pc = null; }
          status("live.media.refused");
          if (k === "member" && $("join")) { $("join").disabled = false; }
          syncToolbar();
        }
        return true;
      }
      return m.type === "ack";
    },
    joined() { return joinedAck; },
  };
}
