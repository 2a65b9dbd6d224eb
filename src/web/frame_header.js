// wscam viewer, the binary header of a wscam.v1 frame message (docs/PROTOCOL.md): its size, the
// payload's type, the picture's size, keyframe flag, sequence number and capture time. Pure.

const HEADER_MIN = 32;          // the header of this version; a later one may be longer
export const FRAME_JPEG = 1;
export const FRAME_H264 = 2;    // an H.264 access unit, on a connection that asked for ?codec=h264
export const FRAME_FMP4 = 3;    // one as an fMP4 media segment, on a connection that asked for ?codec=fmp4

/**
 * Reads the header of one binary message: { headerLen, type, meta }, or { headerLen, bad: true }
 * for a message that is no wscam.v1 frame.
 */
export function readFrameHeader(buf) {
  const view = new DataView(buf);
  // header_size says where the payload starts: at least the 32 bytes of this version, never past the end.
  const headerLen = buf.byteLength >= 2 ? view.getUint8(1) : 0;
  if (headerLen < HEADER_MIN || headerLen > buf.byteLength) return { headerLen, bad: true };
  const meta = {
    width: view.getUint16(2), height: view.getUint16(4), keyframe: (view.getUint8(6) & 1) === 1,
    sequence: Number(view.getBigUint64(8)), captureUs: Number(view.getBigInt64(16)),
  };
  return { headerLen, type: view.getUint8(0), meta };
}
