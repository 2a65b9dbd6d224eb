// wscam viewer, the timeline of a recorded stream: a bar under the picture spanning the last
// hour (or 6 h, 24 h), recordings drawn where they are, gaps left dark, the picture on screen
// marked. A person drags along it (or clicks, or uses the arrow keys) and lets go: onSeek gets
// that time. The list comes from /api/recordings/NAME (docs/PROTOCOL.md, "Recordings") and is
// read again every 10 s, so the bar grows with the recording. Motion events (/api/events/NAME)
// are marked above it; a click on a mark plays the event from its pre-roll: up to 5 s before its
// start, as far back as the recording goes.

import { withToken } from './page_address.js';

const SPANS = [3600e6, 6 * 3600e6, 24 * 3600e6];  // µs
const SPAN_NAMES = ['1 h', '6 h', '24 h'];

const two = (n) => String(n).padStart(2, '0');
/** Local time of `us` as 14:05 or 14:05:09, or with milliseconds 14:05:09.517 (24-hour: no AM/PM inside a time). */
export function timeText(us, withSeconds = true, withMillis = false) {
  const d = new Date(Math.floor(us / 1000));
  let text = `${two(d.getHours())}:${two(d.getMinutes())}`;
  if (withSeconds) text += `:${two(d.getSeconds())}`;
  if (withMillis) text += `.${String(d.getMilliseconds()).padStart(3, '0')}`;
  return text;
}

export class RecordingTimeline {
  constructor({ bar, canvas, label, spanButton, stream, onSeek, onList }) {
    Object.assign(this, { bar, canvas, label, spanButton, stream, onSeek, onList });
    this.span = 0;
    this.segments = [];   // [{start, end, url, codec, writing}] in µs
    this.events = [];     // [{id, start, end}] in µs: motion events (end null while it goes on)
    this.playhead = null; // µs of the picture on screen in the past; null: live
    this.hover = null;
    this.dragging = false;
    this.closed = false;
    bar.onpointerdown = (e) => { this.dragging = true; bar.setPointerCapture(e.pointerId); this.hover = this.timeAt(e); this.draw(); };
    bar.onpointermove = (e) => { this.hover = this.timeAt(e); this.draw(); };
    bar.onpointerup = (e) => {
      if (!this.dragging) return;
      this.dragging = false;
      const mark = this.markAt(e);
      this.onSeek(mark ? this.prerollOf(mark) : this.timeAt(e));
    };
    bar.onpointerleave = () => { if (!this.dragging) { this.hover = null; this.draw(); } };
    bar.onkeydown = (e) => {
      const step = e.shiftKey ? 60e6 : 10e6;
      if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
      e.preventDefault();
      const from = this.playhead ?? Date.now() * 1000;
      this.onSeek(Math.min(Date.now() * 1000, from + (e.key === 'ArrowLeft' ? -step : step)));
    };
    spanButton.onclick = () => {
      this.span = (this.span + 1) % SPANS.length;
      spanButton.textContent = SPAN_NAMES[this.span];
      this.load();
    };
    this.resize = new ResizeObserver(() => this.draw());
    this.resize.observe(bar);
    this.load();
    this.timer = setInterval(() => this.load(), 10000);
  }

  /** The window shown: [now - span, now], in µs. */
  window() {
    const now = Date.now() * 1000;
    return { from: now - SPANS[this.span], to: now };
  }

  timeAt(e) {
    const r = this.bar.getBoundingClientRect();
    const { from, to } = this.window();
    const x = Math.min(Math.max(e.clientX - r.left, 0), r.width);
    return Math.round(from + (x / r.width) * (to - from));
  }

  /** The event whose mark is under the pointer (4 px either side), or null. */
  markAt(e) {
    const r = this.bar.getBoundingClientRect();
    const { from, to } = this.window();
    const px = (us) => ((us - from) / (to - from)) * r.width;
    const x = e.clientX - r.left;
    return this.events.find((ev) => x >= px(ev.start) - 4 && x <= px(ev.end ?? to) + 4) || null;
  }

  /** Where an event's playback starts: 5 s before it, or the start of the recording that holds it. */
  prerollOf(ev) {
    const wanted = ev.start - 5e6;
    const holding = this.segments.find((s) => s.start <= ev.start && s.end >= ev.start);
    return holding ? Math.max(wanted, holding.start) : wanted;
  }

  /** A motion event started or ended (the viewers' `event` message): marked at once. */
  noteEvent(event) {
    const mark = { id: event.id, start: event.start_us, end: event.end_us ?? null };
    this.events = [mark, ...this.events.filter((ev) => ev.id !== mark.id)];
    this.draw();
  }

  async loadEvents(from, to) {
    const res = await fetch(withToken(`/api/events/${encodeURIComponent(this.stream)}?from=${from / 1e6}&to=${to / 1e6}&limit=1000`));
    if (!res.ok || this.closed) return;  // 404: this server keeps no events
    const body = await res.json();
    this.events = body.events.map((ev) => ({ id: ev.id, start: ev.start_us, end: ev.end_us }));
  }

  async load() {
    const { from, to } = this.window();
    try {
      await this.loadEvents(from, to);
      const res = await fetch(withToken(`/api/recordings/${encodeURIComponent(this.stream)}?from=${from / 1e6}&to=${to / 1e6}`));
      if (!res.ok || this.closed) return;
      const body = await res.json();
      this.segments = body.segments.map((s) => ({
        name: s.name, url: s.url, codec: s.codec, start: Math.round(s.start * 1e6), end: Math.round(s.end * 1e6), writing: s.writing,
      }));
      this.onList(this.segments);
      this.draw();
    } catch { /* the next load tries again */ }
  }

  /** The picture on screen is from `us` (null: live). */
  setPlayhead(us) {
    this.playhead = us;
    this.draw();
  }

  draw() {
    const { canvas, bar } = this;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(bar.clientWidth * dpr)), h = Math.max(1, Math.round(bar.clientHeight * dpr));
    if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
    const ctx = canvas.getContext('2d');
    const { from, to } = this.window();
    const x = (us) => ((us - from) / (to - from)) * w;
    ctx.fillStyle = '#222';
    ctx.fillRect(0, 0, w, h);
    ctx.fillStyle = '#2e7d32';
    for (const s of this.segments) {
      const a = Math.max(0, x(s.start)), b = Math.min(w, x(s.end));
      if (b > a) ctx.fillRect(a, h * 0.2, Math.max(1, b - a), h * 0.6);
    }
    // Motion events: orange marks over the top of the bar.
    ctx.fillStyle = '#ff7043';
    for (const ev of this.events) {
      const a = Math.max(0, x(ev.start)), b = Math.min(w, x(ev.end ?? to));
      if (b >= 0 && a <= w) ctx.fillRect(a - dpr, 0, Math.max(3 * dpr, b - a + 2 * dpr), h * 0.45);
    }
    // Hour (or 10-minute) ticks.
    const tick = this.span === 0 ? 600e6 : 3600e6;
    ctx.fillStyle = '#666';
    for (let t = Math.ceil(from / tick) * tick; t < to; t += tick) ctx.fillRect(x(t), 0, Math.max(1, dpr), h * 0.2);
    for (const [us, color] of [[this.playhead, '#fff'], [this.hover, '#ffb300']]) {
      if (us == null) continue;
      ctx.fillStyle = color;
      ctx.fillRect(x(us) - dpr, 0, 2 * dpr, h);
    }
    const shown = this.hover ?? this.playhead;
    this.label.textContent = shown == null ? `${timeText(from, false)} – now` : timeText(shown);
  }

  close() {
    this.closed = true;
    clearInterval(this.timer);
    this.resize.disconnect();
    this.bar.onpointerdown = this.bar.onpointermove = this.bar.onpointerup = this.bar.onpointerleave = null;
    this.bar.onkeydown = null;
  }
}
