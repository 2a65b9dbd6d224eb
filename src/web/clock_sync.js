// wscam viewer, the server's clock as seen from this page: pings on one connection and the offset
// they measure. The server stamps each frame with its capture time on its own clock; the offset
// turns that into this page's time, for the capture-to-paint latency.

/** Client time in microseconds since the epoch, sub-millisecond where the browser allows. */
export const nowUs = () => (performance.timeOrigin + performance.now()) * 1000;

/**
 * The offset of the server's clock from nowUs(): of the last SAMPLES round trips, the shortest
 * one's (the server read its clock about half-way through it, give or take half of it).
 */
export class ClockSync {
  static SAMPLES = 20;

  constructor() {
    this.samples = [];
    this.timer = null;
  }

  // A new connection: a burst of pings first so the offset settles quickly, then one every 2 s.
  start(send) {
    this.stop();
    this.samples = [];
    let n = 0;
    const ping = () => {
      send({ type: 'ping', id: n, t: nowUs() });
      this.timer = setTimeout(ping, ++n < 5 ? 200 : 2000);
    };
    ping();
  }

  stop() { clearTimeout(this.timer); }

  /** A pong: the best estimate so far, as the view's stats name it. */
  pong(msg) {
    const t1 = nowUs();
    // The server read its clock about half-way through the round trip.
    this.samples.push({ offset: msg.server_time_us - (msg.t + t1) / 2, rtt: t1 - msg.t });
    if (this.samples.length > ClockSync.SAMPLES) this.samples.shift();
    const best = this.samples.reduce((a, b) => (b.rtt < a.rtt ? b : a));
    return { clockOffsetUs: best.offset, clockUncertaintyUs: best.rtt / 2 };
  }
}
