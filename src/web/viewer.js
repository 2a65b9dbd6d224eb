// wscam viewer, the page: one stream is a full view with statistics and controls; several are a
// grid of tiles, click to focus. Each camera is a StreamView (stream_view.js); this module decides
// which are on the page (the address, /api/streams, history), wires the header's buttons and keys
// to the focused one, and refreshes the statistics. Loaded by index.html as <script type="module">;
// the rest of the page's modules it imports (index.html preloads them all).
//
// The Codec choice (Auto by default, or ?codec=auto|h264|mse|jpeg) decides how a view gets the
// picture (view_codec.js): H.264 decoded with WebCodecs (`?codec=h264`, viewer_h264.js) where the
// page is a secure context, else H.264 as fMP4 played through Media Source Extensions
// (`?codec=fmp4`, viewer_mse.js), else JPEG; every path paints on the same canvas.

import { params, streamInPath, viewPath, withToken } from './page_address.js';
import { StreamView } from './stream_view.js';
import { addTile } from './stream_grid.js';
import { commonAspect, fitGrid, watchGrid } from './grid_layout.js';
import { CodecSelect } from './codec_select.js';
import { ControlsPanel } from './controls_panel.js';
import { showStats } from './stats_panel.js';
import { saveSnapshot } from './snapshot.js';
import { PlaybackBar } from './playback_bar.js';

const $ = (id) => document.getElementById(id);
const ui = {
  state: $('state'), message: $('message'), stage: $('stage'), stats: $('stats'), grid: $('grid'),
  focus: $('focus'), codec: $('codec'), codecNote: $('codec-note'),
};
let focused = null;   // the StreamView shown large
let tiles = [];       // StreamViews in the grid
let userPaused = false;
let streams = [];     // the server's cameras (/api/streams)
let playback = null;  // the focused stream's recordings bar (playback_bar.js)

// Test and debug hooks, on window on purpose (the browser tests and bench/browser read them):
// window.wscamStats is the focused view's stats (set in focus(); empty until the stream list has
// come and a view exists), window.wscamTiles() a copy of each tile's.
window.wscamStats = {};
window.wscamTiles = () => tiles.map((t) => ({ ...t.stats }));

function showState(state, reason) {
  const text = reason ? `${state}: ${reason}` : state;
  ui.state.className = `state ${state}`;
  ui.state.textContent = text;
  const quiet = state === 'live' || state === 'past';  // a picture is on screen: nothing over it
  ui.message.hidden = quiet;
  ui.message.textContent = quiet ? '' : text;
}

const controls = new ControlsPanel({
  panel: $('controls'), form: $('controls-form'), error: $('control-error'), button: $('btn-controls'),
  send: (message) => focused?.send(message),
});

// The Codec choice (codec_select.js): what new views ask for; a change goes to every view.
const codecSelect = new CodecSelect({
  select: ui.codec, note: ui.codecNote, params, views: () => [focused, ...tiles].filter(Boolean),
});

const playbackUi = {
  root: $('playback'), timeline: $('timeline'), timelineCanvas: $('timeline-canvas'), label: $('timeline-label'),
  span: $('btn-span'), play: $('btn-play'), step: $('btn-step'), speed: $('speed'), speedLabel: $('speed-label'),
  time: $('playback-time'), live: $('btn-live'),
};

/** The motion indicator on the focused picture: while a motion event of its stream goes on. */
function showMotion(on) {
  $('motion').hidden = !on;
}

// The past plays on the focused view's canvas (or a <video>): its live pictures pause meanwhile.
function openPlayback(name) {
  playback?.close();
  playback = new PlaybackBar(playbackUi, name, {
    canvas: $('video'), video: $('playback-video'),
    // The live statistics say nothing about the past: hidden while it plays.
    onPast: () => { focused?.setPaused(true); ui.stage.classList.add('past'); showState('past', 'a recording plays'); },
    onLive: () => {
      ui.stage.classList.remove('past');
      setPaused();
      if (focused) showState(focused.stats.state, focused.stats.reason);
    },
    onError: (reason) => { ui.codecNote.hidden = false; ui.codecNote.textContent = reason; },
  });
}

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
    codec: codecSelect.choice, onState: (state, reason) => { if (!playback?.past) showState(state, reason); },
    onHello: (hello) => controls.render(hello),
    onControl: (id, value) => controls.changed(id, value), onError: (reason) => controls.refused(reason),
    onCodec: (v) => codecSelect.show(v),
    onEvent: (msg) => { showMotion(msg.state === 'start'); playback?.noteEvent(msg.event); },
  });
  showMotion(false);
  codecSelect.show(focused);
  focused.setPaused(document.hidden || userPaused);
  window.wscamStats = focused.stats;  // the test hook (above)
  openPlayback(name);
  if (push) history.pushState({ stream: name }, '', withToken(viewPath(name)));
}

// The grid's tiles fill the page at the pictures' aspect (grid_layout.js): the aspect the tiles'
// pictures have once they play, the server's sizes before.
const gridAspect = () => commonAspect(tiles.map((t) => (t.stats.width ? t.stats : streams.find((s) => s.name === t.stream) || {})));
let gridAspectNow = 0;
function refitGrid() {
  gridAspectNow = gridAspect();
  fitGrid(ui.grid, gridAspectNow);
}
watchGrid(ui.grid, gridAspect);

function showGrid(push = true) {
  focused?.close();
  focused = null;
  showMotion(false);
  playback?.close();
  playback = null;
  ui.focus.hidden = true;
  ui.grid.hidden = false;
  $('view-buttons').hidden = true;
  $('btn-all').hidden = true;
  $('stream-name').textContent = `${streams.length} cameras`;
  ui.state.className = 'state';
  ui.state.textContent = '';
  ui.grid.replaceChildren();
  tiles = streams.map((s) => addTile(ui.grid, s.name, {
    codec: codecSelect.choice,
    onOpen: () => { $('btn-all').hidden = false; focus(s.name); },
  }));
  refitGrid();
  if (push) history.pushState({ grid: true }, '', withToken('/'));
}

// The camera the address names (?stream=, /view/NAME), else the only one, else the grid.
async function start() {
  await codecSelect.choose();
  const wanted = params.get('stream') || streamInPath(location.pathname);
  try {
    const res = await fetch(withToken('/api/streams'));
    if (res.ok) streams = (await res.json()).streams;
    else if (res.status === 401) return showState('closed', 'this server needs a token: add ?token=… to the address');
  } catch { /* the WebSocket will say what is wrong */ }
  if (wanted || streams.length <= 1) {
    $('btn-all').hidden = streams.length <= 1;
    focus(wanted || streams[0]?.name || 'default', false);
  } else {
    showGrid(false);
  }
}
window.addEventListener('popstate', () => {
  const name = streamInPath(location.pathname);
  if (name) focus(name, false); else if (streams.length > 1) showGrid(false);
});

// A hidden tab pauses every view; the Pause button only the focused one.
function setPaused() {
  const paused = document.hidden || userPaused || Boolean(playback?.past);
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
function toggleFit() {
  const fill = ui.stage.classList.toggle('fill');
  ui.stage.classList.toggle('fit', !fill);
  $('btn-fit').textContent = fill ? 'Fit' : 'Fill';
}
function toggleStats() {
  ui.stats.hidden = !ui.stats.hidden;
  $('btn-stats').setAttribute('aria-pressed', String(!ui.stats.hidden));
}

$('btn-all').onclick = () => showGrid();
$('btn-pause').onclick = togglePause;
$('btn-fullscreen').onclick = toggleFullscreen;
$('btn-snapshot').onclick = () => saveSnapshot(focused);
$('btn-fit').onclick = toggleFit;
$('btn-stats').onclick = toggleStats;
$('btn-controls').onclick = () => controls.toggle();
ui.codec.onchange = () => codecSelect.changed();
document.addEventListener('keydown', (e) => {
  if (e.target.closest('input, textarea, select') || e.ctrlKey || e.metaKey || e.altKey || !focused) return;
  if (playback?.key(e)) return;
  if (e.key === 'f') toggleFullscreen();
  else if (e.key === 's') saveSnapshot(focused);
  else if (e.key === ' ') { e.preventDefault(); togglePause(); }
});

setInterval(() => {
  tiles.forEach((t) => t.refresh());
  if (tiles.length && gridAspect() !== gridAspectNow) refitGrid();
  if (!focused) return;
  focused.refresh();
  showStats(focused.stats, streams.find((s) => s.name === focused.stream)?.rtsp?.url || '');
}, 500);

start();
