// wscam viewer. Each camera is a StreamView: one WebSocket (subprotocol wscam.v1), JPEGs
// decoded off the main thread with createImageBitmap and painted on a canvas; only the
// newest frame is ever decoded or drawn, so a slow page skips frames instead of lagging.
// With H.264 (the default where WebCodecs decodes it; the Codec choice, or ?codec=jpeg|h264|auto)
// the view asks for `?codec=h264` and its H.264 path (viewer_h264.js: ViewCodec, the codec choice)
// decodes the access units with WscamH264Player (h264_player.js) into VideoFrames, painted on the
// same canvas.
// One stream: a full view with statistics and controls. Several: a grid of tiles, click to focus.
'use strict';

(() => {
  const HEADER_MIN = 32;
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  const token = params.get('token') || '';
  const withToken = (url) => (token ? `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}` : url);
  // Client time in microseconds since the epoch, sub-millisecond where the browser allows.
  const nowUs = () => (performance.timeOrigin + performance.now()) * 1000;
  const { ViewCodec, CodecSelect } = window.WscamViewerH264;

  class StreamView {
    constructor(stream, canvas, {
      codec = 'jpeg', onState = () => {}, onHello = () => {}, onControl = () => {}, onError = () => {}, onCodec = () => {},
    } = {}) {
      Object.assign(this, { stream, canvas, onState, onHello, onControl, onError, onCodec });
      this.ctx = canvas.getContext('2d', { alpha: false });
      this.stats = {
        stream, state: 'connecting', reason: '', framesReceived: 0, framesPainted: 0, lastSequence: 0,
        serverDropped: 0, clientDropped: 0, fps: 0, kbps: 0, width: 0, height: 0,
        latencyMs: null, latencyP50Ms: null, clockOffsetUs: null, clockUncertaintyUs: null,
        paused: false, connects: 0, message: '', badFrames: 0,
        // codec: what this connection gets ('jpeg', 'h264'; null before the hello); codecNote:
        // why it is not the codec asked for (the server's codec_note, a fallback).
        codec: null, codecString: '', codecNote: '', h264Errors: 0,
      };
      this.retry = 0;
      this.clockSamples = [];
      this.decoding = false;
      this.queued = null;       // newest frame waiting for the decoder {blob, meta}
      this.ready = null;        // newest decoded picture waiting for paint {image, meta, width, height}
      this.lastBlob = null;
      this.lastMeta = null;
      this.paintTimes = [];
      this.byteWindow = [];
      this.latencies = [];
      this.pausedWanted = false;
      this.closedForGood = false;
      this.codec = new ViewCodec(this, codec);  // the codec asked for, the H.264 path of the connection
      this.connect();
    }

    reconnect() {
      this.dropConnection();
      this.retry = 0;
      this.connect();
    }

    setState(state, reason = '') {
      if (this.closedForGood) return;  // a closed view never speaks for the page again
      this.stats.state = state;
      this.stats.reason = reason;
      this.onState(state, reason);
    }

    connect() {
      clearTimeout(this.retryTimer);
      if (this.closedForGood) return;
      this.setState(this.retry ? 'reconnecting' : 'connecting');
      this.sequenceKnown = false;  // a new connection may start anywhere in the stream
      const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
      const codec = this.codec.wanted === 'h264' ? '?codec=h264' : '';
      const ws = new WebSocket(withToken(`${proto}//${location.host}/ws/${encodeURIComponent(this.stream)}${codec}`),
        ['wscam.v1']);
      ws.binaryType = 'arraybuffer';
      ws.onopen = () => this.onOpen();
      ws.onmessage = (ev) => (typeof ev.data === 'string' ? this.onText(ev.data) : this.onFrame(ev.data));
      ws.onclose = (ev) => this.onClose(ev);
      this.ws = ws;
    }

    // Stops everything this view owns: its timers (retry, reconnect countdown, ping), the pending
    // paint, the decoded frame, the H.264 decoder and the socket, so nothing of it reaches the page afterwards.
    close() {
      this.closedForGood = true;
      cancelAnimationFrame(this.paintRequest);
      this.ready?.image.close();
      this.ready = null;
      this.dropConnection();
    }

    // Ends the current connection (or the wait for the next one) without a word to the page.
    dropConnection() {
      clearTimeout(this.retryTimer);
      clearTimeout(this.countdown);
      clearTimeout(this.pingTimer);
      this.queued = null;
      this.codec.stop();
      const ws = this.ws;
      this.ws = null;
      if (ws) {
        ws.onopen = ws.onmessage = ws.onclose = null;
        ws.close();
      }
    }

    send(message) {
      if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
    }

    onOpen() {
      this.stats.connects++;
      this.clockSamples = [];
      // A burst of pings first so the clock offset settles quickly, then one every 2 s.
      let n = 0;
      const ping = () => {
        this.send({ type: 'ping', id: n, t: nowUs() });
        this.pingTimer = setTimeout(ping, ++n < 5 ? 200 : 2000);
      };
      ping();
      if (this.pausedWanted) this.send({ type: 'pause' });
    }

    onClose(ev) {
      clearTimeout(this.pingTimer);
      this.ws = null;
      this.codec.stop();
      if (this.closedForGood) return;
      const delay = Math.min(10000, 500 * 2 ** this.retry) * (0.7 + Math.random() * 0.6);
      this.retry++;
      const why = ev.code === 1001 ? 'server went away' : ev.reason ? `closed by server: ${ev.reason}`
        : `connection closed (${ev.code})`;
      let left = Math.ceil(delay / 1000);
      const tick = () => {
        this.setState('reconnecting', `${why}; retrying in ${left} s`);
        if (left-- > 0) this.countdown = setTimeout(tick, 1000);
      };
      clearTimeout(this.countdown);
      tick();
      this.retryTimer = setTimeout(() => { clearTimeout(this.countdown); this.connect(); }, delay);
    }

    onFrame(buf) {
      const view = new DataView(buf);
      // header_size says where the JPEG starts: at least the 32 bytes of this version, never past the end.
      const headerLen = buf.byteLength >= 2 ? view.getUint8(1) : 0;
      if (headerLen < HEADER_MIN || headerLen > buf.byteLength) return this.badFrame(buf, headerLen);
      // 1: a JPEG; 2: an H.264 access unit, on a connection that gets H.264. Others: unknown to this page.
      const type = view.getUint8(0);
      if (type !== 1 && !(type === 2 && this.codec.h264)) return;
      const meta = {
        width: view.getUint16(2), height: view.getUint16(4), keyframe: (view.getUint8(6) & 1) === 1,
        sequence: Number(view.getBigUint64(8)), captureUs: Number(view.getBigInt64(16)),
      };
      const s = this.stats;
      if (this.sequenceKnown && meta.sequence > s.lastSequence + 1) s.serverDropped += meta.sequence - s.lastSequence - 1;
      s.lastSequence = meta.sequence;
      this.sequenceKnown = true;
      s.framesReceived++;
      this.byteWindow.push([performance.now(), buf.byteLength]);
      if (s.state !== 'live') { this.retry = 0; this.setState('live'); }
      if (type === 2) return this.codec.h264.push(buf, headerLen, meta);
      const blob = new Blob([new Uint8Array(buf, headerLen)], { type: 'image/jpeg' });
      this.lastBlob = blob;
      this.lastMeta = meta;
      if (this.queued) s.clientDropped++;
      this.queued = { blob, meta };
      this.decodeNext();
    }

    // A binary message that is not a valid wscam.v1 frame: counted, reported once, otherwise ignored.
    badFrame(buf, headerLen) {
      this.stats.badFrames++;
      if (this.warnedBadFrame) return;
      this.warnedBadFrame = true;
      console.warn(`wscam: ignoring a binary message with header_size ${headerLen} in ${buf.byteLength} bytes`
        + ' (further ones are only counted in badFrames)');
    }

    decodeNext() {
      if (this.decoding || !this.queued) return;
      const { blob, meta } = this.queued;
      this.queued = null;
      this.decoding = true;
      createImageBitmap(blob).then((bitmap) => this.show(bitmap, meta, bitmap.width, bitmap.height)).catch(() => {
        /* a damaged frame: skip it */
      }).finally(() => {
        this.decoding = false;
        this.decodeNext();
      });
    }

    // A decoded picture (an ImageBitmap from a JPEG, a VideoFrame from H.264; this view owns it
    // and closes it) to paint at the next animation frame. One not painted yet is replaced.
    show(image, meta, width, height) {
      if (this.closedForGood) { image.close(); return; }
      if (this.ready) { this.ready.image.close(); this.stats.clientDropped++; }
      this.ready = { image, meta, width, height };
      cancelAnimationFrame(this.paintRequest);
      this.paintRequest = requestAnimationFrame(() => this.paint());
    }

    paint() {
      if (!this.ready || this.closedForGood) return;
      const { image, meta, width, height } = this.ready;
      this.ready = null;
      if (this.canvas.width !== width || this.canvas.height !== height) {
        this.canvas.width = width;
        this.canvas.height = height;
      }
      // A VideoFrame's coded size may include padding: draw its display size.
      this.ctx.drawImage(image, 0, 0, width, height);
      image.close();
      if (!meta) return;  // a frame the player could not match to its unit: shown, not counted
      const s = this.stats;
      s.framesPainted++;
      s.width = meta.width;
      s.height = meta.height;
      this.paintedMeta = meta;
      this.paintTimes.push(performance.now());
      if (s.clockOffsetUs !== null) {
        s.latencyMs = (nowUs() + s.clockOffsetUs - meta.captureUs) / 1000;
        this.latencies.push(s.latencyMs);
        if (this.latencies.length > 90) this.latencies.shift();
      }
      // A hook for measurements (bench/browser): called once per painted frame.
      window.wscamOnPaint?.(s.clockOffsetUs === null ? null : s.latencyMs, this.stream, meta.sequence);
    }

    onText(text) {
      let msg;
      try { msg = JSON.parse(text); } catch { return; }
      const s = this.stats;
      if (msg.type === 'pong') {
        const t1 = nowUs();
        // The server read its clock about half-way through the round trip.
        this.clockSamples.push({ offset: msg.server_time_us - (msg.t + t1) / 2, rtt: t1 - msg.t });
        if (this.clockSamples.length > 20) this.clockSamples.shift();
        const best = this.clockSamples.reduce((a, b) => (b.rtt < a.rtt ? b : a));
        s.clockOffsetUs = best.offset;
        s.clockUncertaintyUs = best.rtt / 2;
      } else if (msg.type === 'hello') {
        this.hello = msg;
        this.codec.start(msg);
        this.onHello(msg);
        if (!msg.online) this.setState('offline', msg.reason || 'camera offline');
      } else if (msg.type === 'status') {
        if (msg.message) s.message = msg.message;
        if (msg.state === 'offline') this.setState('offline', msg.reason || 'camera offline');
        else if (s.state === 'offline') this.setState('live');
      } else if (msg.type === 'control_changed') {
        this.onControl(msg.id, msg.value);
      } else if (msg.type === 'controls') {
        // The camera's set of controls changed (a publisher came or went, a board was found).
        this.hello = { ...(this.hello || {}), controls: msg.controls };
        this.onHello(this.hello);
      } else if (msg.type === 'error') {
        console.warn(`wscam: ${msg.reason}`);
        this.onError(msg.reason);
      }
    }

    setPaused(paused) {
      this.pausedWanted = paused;
      this.stats.paused = paused;
      this.send({ type: paused ? 'pause' : 'resume' });
    }

    // Sliding one-second windows, refreshed by the page's timer.
    refresh() {
      const now = performance.now();
      const s = this.stats;
      this.paintTimes = this.paintTimes.filter((t) => now - t <= 1000);
      this.byteWindow = this.byteWindow.filter(([t]) => now - t <= 1000);
      s.fps = this.paintTimes.length;
      s.kbps = this.byteWindow.reduce((sum, [, b]) => sum + b, 0) * 8 / 1000;
      const sorted = [...this.latencies].sort((a, b) => a - b);
      s.latencyP50Ms = sorted.length ? sorted[Math.floor(sorted.length / 2)] : null;
      this.codec.checkAuto();
    }
  }

  // ---- the page ----
  const ui = {
    state: $('state'), message: $('message'), stage: $('stage'), stats: $('stats'), grid: $('grid'),
    focus: $('focus'), controls: $('controls'), form: $('controls-form'), controlError: $('control-error'),
    codec: $('codec'), codecNote: $('codec-note'),
  };
  let focused = null;   // the StreamView shown large
  let tiles = [];       // StreamViews in the grid
  let userPaused = false;
  const controlInputs = new Map();  // control id -> { apply(value), revert() } for the controls panel
  const CONTROL_SETTLE_MS = 1000;   // a control the user moved is left alone this long
  window.wscamTiles = () => tiles.map((t) => ({ ...t.stats }));

  function showState(state, reason) {
    const text = reason ? `${state}: ${reason}` : state;
    ui.state.className = `state ${state}`;
    ui.state.textContent = text;
    ui.message.hidden = state === 'live';
    ui.message.textContent = state === 'live' ? '' : text;
  }

  // An error reply (a refused control value, a camera that did not answer) shown for a while.
  let errorTimer = null;
  function showError(reason) {
    ui.controlError.textContent = reason;
    ui.controlError.hidden = false;
    clearTimeout(errorTimer);
    errorTimer = setTimeout(() => { ui.controlError.hidden = true; }, 6000);
  }

  function renderControls(hello) {
    ui.form.replaceChildren();
    controlInputs.clear();
    const usable = hello.can_control && hello.controls && hello.controls.length > 0;
    $('btn-controls').hidden = !usable;
    if (!usable) { ui.controls.hidden = true; return; }
    for (const c of hello.controls) {
      const label = document.createElement('label');
      label.textContent = c.name;
      let input;
      let shown = null;
      if (c.type === 'bool') {
        input = document.createElement('input');
        input.type = 'checkbox';
        input.checked = c.value !== 0;
      } else if (c.type === 'menu') {
        input = document.createElement('select');
        for (const o of c.options) input.add(new Option(o.label, o.value, false, o.value === c.value));
      } else {
        input = document.createElement('input');
        Object.assign(input, { type: 'range', min: c.min, max: c.max, step: c.step, value: c.value });
        shown = document.createElement('span');
        shown.textContent = c.value;
        label.append(shown);
        input.addEventListener('input', () => { shown.textContent = input.value; });
      }
      input.name = c.id;
      input.dataset.control = c.id;
      // Only the user's own changes are sent (input and change events come from the user alone: a
      // value from the server is shown by show() below, which fires no events), and only when
      // they differ from the camera's value as this page last knew it.
      let known = c.value;     // the camera's value as this page knows it, or the user's change on its way
      let inEffect = c.value;  // the value the server last reported in effect
      let touched = -Infinity; // when the user last moved this control
      let pending = null;
      let settle = null;
      // Shows `known`, but never moves a control under the user's hand: while they are moving it
      // (and for a moment after), the server's answers are kept and shown once they stop, so the
      // panel always settles on the value in effect (a clamped or refused change included).
      const show = () => {
        clearTimeout(settle);
        const wait = touched + CONTROL_SETTLE_MS - performance.now();
        if (wait > 0) { settle = setTimeout(show, wait); return; }
        if (input.type === 'checkbox') input.checked = known !== 0;
        else input.value = known;
        if (shown) shown.textContent = input.value;
      };
      const send = () => {
        clearTimeout(pending);
        pending = null;
        const value = input.type === 'checkbox' ? (input.checked ? 1 : 0) : Number(input.value);
        if (value === known) return;
        known = value;
        focused?.send({ type: 'control', id: c.id, value });
      };
      // Sliders send while they move, at most every 50 ms; the final change goes at once.
      input.addEventListener('input', () => {
        touched = performance.now();
        if (!pending) pending = setTimeout(send, 50);
      });
      input.addEventListener('change', () => { touched = performance.now(); send(); });
      controlInputs.set(c.id, {
        // The server reports a value in effect (control_changed).
        apply(value) {
          known = inEffect = value;
          show();
        },
        // The server refused this page's change (or the camera did not answer): back to the value in effect.
        revert() {
          known = inEffect;
          show();
        },
      });
      label.append(input);
      ui.form.append(label);
    }
  }

  // A control_changed from the server: show the value, never send it back.
  function controlChanged(id, value) {
    controlInputs.get(id)?.apply(value);
  }

  // An error reply about a control starts with its id and ':' or '=' ("wb_mode=2: the board refused
  // it (HTTP 500)", "quality: 70 is outside 4..63"): that control goes back to the value in effect.
  // An error naming no control (a change dropped by the rate limit) puts every control back.
  function controlError(reason) {
    showError(reason);
    let named = null;
    for (const id of controlInputs.keys()) {
      const next = reason[id.length];
      if (reason.startsWith(id) && (next === ':' || next === '=') && (!named || id.length > named.length)) named = id;
    }
    if (named) controlInputs.get(named).revert();
    else controlInputs.forEach((c) => c.revert());
  }

  // The Codec choice (viewer_h264.js): what new views ask for; a change goes to every view.
  const codecSelect = new CodecSelect({
    select: ui.codec, note: ui.codecNote, params, views: () => [focused, ...tiles].filter(Boolean),
  });

  const codecLabel = (s) => (s.codec === 'h264' ? `H.264 ${s.codecString}`.trim() : s.codec === 'jpeg' ? 'JPEG' : '–');

  function focus(name, push = true) {
    tiles.forEach((t) => t.close());
    tiles = [];
    focused?.close();
    ui.grid.hidden = true;
    ui.focus.hidden = false;
    $('view-buttons').hidden = false;
    $('stream-name').textContent = name;
    document.title = `wscam · ${name}`;
    focused = new StreamView(name, $('video'), {
      codec: codecSelect.choice, onState: showState, onHello: renderControls, onControl: controlChanged,
      onError: controlError, onCodec: (v) => codecSelect.show(v),
    });
    codecSelect.show(focused);
    focused.setPaused(document.hidden || userPaused);
    window.wscamStats = focused.stats;
    if (push) history.pushState({ stream: name }, '', withToken(`/view/${encodeURIComponent(name)}`));
  }

  function showGrid(streams, push = true) {
    focused?.close();
    focused = null;
    ui.focus.hidden = true;
    ui.grid.hidden = false;
    $('view-buttons').hidden = true;
    $('btn-all').hidden = true;
    $('stream-name').textContent = `${streams.length} cameras`;
    ui.state.className = 'state';
    ui.state.textContent = '';
    ui.grid.replaceChildren();
    tiles = streams.map((s) => {
      const tile = document.createElement('button');
      tile.type = 'button';
      tile.className = 'tile';
      tile.title = `Open ${s.name}`;
      const canvas = document.createElement('canvas');
      const label = document.createElement('span');
      label.className = 'tile-label';
      label.textContent = s.name;
      const reason = document.createElement('span');
      reason.className = 'tile-reason';
      tile.append(canvas, reason, label);
      tile.onclick = () => { $('btn-all').hidden = false; focus(s.name); };
      ui.grid.append(tile);
      let note = '';  // why this tile is not H.264 when H.264 was chosen
      const view = new StreamView(s.name, canvas, {
        codec: codecSelect.choice,
        onState: (state, why) => {
          label.className = `tile-label ${state}`;
          label.title = [why || state, note].filter(Boolean).join('; ');
          reason.textContent = state === 'live' ? '' : why || state;
        },
        onCodec: (v) => {
          note = v.stats.codecNote;
          label.dataset.codec = v.stats.codec || '';
          label.title = [v.stats.reason || v.stats.state, note].filter(Boolean).join('; ');
        },
      });
      view.setPaused(document.hidden);  // a grid opened in a hidden tab starts paused
      return view;
    });
    if (push) history.pushState({ grid: true }, '', withToken('/'));
  }

  let streams = [];
  async function start() {
    await codecSelect.choose();
    const viewMatch = location.pathname.match(/^\/view\/([A-Za-z0-9_-]{1,64})$/);
    const wanted = params.get('stream') || (viewMatch && viewMatch[1]);
    try {
      const res = await fetch(withToken('/api/streams'));
      if (res.ok) streams = (await res.json()).streams;
      else if (res.status === 401) return showState('closed', 'this server needs a token: add ?token=… to the address');
    } catch { /* the WebSocket will say what is wrong */ }
    if (wanted || streams.length <= 1) {
      $('btn-all').hidden = streams.length <= 1;
      focus(wanted || streams[0]?.name || 'default', false);
    } else {
      showGrid(streams, false);
    }
  }
  window.addEventListener('popstate', () => {
    const m = location.pathname.match(/^\/view\/([A-Za-z0-9_-]{1,64})$/);
    if (m) focus(m[1], false); else if (streams.length > 1) showGrid(streams, false);
  });
  $('btn-all').onclick = () => showGrid(streams);

  function setPaused() {
    const paused = document.hidden || userPaused;
    $('btn-pause').textContent = userPaused ? 'Resume' : 'Pause';
    focused?.setPaused(paused);
    tiles.forEach((t) => t.setPaused(document.hidden));
  }
  document.addEventListener('visibilitychange', setPaused);

  function togglePause() { userPaused = !userPaused; setPaused(); }
  function toggleFullscreen() {
    if (document.fullscreenElement) document.exitFullscreen();
    else ui.stage.requestFullscreen().catch(() => {});
  }
  // Saves the newest JPEG as it came; with H.264 (no JPEG to save) the picture on the canvas.
  function snapshot() {
    const view = focused;
    const save = (blob, sequence) => {
      if (!blob) return;
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = `wscam-${view.stream}-${sequence}.jpg`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    };
    if (view?.stats.codec === 'h264') {
      const sequence = view.paintedMeta?.sequence;
      if (sequence !== undefined) view.canvas.toBlob((blob) => save(blob, sequence), 'image/jpeg', 0.92);
    } else if (view?.lastBlob) {
      save(view.lastBlob, view.lastMeta.sequence);
    }
  }
  function toggleFit() {
    const fill = ui.stage.classList.toggle('fill');
    ui.stage.classList.toggle('fit', !fill);
    $('btn-fit').textContent = fill ? 'Fit' : 'Fill';
  }
  function toggleStats() {
    ui.stats.hidden = !ui.stats.hidden;
    $('btn-stats').setAttribute('aria-pressed', String(!ui.stats.hidden));
  }
  function toggleControls() {
    ui.controls.hidden = !ui.controls.hidden;
    $('btn-controls').setAttribute('aria-pressed', String(!ui.controls.hidden));
  }

  $('btn-pause').onclick = togglePause;
  $('btn-fullscreen').onclick = toggleFullscreen;
  $('btn-snapshot').onclick = snapshot;
  $('btn-fit').onclick = toggleFit;
  $('btn-stats').onclick = toggleStats;
  $('btn-controls').onclick = toggleControls;
  ui.codec.onchange = () => codecSelect.changed();
  document.addEventListener('keydown', (e) => {
    if (e.target.closest('input, textarea, select') || e.ctrlKey || e.metaKey || e.altKey || !focused) return;
    if (e.key === 'f') toggleFullscreen();
    else if (e.key === 's') snapshot();
    else if (e.key === ' ') { e.preventDefault(); togglePause(); }
  });

  const show = (id, text) => { $(id).textContent = text; };
  setInterval(() => {
    tiles.forEach((t) => t.refresh());
    if (!focused) return;
    focused.refresh();
    const s = focused.stats;
    show('s-codec', codecLabel(s));
    show('s-fps', s.fps.toFixed(0));
    show('s-size', s.width ? `${s.width}×${s.height}` : '–');
    show('s-rate', s.kbps.toFixed(0));
    show('s-latency', s.latencyP50Ms === null ? '–' : `${s.latencyP50Ms.toFixed(1)} ms`);
    show('s-clock', s.clockUncertaintyUs === null ? '–' : `±${(s.clockUncertaintyUs / 1000).toFixed(1)} ms`);
    show('s-frames', String(s.framesPainted));
    show('s-dropped', `${s.serverDropped} / ${s.clientDropped}`);
  }, 500);

  start();
})();
