// Send-time stamps inside JPEGs, so a test can tell when each frame left the camera and how
// long it took to reach a viewer through wscam: a COM segment right after SOI that every
// decoder ignores and wscam passes through untouched.
const TAG = 'wscam-sent:';

export const nowUs = () => Math.round((performance.timeOrigin + performance.now()) * 1000);

/** `jpeg` with a COM segment holding the current time in µs. */
export function stamp(jpeg, us = nowUs()) {
  const text = Buffer.from(TAG + String(us).padStart(17, '0'));
  const com = Buffer.alloc(4);
  com.writeUInt16BE(0xfffe, 0);
  com.writeUInt16BE(text.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), com, text, jpeg.subarray(2)]);
}

/** The send time stamped into `jpeg` (µs), or null. */
export function stampOf(jpeg) {
  const at = jpeg.indexOf(TAG);
  if (at < 0 || at > 64) return null;
  return Number(jpeg.subarray(at + TAG.length, at + TAG.length + 17).toString());
}

export function percentile(values, p) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}
