// <wscam-player>: a wscam camera in any page, as a custom element. An ES module served by wscam
// (no build step); the page that uses it imports it from the camera's server:
//
//   <script type="module" src="http://192.168.1.20:8080/player.js"></script>
//   <wscam-player stream="porch" token="…" codec="auto" fit="contain" stats controls></wscam-player>
//
// Attributes (a change takes effect at once):
//   server    the wscam server, e.g. https://cam.example:8443 (default: the one that served this file)
//   stream    the stream's name (default: default)
//   token     the stream's view token, if it needs one
//   codec     auto (the best this browser has: WebCodecs, MSE, JPEG), h264, mse or jpeg
//   fit       contain (default: the whole picture) or cover (the element filled, edges cut)
//   stats     present: codec, fps, latency over the picture
//   controls  present: pause, snapshot and fullscreen buttons
//   muted     accepted for <video>-like markup; wscam streams carry no sound
// Events: `online`, `offline` (detail.reason), `error` (detail.reason: why it cannot play, such as
// a page whose origin the server does not allow). element.stats is what it shows (StreamView's).
//
// Another site's page: the server must allow its origin (--allow-origin https://shop.example);
// otherwise every WebSocket it opens is refused and the player says so, with the option to set.
// <wscam-grid> lays out the players in it as the viewer's grid does (grid_layout.js).
//
// Each player is one StreamView (stream_view.js): its own WebSocket, decoder and canvas, paused
// while the page is hidden; 16 on a page are 16 of each.

import { StreamView } from './stream_view.js';
import { detectCodecs } from './view_codec.js';
import { commonAspect, fitGrid } from './grid_layout.js';

const codecsKnown = detectCodecs();
const CODECS = ['auto', 'h264', 'mse', 'jpeg'];
const HERE = new URL('.', import.meta.url);  // the server that served this module

const STYLE = `
  :host { display: block; position: relative; background: #000; color: #eee; font: 13px/1.4 system-ui, sans-serif;
    aspect-ratio: 4 / 3; overflow: hidden; contain: content; }
  :host([hidden]) { display: none; }
  canvas { display: block; width: 100%; height: 100%; object-fit: contain; }
  :host([fit="cover"]) canvas { object-fit: cover; }
  .message { position: absolute; inset: auto .5rem 45% .5rem; text-align: center; text-shadow: 0 0 4px #000; }
  .stats { position: absolute; top: .3rem; left: .3rem; margin: 0; padding: .2rem .4rem; border-radius: .25rem;
    background: rgba(0,0,0,.6); font: 11px/1.4 ui-monospace, monospace; white-space: pre; }
  .bar { position: absolute; right: .3rem; bottom: .3rem; display: flex; gap: .3rem; }
  button { background: rgba(30,30,30,.8); color: #eee; border: 1px solid #555; border-radius: .25rem; padding: .2rem .5rem;
    font: inherit; cursor: pointer; }
  button:hover, button:focus-visible { border-color: #4caf50; outline: none; }
  [hidden] { display: none !important; }`;

export class WscamPlayer extends HTMLElement {
  static observedAttributes = ['server', 'stream', 'token', 'codec', 'fit', 'stats', 'controls'];

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    root.innerHTML = `<style>${STYLE}</style><canvas part="picture" aria-label="live camera picture"></canvas>
      <div class="message" part="message" role="status"></div><div class="stats" part="stats" hidden></div>
      <div class="bar" part="controls" hidden><button data-act="pause" type="button">Pause</button>
      <button data-act="snapshot" type="button">Snapshot</button><button data-act="fullscreen" type="button">Fullscreen</button></div>`;
    this.canvas = root.querySelector('canvas');
    this.messageBox = root.querySelector('.message');
    this.statsBox = root.querySelector('.stats');
    this.bar = root.querySelector('.bar');
    this.bar.addEventListener('click', (e) => this.act(e.target.dataset?.act));
    this.view = null;
    this.userPaused = false;
    this.onVisibility = () => this.applyPause();
  }

  /** The stream's statistics (fps, latency, codec…), as the viewer page shows them. */
  get stats() { return this.view ? { ...this.view.stats } : null; }

  get serverUrl() {
    try {
      return new URL(this.getAttribute('server') || HERE, HERE);
    } catch {
      return null;
    }
  }

  connectedCallback() {
    document.addEventListener('visibilitychange', this.onVisibility);
    this.timer = setInterval(() => this.refresh(), 500);
    this.show();
    this.start();
  }

  disconnectedCallback() {
    document.removeEventListener('visibilitychange', this.onVisibility);
    clearInterval(this.timer);
    this.view?.close();
    this.view = null;
  }

  attributeChangedCallback(name, before, after) {
    if (!this.isConnected || before === after) return;
    if (name === 'codec' && this.view) this.view.codec.set(this.codecChoice());
    else if (['server', 'stream', 'token'].includes(name)) this.start();
    else this.show();
  }

  codecChoice() {
    const c = (this.getAttribute('codec') || 'auto').toLowerCase();
    return CODECS.includes(c) ? c : 'auto';
  }

  // A new StreamView for the attributes now (the codecs this browser has are known first).
  async start() {
    this.view?.close();
    this.view = null;
    await codecsKnown;
    if (!this.isConnected || this.view) return;
    const server = this.serverUrl;
    if (!server || !/^https?:$/.test(server.protocol)) return this.refused(`server="${this.getAttribute('server')}" is no http(s) address`);
    const stream = this.getAttribute('stream') || 'default';
    const token = this.getAttribute('token') || '';
    this.everLive = false;
    this.originChecked = false;
    this.view = new StreamView(stream, this.canvas, {
      codec: this.codecChoice(),
      socketUrl: (name, query) => {
        const url = new URL(`ws/${encodeURIComponent(name)}${query}`, server);
        url.protocol = server.protocol === 'https:' ? 'wss:' : 'ws:';
        if (token) url.searchParams.set('token', token);
        return url.href;
      },
      onState: (state, reason) => this.stateChanged(state, reason),
      onError: (reason) => this.fire('error', reason),
    });
    this.applyPause();
  }

  stateChanged(state, reason) {
    const live = state === 'live';
    this.messageBox.textContent = live ? '' : reason ? `${state}: ${reason}` : state;
    if (live && !this.wasLive) this.fire('online');
    if (!live && this.wasLive) this.fire('offline', reason || state);
    if (live) this.everLive = true;
    this.wasLive = live;
    // A socket that never opens: a browser hides why (a 403 for this page's origin, a 401 for the
    // token, a server that is down). The server answers /api/origin to any page: ask it once.
    if (state === 'reconnecting' && !this.everLive && !this.originChecked) this.checkOrigin();
  }

  async checkOrigin() {
    this.originChecked = true;
    const server = this.serverUrl;
    try {
      const res = await fetch(new URL('api/origin', server), { cache: 'no-store' });
      const answer = await res.json();
      if (answer.allowed === false) return this.refused(answer.reason);
      if (this.view && !this.everLive) {
        this.fire('error', `cannot watch "${this.view.stream}" at ${server.origin}: a wrong or missing token, or no such stream`);
      }
    } catch {
      if (this.view && !this.everLive) this.fire('error', `cannot reach ${server.origin}`);
    }
  }

  // It cannot play: said on the picture and in an `error` event; no more tries.
  refused(reason) {
    this.view?.close();
    this.view = null;
    this.messageBox.textContent = reason;
    this.fire('error', reason);
  }

  fire(type, reason) {
    this.dispatchEvent(new CustomEvent(type, { detail: reason === undefined ? {} : { reason } }));
  }

  show() {
    this.statsBox.hidden = !this.hasAttribute('stats');
    this.bar.hidden = !this.hasAttribute('controls');
  }

  applyPause() {
    this.view?.setPaused(document.hidden || this.userPaused);
    this.bar.querySelector('[data-act="pause"]').textContent = this.userPaused ? 'Resume' : 'Pause';
  }

  act(what) {
    if (what === 'pause') {
      this.userPaused = !this.userPaused;
      this.applyPause();
    } else if (what === 'fullscreen') {
      if (document.fullscreenElement) document.exitFullscreen(); else this.requestFullscreen().catch(() => {});
    } else if (what === 'snapshot' && this.view?.stats.framesPainted) {
      this.canvas.toBlob((blob) => {
        const a = document.createElement('a');
        a.href = URL.createObjectURL(blob);
        a.download = `wscam-${this.view.stream}-${this.view.paintedMeta?.sequence ?? 0}.jpg`;
        a.click();
        setTimeout(() => URL.revokeObjectURL(a.href), 1000);
      }, 'image/jpeg', 0.92);
    }
  }

  refresh() {
    if (!this.view) return;
    this.view.refresh();
    if (this.statsBox.hidden) return;
    const s = this.view.stats;
    const codec = s.codec === 'h264' ? `H.264 ${s.h264Path === 'mse' ? 'MSE' : 'WebCodecs'}` : s.codec === 'jpeg' ? 'JPEG' : '–';
    const latency = s.latencyP50Ms === null ? '–' : `${s.latencyP50Ms.toFixed(0)} ms`;
    this.statsBox.textContent = `${codec}  ${s.fps} fps  ${s.width}×${s.height}  ${latency}`;
  }
}

/**
 * <wscam-grid>: the <wscam-player>s in it as large as they fit, at their pictures' aspect, with
 * nothing to scroll (grid_layout.js); on a narrow screen, one under the other. Attribute `gap`
 * (pixels, default 6).
 */
export class WscamGrid extends HTMLElement {
  connectedCallback() {
    this.style.display = 'grid';
    this.style.justifyContent = 'center';
    this.style.alignContent = 'center';
    this.observer = new ResizeObserver(() => this.fit());
    this.observer.observe(this);
    this.timer = setInterval(() => this.fit(), 1000);  // pictures' sizes become known as they play
  }

  disconnectedCallback() {
    this.observer?.disconnect();
    clearInterval(this.timer);
  }

  fit() {
    const players = [...this.children].filter((c) => c instanceof WscamPlayer);
    this.style.gap = `${Number(this.getAttribute('gap') ?? 6)}px`;
    const aspect = commonAspect(players.map((p) => p.stats || {}));
    if (fitGrid(this, aspect, players)) return;
    // Narrow: one under the other, full width, at the pictures' aspect.
    this.style.gridTemplateColumns = '1fr';
    for (const p of players) p.style.aspectRatio = String(aspect);
  }
}

if (!customElements.get('wscam-player')) customElements.define('wscam-player', WscamPlayer);
if (!customElements.get('wscam-grid')) customElements.define('wscam-grid', WscamGrid);
