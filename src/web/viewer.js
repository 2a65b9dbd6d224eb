// wscam viewer: one WebSocket per stream (subprotocol wscam.v1), JPEGs decoded off the main
// thread with createImageBitmap and painted on a canvas; only the newest frame is ever drawn.
'use strict';

(() => {
  const HEADER_MIN = 32;
  const $ = (id) => document.getElementById(id);
  const canvas = $('video');
  const ctx = canvas.getContext('2d', { alpha: false });
  const ui = {
    state: $('state'), message: $('message'), stage: $('stage'), stats: $('stats'),
    fps: $('s-fps'), size: $('s-size'), rate: $('s-rate'), latency: $('s-latency'), clock: $('s-clock'),
    frames: $('s-frames'), dropped: $('s-dropped'),
  };

  const params = new URLSearchParams(location.search);
  const viewMatch = location.pathname.match(/^\/view\/([A-Za-z0-9_-]{1,64})$/);
  const stream = params.get('stream') || (viewMatch && viewMatch[1]) || 'default';
  $('stream-name').textContent = stream;
  document.title = `wscam · ${stream}`;

  // Client time in microseconds since the epoch, sub-millisecond where the browser allows.
  const nowUs = () => (performance.timeOrigin + performance.now()) * 1000;

  // Everything the page knows, exposed for people (devtools) and tests.
  const stats = window.wscamStats = {
    stream, state: 'connecting', reason: '', framesReceived: 0, framesPainted: 0, lastSequence: 0,
    serverDropped: 0, clientDropped: 0, fps: 0, kbps: 0, width: 0, height: 0,
    latencyMs: null, latencyP50Ms: null, clockOffsetUs: null, clockUncertaintyUs: null,
    paused: false, connects: 0,
  };

  let ws = null;
  let retry = 0;
  let retryTimer = null;
  let pingTimer = null;
  let pingId = 0;
  let clockSamples = [];       // {offset, rtt}
  let decoding = false;        // a createImageBitmap is under way
  let queued = null;           // newest frame waiting for the decoder {blob, meta}
  let ready = null;            // newest decoded frame waiting for paint {bitmap, meta}
  let lastBlob = null;         // for snapshots
  let lastMeta = null;
  let byteWindow = [];         // [time ms, bytes]
  let paintWindow = [];        // time ms of paints
  let latencyWindow = [];

  function setState(state, text) {
    stats.state = state;
    stats.reason = text || '';
    ui.state.className = `state ${state}`;
    ui.state.textContent = text ? `${state}: ${text}` : state;
    const showMessage = state !== 'live';
    ui.message.hidden = !showMessage;
    ui.message.textContent = showMessage ? ui.state.textContent : '';
  }

  function wsUrl() {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${proto}//${location.host}/ws/${encodeURIComponent(stream)}`;
  }

  function connect() {
    clearTimeout(retryTimer);
    setState(retry ? 'reconnecting' : 'connecting');
    ws = new WebSocket(wsUrl(), ['wscam.v1']);
    ws.binaryType = 'arraybuffer';
    ws.onopen = onOpen;
    ws.onmessage = onMessage;
    ws.onclose = onClose;
  }

  function onOpen() {
    stats.connects++;
    clockSamples = [];
    // A burst of pings first so the clock offset settles quickly, then one every 2 s.
    let n = 0;
    const ping = () => {
      if (!ws || ws.readyState !== WebSocket.OPEN) return;
      ws.send(JSON.stringify({ type: 'ping', id: ++pingId, t: nowUs() }));
      pingTimer = setTimeout(ping, ++n < 5 ? 200 : 2000);
    };
    ping();
    if (document.hidden) sendPause(true);
  }

  function onClose(ev) {
    clearTimeout(pingTimer);
    ws = null;
    const delay = Math.min(10000, 500 * 2 ** retry) * (0.7 + Math.random() * 0.6);
    retry++;
    const why = ev.code === 1001 ? 'server went away' : ev.reason || `connection closed (${ev.code})`;
    let left = Math.ceil(delay / 1000);
    const tick = () => {
      setState('reconnecting', `${why}; retrying in ${left} s`);
      if (left-- > 0) retryTimer = setTimeout(tick, 1000);
    };
    tick();
    retryTimer = setTimeout(connect, delay);
  }

  function onMessage(ev) {
    if (typeof ev.data === 'string') return onText(ev.data);
    const buf = ev.data;
    const view = new DataView(buf);
    if (buf.byteLength < HEADER_MIN || view.getUint8(0) !== 1) return;
    const headerLen = view.getUint8(1);
    const meta = {
      width: view.getUint16(2), height: view.getUint16(4),
      sequence: Number(view.getBigUint64(8)), captureUs: Number(view.getBigInt64(16)),
      receivedUs: nowUs(), bytes: buf.byteLength,
    };
    if (stats.lastSequence && meta.sequence > stats.lastSequence + 1)
      stats.serverDropped += meta.sequence - stats.lastSequence - 1;
    stats.lastSequence = meta.sequence;
    stats.framesReceived++;
    byteWindow.push([performance.now(), buf.byteLength]);
    if (stats.state !== 'live') { retry = 0; setState('live'); }
    const blob = new Blob([new Uint8Array(buf, headerLen)], { type: 'image/jpeg' });
    lastBlob = blob;
    lastMeta = meta;
    if (queued) stats.clientDropped++;
    queued = { blob, meta };
    decodeNext();
  }

  function decodeNext() {
    if (decoding || !queued) return;
    const { blob, meta } = queued;
    queued = null;
    decoding = true;
    createImageBitmap(blob).then((bitmap) => {
      if (ready) { ready.bitmap.close(); stats.clientDropped++; }
      ready = { bitmap, meta };
      requestAnimationFrame(paint);
    }).catch(() => { /* a damaged frame: skip it */ }).finally(() => {
      decoding = false;
      decodeNext();
    });
  }

  function paint() {
    if (!ready) return;
    const { bitmap, meta } = ready;
    ready = null;
    if (canvas.width !== bitmap.width || canvas.height !== bitmap.height) {
      canvas.width = bitmap.width;
      canvas.height = bitmap.height;
    }
    ctx.drawImage(bitmap, 0, 0);
    bitmap.close();
    stats.framesPainted++;
    stats.width = meta.width;
    stats.height = meta.height;
    paintWindow.push(performance.now());
    if (stats.clockOffsetUs !== null) {
      const latency = (nowUs() + stats.clockOffsetUs - meta.captureUs) / 1000;
      stats.latencyMs = latency;
      latencyWindow.push(latency);
      if (latencyWindow.length > 90) latencyWindow.shift();
    }
  }

  function onText(text) {
    let msg;
    try { msg = JSON.parse(text); } catch { return; }
    if (msg.type === 'pong') {
      const t1 = nowUs();
      const rtt = t1 - msg.t;
      // Server time was read about half-way through the round trip.
      clockSamples.push({ offset: msg.server_time_us - (msg.t + t1) / 2, rtt });
      if (clockSamples.length > 20) clockSamples.shift();
      const best = clockSamples.reduce((a, b) => (b.rtt < a.rtt ? b : a));
      stats.clockOffsetUs = best.offset;
      stats.clockUncertaintyUs = best.rtt / 2;
    } else if (msg.type === 'hello') {
      if (!msg.online) setState('offline', msg.reason || 'source offline');
    } else if (msg.type === 'status') {
      if (msg.state === 'offline') setState('offline', msg.reason || 'source offline');
      else if (stats.state === 'offline') setState('live');
    }
  }

  function sendPause(paused) {
    stats.paused = paused;
    $('btn-pause').textContent = paused ? 'Resume' : 'Pause';
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: paused ? 'pause' : 'resume' }));
  }

  let userPaused = false;
  document.addEventListener('visibilitychange', () => sendPause(document.hidden || userPaused));

  function togglePause() { userPaused = !userPaused; sendPause(userPaused); }
  function toggleFullscreen() {
    if (document.fullscreenElement) document.exitFullscreen();
    else ui.stage.requestFullscreen().catch(() => {});
  }
  function snapshot() {
    if (!lastBlob) return;
    const a = document.createElement('a');
    a.href = URL.createObjectURL(lastBlob);
    a.download = `wscam-${stream}-${lastMeta.sequence}.jpg`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
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

  $('btn-pause').onclick = togglePause;
  $('btn-fullscreen').onclick = toggleFullscreen;
  $('btn-snapshot').onclick = snapshot;
  $('btn-fit').onclick = toggleFit;
  $('btn-stats').onclick = toggleStats;
  document.addEventListener('keydown', (e) => {
    if (e.target.closest('input, textarea, select') || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === 'f') toggleFullscreen();
    else if (e.key === 's') snapshot();
    else if (e.key === ' ') { e.preventDefault(); togglePause(); }
  });

  function percentile(values, p) {
    if (!values.length) return null;
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  }

  // The overlay updates twice a second from sliding one-second windows.
  setInterval(() => {
    const now = performance.now();
    paintWindow = paintWindow.filter((t) => now - t <= 1000);
    byteWindow = byteWindow.filter(([t]) => now - t <= 1000);
    stats.fps = paintWindow.length;
    stats.kbps = byteWindow.reduce((sum, [, b]) => sum + b, 0) * 8 / 1000;
    stats.latencyP50Ms = percentile(latencyWindow, 0.5);
    ui.fps.textContent = stats.fps.toFixed(0);
    ui.size.textContent = stats.width ? `${stats.width}×${stats.height}` : '–';
    ui.rate.textContent = stats.kbps.toFixed(0);
    ui.latency.textContent = stats.latencyP50Ms === null ? '–' : `${stats.latencyP50Ms.toFixed(1)} ms`;
    ui.clock.textContent = stats.clockUncertaintyUs === null ? '–' : `±${(stats.clockUncertaintyUs / 1000).toFixed(1)} ms`;
    ui.frames.textContent = String(stats.framesPainted);
    ui.dropped.textContent = `${stats.serverDropped} / ${stats.clientDropped}`;
  }, 500);

  connect();
})();
