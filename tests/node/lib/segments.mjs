// What a recorded segment holds, read with Debian's ffprobe: the record tests' view of the files.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

/** Each picture's capture time in a segment (µs): the time in its name plus its pts. */
export function captures(file, name) {
  const m = name.match(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)\.(\d{6})Z/);
  const start = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) * 1000 + Number(m[7]);
  const r = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts', '-of', 'json', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout).packets.map((p) => start + Number(p.pts));
}
