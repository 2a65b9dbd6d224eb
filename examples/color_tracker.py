#!/usr/bin/python3
"""Colour tracker for a wscam stream: the tutorial readers' "detect a colour" request.

Reads the frames of a wscam stream over WebSocket, finds the largest blob of one colour
(an HSV threshold), draws its bounding box and centre on the picture and publishes the
annotated frames to a `push:` stream, while printing the blob's position as one JSON line
per processed frame on stdout:

    {"seq":42,"capture_us":1763941234567890,"found":true,"x":120,"y":80,"w":40,"h":40,"cx":139.5,"cy":99.5,"area":1600}
    {"seq":43,"capture_us":1763941234634557,"found":false}

Usage (Debian 12: apt-get install python3-opencv python3-websockets python3-numpy):

    wscam --stream cam=v4l2:/dev/video0 --stream cam-tracked=push:
    examples/color_tracker.py --url ws://127.0.0.1:8080/ws/cam --color red
    # watch http://127.0.0.1:8080/ and pick cam-tracked, or ws://127.0.0.1:8080/ws/cam-tracked

    examples/color_tracker.py --url ws://cam.lan:8080/ws/porch --hsv-low 20,120,120 --hsv-high 35,255,255 \
        --min-area 200 --publish-url ws://cam.lan:8080/publish/porch-tracked --token "$WSCAM_PUBLISH_TOKEN"
    examples/color_tracker.py --url ws://cam.lan:8080/ws/porch --color blue --no-publish | jq .cx

Options: --color red|green|blue|yellow picks a preset range; --hsv-low H,S,V and --hsv-high H,S,V
(OpenCV's scale: H 0-179, S and V 0-255) set or override either end of it. A range whose low hue
is above its high hue wraps around 0/180 (the red preset is H 170..10). --min-area (pixels) ignores
smaller blobs. --publish-url defaults to the source URL with /ws/NAME replaced by
/publish/NAME-tracked; --token is sent there as ?token= (the stream's publish token), and
--view-token to the source as ?token=.

How it behaves:
- It offers the `wscam.v1` subprotocol and takes each frame's sequence number and capture time
  from its 32-byte header (docs/PROTOCOL.md). A server that does not pick it (the ESP32
  tutorial's sketch, another relay) sends plain JPEG messages: seq then counts the messages
  received and capture_us is when each one arrived.
- It always processes the newest frame: the socket is read all the time, only the latest
  message is kept, and frames that arrived while one was being processed are skipped. No
  backlog is ever built, so a slow machine reports fewer positions, never older ones.
- The annotated JPEG (quality --quality, 80 by default) goes out one binary message per frame;
  if the publish connection is down, frames are dropped (positions are still printed).
- Either connection that fails or drops is retried with exponential backoff and jitter
  (0.5 s doubling up to --reconnect-max). A message that is not a decodable JPEG is skipped
  with a line on stderr. SIGINT/SIGTERM close both connections and exit with status 0.
"""

import argparse
import asyncio
import json
import os
import random
import signal
import struct
import sys
import time
from urllib.parse import quote, urlsplit, urlunsplit

import websockets

cv2 = np = None  # imported by main() once the options are good: OpenCV takes a second or two to load

SUBPROTOCOL = "wscam.v1"
# type, header_size, width, height, reserved, sequence, capture_us, publish_us (big-endian)
HEADER = struct.Struct(">BBHHHQQQ")

# (low, high) in OpenCV's HSV; a low hue above the high hue wraps around 0/180.
PRESETS = {
    "red": ((170, 100, 80), (10, 255, 255)),
    "green": ((40, 80, 60), (85, 255, 255)),
    "blue": ((100, 100, 60), (130, 255, 255)),
    "yellow": ((20, 100, 100), (35, 255, 255)),
}


def log(text):
    print(f"color_tracker: {text}", file=sys.stderr, flush=True)


def hsv_triplet(text):
    try:
        h, s, v = (int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected H,S,V (three integers), got {text!r}") from None
    if not (0 <= h <= 179 and 0 <= s <= 255 and 0 <= v <= 255):
        raise argparse.ArgumentTypeError(f"{text!r}: H must be 0-179, S and V 0-255")
    return (h, s, v)


def with_token(url, token):
    if not token:
        return url
    parts = urlsplit(url)
    query = (parts.query + "&" if parts.query else "") + "token=" + quote(token, safe="")
    return urlunsplit(parts._replace(query=query))


def default_publish_url(url):
    """ws://HOST:PORT/ws/NAME -> ws://HOST:PORT/publish/NAME-tracked (/ws alone is 'default'), else None."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    if path.startswith("/ws/"):
        name = path[len("/ws/"):]
    elif path in ("", "/ws"):
        name = "default"
    else:
        return None
    return urlunsplit(parts._replace(path=f"/publish/{name}-tracked", query="", fragment=""))


class Latest:
    """A one-place mailbox: put() replaces what is there, get() waits for something."""

    def __init__(self):
        self._item = None
        self._ready = asyncio.Event()

    def put(self, item):
        self._item = item
        self._ready.set()

    def clear(self):
        self._item = None
        self._ready.clear()

    async def get(self):
        while self._item is None:  # a clear() may come between set() and this waking up
            self._ready.clear()
            await self._ready.wait()
        item, self._item = self._item, None
        self._ready.clear()
        return item


class Backoff:
    def __init__(self, first, most):
        self.first, self.most, self.delay = first, most, first

    def next(self):
        delay = self.delay * random.uniform(0.8, 1.2)
        self.delay = min(self.delay * 2, self.most)
        return min(delay, self.most)

    def reset(self):
        self.delay = self.first


class Detector:
    def __init__(self, low, high, min_area, quality):
        self.ranges = []
        if low[0] <= high[0]:
            self.ranges.append((np.array(low, np.uint8), np.array(high, np.uint8)))
        else:  # wraps around hue 0/180: two ranges
            self.ranges.append((np.array(low, np.uint8), np.array((179, high[1], high[2]), np.uint8)))
            self.ranges.append((np.array((0, low[1], low[2]), np.uint8), np.array(high, np.uint8)))
        self.min_area = min_area
        self.quality = quality
        self.kernel = np.ones((3, 3), np.uint8)
        # Draw in the complementary hue so the box stands out from what it surrounds.
        mid = (low[0] + ((high[0] - low[0]) % 180) / 2) % 180
        bgr = cv2.cvtColor(np.uint8([[[int(mid + 90) % 180, 255, 255]]]), cv2.COLOR_HSV2BGR)[0][0]
        self.color = tuple(int(c) for c in bgr)

    def process(self, jpeg):
        """Returns (result dict without seq/capture_us, annotated JPEG bytes) or None if undecodable."""
        image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
        if image is None:
            return None
        hsv = cv2.cvtColor(image, cv2.COLOR_BGR2HSV)
        mask = None
        for low, high in self.ranges:
            part = cv2.inRange(hsv, low, high)
            mask = part if mask is None else cv2.bitwise_or(mask, part)
        mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, self.kernel)  # JPEG speckle
        count, _, stats, centroids = cv2.connectedComponentsWithStats(mask, connectivity=8)
        result = {"found": False}
        if count > 1:
            best = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
            x, y, w, h, area = (int(v) for v in stats[best])
            if area >= self.min_area:
                cx, cy = (round(float(v), 1) for v in centroids[best])
                result = {"found": True, "x": x, "y": y, "w": w, "h": h, "cx": cx, "cy": cy, "area": area}
                cv2.rectangle(image, (x, y), (x + w - 1, y + h - 1), self.color, 2)
                cv2.drawMarker(image, (int(round(cx)), int(round(cy))), self.color, cv2.MARKER_CROSS, 14, 2)
                cv2.putText(image, f"{int(cx)},{int(cy)}", (x, max(12, y - 5)), cv2.FONT_HERSHEY_SIMPLEX,
                            0.4, self.color, 1, cv2.LINE_AA)
        ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, self.quality])
        return result, (encoded.tobytes() if ok else None)


class Tracker:
    def __init__(self, args, detector):
        self.args = args
        self.detector = detector
        self.frames = Latest()     # newest received frame: (seq, capture_us, jpeg)
        self.annotated = Latest()  # newest annotated JPEG to publish
        self.publishing = False

    def parse(self, message, subprotocol, counter):
        """(seq, capture_us, jpeg) from one binary message, or None to skip it (logged).

        Checked here, as it arrives, so that a message that is not a JPEG never replaces a
        good frame waiting to be processed."""
        now_us = time.time_ns() // 1000
        if subprotocol == SUBPROTOCOL:
            if len(message) < HEADER.size:
                log(f"skipped a {len(message)}-byte message: shorter than the wscam.v1 header")
                return None
            kind, size, _, _, _, seq, capture_us, _ = HEADER.unpack_from(message)
            if kind != 1 or size < HEADER.size or size > len(message):
                log(f"skipped a message with frame type {kind}, header size {size}")
                return None
            jpeg = message[size:]
        else:
            seq, capture_us, jpeg = counter, now_us, message
        if len(jpeg) < 4 or jpeg[:2] != b"\xff\xd8":
            log(f"skipped frame {seq}: not a JPEG ({len(jpeg)} bytes, starts {jpeg[:4].hex() or 'empty'})")
            return None
        return seq, capture_us, jpeg

    async def receive(self, stop):
        backoff = Backoff(0.5, self.args.reconnect_max)
        url = with_token(self.args.url, self.args.view_token)
        counter = 0
        while not stop.is_set():
            try:
                async with websockets.connect(url, subprotocols=[SUBPROTOCOL], max_size=64 << 20,
                                              max_queue=4, open_timeout=10, close_timeout=2) as ws:
                    framing = ws.subprotocol or "plain JPEG"
                    log(f"source connected: {self.args.url} ({framing})")
                    got_frame = False
                    async for message in ws:
                        if isinstance(message, str):
                            self.on_text(message)
                            continue
                        counter += 1
                        frame = self.parse(message, ws.subprotocol, counter)
                        if frame is not None:
                            self.frames.put(frame)  # replaces any frame not processed yet
                            if not got_frame:
                                got_frame = True
                                backoff.reset()
                    log(f"source closed the connection ({ws.close_code} {ws.close_reason})".rstrip())
            except asyncio.CancelledError:
                raise
            except Exception as e:  # refused, reset, handshake failed, timed out, ...
                log(f"source {self.args.url}: {describe(e)}")
            if stop.is_set():
                break
            self.frames.clear()  # never process a frame from before the gap
            delay = backoff.next()
            log(f"source: reconnecting in {delay:.1f} s")
            await sleep_unless(stop, delay)

    def on_text(self, text):
        try:
            m = json.loads(text)
        except ValueError:
            log(f"source says: {text[:200]}")
            return
        if m.get("type") == "hello":
            log(f"stream {m.get('stream')}: {m.get('width')}x{m.get('height')}, "
                f"{'online' if m.get('online') else 'offline: ' + str(m.get('reason'))}")
        elif m.get("type") == "status":
            log(f"stream {m.get('stream')}: {m.get('state')} {m.get('reason') or m.get('message') or ''}".rstrip())

    async def process(self, stop):
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            seq, capture_us, jpeg = await self.frames.get()
            # Off the event loop, so the sockets keep being read (and drained) meanwhile.
            out = await loop.run_in_executor(None, self.detector.process, jpeg)
            if out is None:
                log(f"skipped frame {seq}: the JPEG does not decode ({len(jpeg)} bytes)")
                continue
            result, annotated = out
            line = {"seq": seq, "capture_us": capture_us, **result}
            try:
                sys.stdout.write(json.dumps(line, separators=(",", ":")) + "\n")
                sys.stdout.flush()
            except BrokenPipeError:
                log("stdout closed; stopping")
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
                stop.set()
                return
            if annotated is not None and self.publishing:
                self.annotated.put(annotated)

    async def publish(self, stop):
        backoff = Backoff(0.5, self.args.reconnect_max)
        url = with_token(self.args.publish_url, self.args.token)
        while not stop.is_set():
            try:
                async with websockets.connect(url, max_size=1 << 20, open_timeout=10, close_timeout=2) as ws:
                    log(f"publishing to {self.args.publish_url}")
                    self.annotated.clear()
                    self.publishing = True
                    await ws.send(f"color_tracker: {self.args.describe}")  # the stream's status message
                    listener = asyncio.ensure_future(self.drain_publisher(ws))
                    getter = None
                    try:
                        while True:
                            getter = asyncio.ensure_future(self.annotated.get())
                            done, _ = await asyncio.wait({getter, listener}, return_when=asyncio.FIRST_COMPLETED)
                            if listener in done:
                                listener.result()  # re-raises an abnormal close; a clean one ends the loop
                                break
                            # Waits while the link is slow; meanwhile newer frames replace older ones.
                            await ws.send(getter.result())
                            backoff.reset()
                    finally:
                        listener.cancel()
                        if getter is not None:
                            getter.cancel()
                    log(f"publish connection closed ({ws.close_code} {ws.close_reason})".rstrip())
            except asyncio.CancelledError:
                raise
            except Exception as e:
                log(f"publish {self.args.publish_url}: {describe(e)}")
            self.publishing = False
            if stop.is_set():
                break
            delay = backoff.next()
            log(f"publish: reconnecting in {delay:.1f} s")
            await sleep_unless(stop, delay)

    async def drain_publisher(self, ws):
        """Reads what wscam sends a publisher (nothing is expected: no controls are offered)."""
        async for message in ws:
            if isinstance(message, str):
                log(f"publish server says: {message[:200]}")


def describe(e):
    if isinstance(e, websockets.exceptions.InvalidStatusCode):
        return f"refused with HTTP {e.status_code}"
    if isinstance(e, websockets.exceptions.ConnectionClosed):
        return f"connection lost ({e.code} {e.reason})".rstrip()
    if isinstance(e, asyncio.TimeoutError):
        return "timed out"
    return str(e) or type(e).__name__


async def sleep_unless(stop, seconds):
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except asyncio.TimeoutError:
        pass


async def run(args, detector):
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    tracker = Tracker(args, detector)
    tasks = [asyncio.ensure_future(tracker.receive(stop)), asyncio.ensure_future(tracker.process(stop))]
    if args.publish_url:
        tasks.append(asyncio.ensure_future(tracker.publish(stop)))
    waiter = asyncio.ensure_future(stop.wait())
    await asyncio.wait([waiter, *tasks], return_when=asyncio.FIRST_COMPLETED)
    stop.set()
    for task in tasks:
        task.cancel()  # closes the connections (async with) on the way out
    results = await asyncio.gather(*tasks, return_exceptions=True)
    errors = [r for r in results if isinstance(r, BaseException) and not isinstance(r, asyncio.CancelledError)]
    for e in errors:
        log(f"stopped by an error: {e!r}")
    return 1 if errors else 0


def parse_args():
    parser = argparse.ArgumentParser(
        description="Track a coloured object in a wscam stream; publish the annotated frames and print positions as JSON lines.")
    parser.add_argument("--url", required=True, help="the stream to read: ws://HOST:PORT/ws/NAME")
    parser.add_argument("--color", choices=sorted(PRESETS), help="a preset HSV range")
    parser.add_argument("--hsv-low", type=hsv_triplet, metavar="H,S,V", help="low end of the HSV range (H 0-179)")
    parser.add_argument("--hsv-high", type=hsv_triplet, metavar="H,S,V", help="high end of the HSV range")
    parser.add_argument("--min-area", type=int, default=100, help="smallest blob, in pixels (default 100)")
    parser.add_argument("--publish-url", help="where to publish annotated frames (default ws://HOST:PORT/publish/NAME-tracked)")
    parser.add_argument("--no-publish", action="store_true", help="only print positions")
    parser.add_argument("--token", help="publish token, sent to --publish-url as ?token=")
    parser.add_argument("--view-token", help="view token, sent to --url as ?token=")
    parser.add_argument("--quality", type=int, default=80, choices=range(1, 101), metavar="1-100",
                        help="JPEG quality of the annotated frames (default 80)")
    parser.add_argument("--reconnect-max", type=float, default=10.0, help="longest delay between reconnections, s (default 10)")
    args = parser.parse_args()

    if args.color is None and (args.hsv_low is None or args.hsv_high is None):
        parser.error("give --color, or both --hsv-low and --hsv-high")
    preset_low, preset_high = PRESETS[args.color] if args.color else (None, None)
    low = args.hsv_low or preset_low
    high = args.hsv_high or preset_high
    if args.min_area < 1:
        parser.error("--min-area must be at least 1")
    if args.no_publish:
        args.publish_url = None
    elif not args.publish_url:
        args.publish_url = default_publish_url(args.url)
        if not args.publish_url:
            parser.error(f"cannot derive --publish-url from --url {args.url}: give --publish-url or --no-publish")
    if args.reconnect_max <= 0:
        parser.error("--reconnect-max must be positive")
    args.describe = f"{args.color or 'custom'} HSV {','.join(map(str, low))}..{','.join(map(str, high))}"
    args.low, args.high = low, high
    return args


def main():
    args = parse_args()
    global cv2, np
    import cv2
    import numpy as np

    log(f"tracking {args.describe}, min area {args.min_area} px")
    detector = Detector(args.low, args.high, args.min_area, args.quality)
    return asyncio.run(run(args, detector))


if __name__ == "__main__":
    sys.exit(main())
