#!/usr/bin/env python3
"""An RTSP reader that stops reading: DESCRIBE, SETUP (RTP interleaved over TCP) and PLAY, then it
never reads again, with a receive buffer of a few KiB so the server's writes back up at once.

Usage: rtsp_stall.py rtsp://HOST:PORT/NAME [seconds]
Prints "playing" once PLAY was answered 200, then holds the connection open, unread, for `seconds`
(the server's side says what it did: its log and /metrics).
"""
import socket
import sys
import time
from urllib.parse import urlparse


def request(sock, method, url, cseq, extra=""):
    sock.sendall(f"{method} {url} RTSP/1.0\r\nCSeq: {cseq}\r\n{extra}\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            raise SystemExit(f"closed during {method}")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode(errors="replace").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (l.partition(":") for l in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        rest += sock.recv(4096)
    if " 200 " not in lines[0] + " ":
        raise SystemExit(f"{method}: {lines[0]}")
    return headers, rest[:length]


def main():
    url = sys.argv[1]
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 20
    u = urlparse(url)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((u.hostname, u.port or 554))
    headers, sdp = request(sock, "DESCRIBE", url, 1, "Accept: application/sdp\r\n")
    base = headers.get("content-base", url + "/")
    control = next((l.split(":", 1)[1].strip() for l in sdp.decode().splitlines() if l.startswith("a=control:") and l != "a=control:*"), "stream=0")
    track = control if control.startswith("rtsp://") else base.rstrip("/") + "/" + control
    headers, _ = request(sock, "SETUP", track, 2, "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n")
    session = headers["session"].split(";")[0]
    request(sock, "PLAY", base, 3, f"Session: {session}\r\nRange: npt=0-\r\n")
    print("playing", flush=True)
    time.sleep(seconds)  # never reads again


main()
