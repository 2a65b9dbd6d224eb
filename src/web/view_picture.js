// wscam viewer, the picture of one StreamView: JPEGs decoded off the main thread with
// createImageBitmap, VideoFrames from the WebCodecs path, each painted on the view's canvas at the
// next animation frame; and the frames an MSE <video> presents, painted as it presents them. Latest wins twice: one JPEG waits for the decoder and one decoded picture
// waits for paint, and a newer one replaces it (onDropped), so a slow page skips frames instead of
// lagging. Every picture handed in is closed exactly once, on the canvas or unseen.

export class ViewPicture {
  constructor(canvas, { onDropped, onPainted }) {
    Object.assign(this, { canvas, onDropped, onPainted });
    this.ctx = canvas.getContext('2d', { alpha: false });
    this.decoding = false;
    this.queued = null;     // newest JPEG waiting for the decoder {blob, meta}
    this.ready = null;      // newest decoded picture waiting for paint {image, meta, width, height}
    this.paintRequest = 0;
    this.closed = false;
  }

  /** A JPEG (a Blob) to decode and show; one still waiting for the decoder is replaced. */
  decodeJpeg(blob, meta) {
    if (this.queued) this.onDropped();
    this.queued = { blob, meta };
    this.decodeNext();
  }

  /** The connection ended: the JPEG waiting for the decoder goes with it. */
  forgetQueued() { this.queued = null; }

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

  /**
   * A decoded picture (an ImageBitmap from a JPEG, a VideoFrame from H.264; from now on this
   * object's, which closes it) to paint at the next animation frame. One not painted yet is replaced.
   */
  show(image, meta, width, height) {
    if (this.closed) { image.close(); return; }
    if (this.ready) { this.ready.image.close(); this.onDropped(); }
    this.ready = { image, meta, width, height };
    cancelAnimationFrame(this.paintRequest);
    this.paintRequest = requestAnimationFrame(() => this.paint());
  }

  paint() {
    if (!this.ready || this.closed) return;
    const { image, meta, width, height } = this.ready;
    this.ready = null;
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    // A VideoFrame's coded size may include padding: draw its display size.
    this.ctx.drawImage(image, 0, 0, width, height);
    image.close();
    if (meta) this.onPainted(meta);  // without: a frame the player could not match to its unit, shown, not counted
  }

  /**
   * The frame a <video> presents now (called from its requestVideoFrameCallback, which runs where
   * animation frames do): painted at once. A decoded picture still waiting is dropped.
   */
  paintVideo(video, meta) {
    if (this.closed || !video.videoWidth) return;
    if (this.ready) { this.ready.image.close(); this.ready = null; this.onDropped(); }
    cancelAnimationFrame(this.paintRequest);
    const width = video.videoWidth;
    const height = video.videoHeight;
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    this.ctx.drawImage(video, 0, 0, width, height);
    if (meta) this.onPainted(meta);
  }

  /** The view is closed: the pending paint and the decoded picture go; pictures shown later are closed unseen. */
  close() {
    this.closed = true;
    cancelAnimationFrame(this.paintRequest);
    this.ready?.image.close();
    this.ready = null;
  }
}
