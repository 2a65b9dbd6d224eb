// wscam viewer, what a StreamView's H.264 paths share (viewer_h264.js: WebCodecs, viewer_mse.js:
// MSE): the message type they take, their player fed the payload after each header, and the
// player's drops counted as the page's.

export class DecoderPath {
  constructor(view, frameType) {
    this.view = view;
    this.frameType = frameType;  // the wscam.v1 header type this path decodes
    this.dropsCounted = 0;
    this.player = null;          // set by the path: push(payload, meta), counters.dropped, close()
  }

  // One message: its payload (after the header) to the player.
  push(buf, headerLen, meta) {
    this.player.push(new Uint8Array(buf, headerLen), meta);
    this.countDrops();
  }

  // What the player dropped (waiting for a keyframe, too slow) is the page's drops.
  countDrops() {
    const dropped = this.player.counters.dropped;
    this.view.stats.clientDropped += dropped - this.dropsCounted;
    this.dropsCounted = dropped;
  }

  close() {
    this.player.close();
    this.countDrops();
  }
}
