// wscam viewer, what Media Source Extensions need to know of an MP4's H.264: the MediaSource class
// this browser has and the type of a SourceBuffer. Shared by the live MSE player (mse_player.js) and
// the recorded segment being written (growing_segment.js).

/** The MediaSource this browser has: MSE, or Safari's ManagedMediaSource; null if neither. */
export function mediaSourceClass() {
  return window.ManagedMediaSource ?? window.MediaSource ?? null;
}

/** The MSE type of an MP4 holding the H.264 of `codecString` (e.g. 'avc1.42C01F'). */
export const mp4Type = (codecString) => `video/mp4; codecs="${codecString}"`;

/**
 * The MSE type of an MP4's H.264 track, from its avcC box (profile, compatibility, level):
 * 'video/mp4; codecs="avc1.64001f"'; null while the bytes do not hold the box.
 */
export function h264TypeOf(bytes) {
  for (let i = 4; i + 8 <= bytes.length; i++) {
    if (bytes[i] === 0x61 && bytes[i + 1] === 0x76 && bytes[i + 2] === 0x63 && bytes[i + 3] === 0x43) {  // 'avcC'
      const hex = (b) => b.toString(16).padStart(2, '0');
      return mp4Type(`avc1.${hex(bytes[i + 5])}${hex(bytes[i + 6])}${hex(bytes[i + 7])}`);
    }
  }
  return null;
}

/** A new MediaSource of this browser's class, attached to `video` (a ManagedMediaSource needs remote playback off). */
export function attachMediaSource(video) {
  const Source = mediaSourceClass();
  const source = new Source();
  if (window.ManagedMediaSource && source instanceof window.ManagedMediaSource) video.disableRemotePlayback = true;
  video.src = URL.createObjectURL(source);
  return source;
}
