// wscam viewer, the WebCodecs path of a StreamView (`?codec=h264`): the access units decoded with
// WscamH264Player (h264_player.js), and the fallback to JPEG when decoding keeps failing. Which
// path a view takes is view_codec.js's; the MSE one is viewer_mse.js.

import { WscamH264Player } from './h264_player.js';
import { FRAME_H264 } from './frame_header.js';
import { DecoderPath } from './decoder_path.js';

// The H.264 side of one connection of a StreamView: a WscamH264Player whose VideoFrames go to
// the view's picture (view_picture.js, which closes each one), keyframe requests to the server,
// and decoder failures counted: FAILURES_TO_FALL_BACK of them within FAILURE_WINDOW_MS and the
// view falls back to JPEG.
export class H264Path extends DecoderPath {
  static FAILURES_TO_FALL_BACK = 3;
  static FAILURE_WINDOW_MS = 10000;

  constructor(view) {
    super(view, FRAME_H264);
    this.failures = [];
    this.player = new WscamH264Player({
      onFrame: (frame, meta) => view.picture.show(frame, meta, frame.displayWidth, frame.displayHeight),
      onError: (err) => this.failed(err),
      onNeedKeyframe: () => view.send({ type: 'keyframe' }),
    });
  }

  failed(err) {
    const now = performance.now();
    const why = err?.message ? `${err.name}: ${err.message}` : String(err);
    this.failures = this.failures.filter((t) => now - t < H264Path.FAILURE_WINDOW_MS);
    this.failures.push(now);
    this.view.stats.h264Errors++;
    console.warn(`wscam: H.264 decoding failed (${why})`);
    if (this.failures.length >= H264Path.FAILURES_TO_FALL_BACK) {
      this.view.codec.fallBackToJpeg(`H.264 decoding failed ${this.failures.length} times (${why})`);
    }
  }
}
