// Reads a multipart/x-mixed-replace MJPEG response (what /stream/<stream>.mjpg sends) part by
// part, strictly: every part must be `--BOUNDARY`, headers with Content-Type image/jpeg and
// Content-Length, exactly that many bytes, then CRLF. Records when each part's last byte came.
import http from 'node:http';
import https from 'node:https';

export class MultipartReader {
  constructor(boundary) {
    this.delimiter = Buffer.from(`--${boundary}\r\n`);
    this.buf = Buffer.alloc(0);
    this.parts = [];   // { jpeg, headers, at }
    this.error = null;
  }

  push(chunk) {
    this.buf = Buffer.concat([this.buf, chunk]);
    while (!this.error) {
      if (this.buf.length < this.delimiter.length) return;
      if (!this.buf.subarray(0, this.delimiter.length).equals(this.delimiter)) {
        this.error = `expected the boundary, got ${JSON.stringify(this.buf.subarray(0, 40).toString('latin1'))}`;
        return;
      }
      const end = this.buf.indexOf('\r\n\r\n', this.delimiter.length);
      if (end < 0) return;
      const headers = {};
      for (const line of this.buf.subarray(this.delimiter.length, end).toString('latin1').split('\r\n')) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const length = Number(headers['content-length']);
      if (!Number.isInteger(length) || headers['content-type'] !== 'image/jpeg') {
        this.error = `bad part headers ${JSON.stringify(headers)}`;
        return;
      }
      const start = end + 4;
      if (this.buf.length < start + length + 2) return;
      if (this.buf[start + length] !== 13 || this.buf[start + length + 1] !== 10) {
        this.error = 'a part does not end with CRLF after Content-Length bytes';
        return;
      }
      this.parts.push({ jpeg: Buffer.from(this.buf.subarray(start, start + length)), headers, at: performance.now() });
      this.buf = this.buf.subarray(start + length + 2);
    }
  }
}

/** GETs `url` and parses its parts; `reader.res` is the response, `reader.req` the request (destroy it to stop). */
export function openMjpeg(url, options = {}) {
  return new Promise((resolve, reject) => {
    const get = url.startsWith('https:') ? https.get : http.get;
    const req = get(url, options, (res) => {
      const type = res.headers['content-type'] || '';
      const m = type.match(/^multipart\/x-mixed-replace;\s*boundary=(\S+)$/);
      const reader = new MultipartReader(m ? m[1] : 'none');
      reader.res = res;
      reader.req = req;
      reader.status = res.statusCode;
      reader.body = '';
      if (!m) res.on('data', (d) => { reader.body += d; });
      else res.on('data', (d) => reader.push(d));
      res.on('error', () => {});
      resolve(reader);
    });
    req.on('error', reject);
  });
}
