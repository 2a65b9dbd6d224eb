// Scenes for motion detection, made by ffmpeg (lavfi) and served as `exec:` cameras: the test set
// of tests/node/motion.test.mjs and bench/motion_accuracy.mjs. Every scene is 10 fps MJPEG on a
// mid-grey background; what changes is what moves or what the light does.
//
// The filter graph goes in double quotes (wscam splits the command line as a shell would, without
// one), so ffmpeg's own single quotes around expressions with commas reach it.

const ffmpegHead = (w, h, fps) => `exec:ffmpeg -loglevel error -re -f lavfi -i color=c=0x606060:s=${w}x${h}:r=${fps}`;

/**
 * A white square of `size` pixels crossing from left to right at height `y` in `seconds`, once
 * every `period` seconds, at the end of each period (the first crossing starts at period - seconds).
 * Returns the URI and where the square is at time t (seconds since the first picture), for checks.
 */
export function crossing({ w = 320, h = 240, fps = 10, size = 32, seconds = 2, period = 5, y = 100 } = {}) {
  const speed = (w + size) / seconds;
  const lead = period - seconds;
  const x = `if(gte(mod(t,${period}),${lead}),(mod(t,${period})-${lead})*${speed}-${size},-${2 * size})`;
  const uri = `${ffmpegHead(w, h, fps)} -f lavfi -i color=c=white:s=${size}x${size}:r=${fps} ` +
    `-filter_complex "[0][1]overlay=x='${x}':y=${y}" -q:v 5 -f mjpeg -`;
  return { uri, w, h, size, y, seconds, period, lead };
}

/** Sensor noise only: temporal and uniform, strength `noise` (0-100, ffmpeg's noise filter). */
export function noise({ w = 320, h = 240, fps = 10, strength = 24 } = {}) {
  return `${ffmpegHead(w, h, fps)} -vf "noise=alls=${strength}:allf=t+u" -q:v 5 -f mjpeg -`;
}

/** A slow change of light (clouds, dusk): brightness rising by `perSecond` (of 1) each second, with noise. */
export function ramp({ w = 320, h = 240, fps = 10, perSecond = 0.01, strength = 12 } = {}) {
  return `${ffmpegHead(w, h, fps)} -vf "eq=brightness='min(t*${perSecond},0.5)':eval=frame,noise=alls=${strength}:allf=t+u" -q:v 5 -f mjpeg -`;
}

/** A light switched on at `at` seconds and off again at `off`: the whole picture steps by `step`. */
export function lightSwitch({ w = 320, h = 240, fps = 10, at = 4, off = 9, step = 0.35 } = {}) {
  return `${ffmpegHead(w, h, fps)} -vf "eq=brightness='if(between(t,${at},${off}),${step},0)':eval=frame,noise=alls=8:allf=t+u" -q:v 5 -f mjpeg -`;
}
