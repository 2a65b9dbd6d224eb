// wscam viewer, the MSE path of a StreamView (`?codec=fmp4`): the fMP4 media segments played by
// WscamMsePlayer (mse_player.js) in a <video> of its own, each frame it presents painted on the
// view's canvas like the other paths' pictures (so the grid, Fit/Fill, snapshots and statistics
// are the same), and the fallback to JPEG when the browser refuses the stream.

import { WscamMsePlayer } from './mse_player.js';
import { FRAME_FMP4 } from './frame_header.js';
import { DecoderPath } from './decoder_path.js';

export class MsePath extends DecoderPath {
  constructor(view) {
    super(view, FRAME_FMP4);
    // Not in the document: it is only the decoder; the canvas shows its pictures.
    this.video = document.createElement('video');
    this.player = new WscamMsePlayer(this.video, {
      onFrame: (video, meta) => view.picture.paintVideo(video, meta),
      onError: (err) => {
        view.stats.h264Errors++;
        view.codec.fallBackToJpeg(`H.264 through MSE failed (${err.message})`);
      },
      onNeedKeyframe: () => view.send({ type: 'keyframe' }),
    });
  }
}
