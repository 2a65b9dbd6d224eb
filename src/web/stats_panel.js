// wscam viewer, the statistics over the focused view's picture (#stats): what its connection gets
// (codec), paints (fps, size), carries (kbit/s), how late it is (latency, and the clock's
// uncertainty under it) and what was skipped on the way. Written by the page's 0.5 s timer.

const PATH = { webcodecs: 'WebCodecs', mse: 'MSE' };
const codecLabel = (s) => (s.codec === 'h264' ? `H.264 ${s.codecString} · ${PATH[s.h264Path] || ''}`.trim()
  : s.codec === 'jpeg' ? 'JPEG' : '–');

const show = (id, text) => { document.getElementById(id).textContent = text; };

/** Writes a StreamView's stats into the panel, and the stream's RTSP URL (from /api/streams) when it has one. */
export function showStats(s, rtspUrl = '') {
  const rtsp = document.getElementById('s-rtsp');
  rtsp.hidden = rtsp.previousElementSibling.hidden = !rtspUrl;
  rtsp.textContent = rtspUrl;
  show('s-codec', codecLabel(s));
  document.getElementById('s-codec').title = s.codecWhy || '';
  show('s-fps', s.fps.toFixed(0));
  show('s-size', s.width ? `${s.width}×${s.height}` : '–');
  show('s-rate', s.kbps.toFixed(0));
  show('s-latency', s.latencyP50Ms === null ? '–' : `${s.latencyP50Ms.toFixed(1)} ms`);
  show('s-clock', s.clockUncertaintyUs === null ? '–' : `±${(s.clockUncertaintyUs / 1000).toFixed(1)} ms`);
  show('s-frames', String(s.framesPainted));
  show('s-dropped', `${s.serverDropped} / ${s.clientDropped}`);
}
