#!/usr/bin/env python3
"""codec_quality: what bench/codec_record.mjs recorded, against the source's own frames.

For every recorded viewer (DIR/NAME.idx + DIR/NAME.bin) over the measured window (from
--warmup seconds after the recording started to its end): frames and bytes per second,
keyframes, capture-to-arrival latency, and picture quality against the reference: SSIM and
PSNR from ffmpeg's `ssim` and `psnr` filters, per plane (Y, and all planes weighted by size).

Which source frame a received picture shows: wscam plays CLIP (`file:CLIP?fps=..&loop=1`)
and numbers every frame it publishes; a JPEG viewer receives the clip's JPEGs byte for byte,
so each JPEG it got is found in CLIP by its bytes, which fixes `clip index = (sequence +
offset) mod frames`; the script checks that every received JPEG agrees, then maps the H.264
viewer's units (which carry the sequence number of the JPEG they were encoded from) the same way.

Colour range: the H.264 stream does not say full range, so a player converts its (full range)
samples as limited range; psnr_rgb_as_signalled shows what that costs against reading them as
full range (psnr_rgb_if_full_range) and against the JPEG's.

Pictures are compared as the codec carries them, 4:2:0 planes, with no colour conversion:
JPEG decoded to yuvj420p, H.264 to yuv420p (the same numbers; wscam hands TurboJPEG's
planes to x264 as they are), the reference as yuvj420p raw frames (REF, frames of CLIP in order).

  codec_quality.py --rec DIR --clip CLIP --ref REF.yuv --size 640x480 --warmup 2 [--json OUT]
"""
import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile


def split_jpegs(data):
    """The JPEGs of an MJPEG clip (concatenated SOI..EOI)."""
    out, start = [], 0
    while True:
        end = data.find(b"\xff\xd9\xff\xd8", start)
        if end < 0:
            out.append(data[start:])
            return out
        out.append(data[start:end + 2])
        start = end + 2


def read_index(path):
    rows = []
    with open(path) as f:
        for line in f:
            seq, cap, at, size, typ, key, w, h, hs = (int(x) for x in line.split())
            rows.append(dict(seq=seq, capture=cap, arrival=at, size=size, type=typ, key=key, w=w, h=h, hs=hs))
    return rows


def pct(xs, p):
    if not xs:
        return float("nan")
    s = sorted(xs)
    return s[min(len(s) - 1, int(p * len(s)))]


def ffmpeg(*args):
    subprocess.run(["ffmpeg", "-hide_banner", "-v", "error", "-y", *args], check=True)


def rgb_psnr(dist, dist_fmt, ref, size):
    """PSNR in RGB, each side converted as a player converts it: by the range its stream signals."""
    out = subprocess.run(["ffmpeg", "-hide_banner", "-nostats", "-f", "rawvideo", "-pix_fmt", dist_fmt, "-s", size, "-i", dist,
                          "-f", "rawvideo", "-pix_fmt", "yuvj420p", "-s", size, "-i", ref, "-lavfi",
                          "[0:v]format=gbrp[a];[1:v]format=gbrp[b];[a][b]psnr", "-f", "null", "-"],
                         check=True, capture_output=True, text=True).stderr
    m = re.search(r"PSNR r:\S+ g:\S+ b:\S+ average:(\S+)", out)
    return float(m.group(1)) if m else float("nan")


def compare(dist, ref, size, tmp):
    """Mean SSIM (Y, All), worst-frame SSIM Y, PSNR (Y, average) from the mean MSE, over the frames of two raw files."""
    raw = ["-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", size]
    ssim_log, psnr_log = os.path.join(tmp, "ssim.log"), os.path.join(tmp, "psnr.log")
    ffmpeg(*raw, "-i", dist, *raw, "-i", ref, "-filter_complex",
           f"[0:v]split[a][b];[1:v]split[c][d];[a][c]ssim=stats_file={ssim_log}[s];[b][d]psnr=stats_file={psnr_log}[p]",
           "-map", "[s]", "-f", "null", "-", "-map", "[p]", "-f", "null", "-")
    def columns(log, pattern):
        """The numbers `pattern`'s groups match on each line of an ffmpeg stats file, one list per group."""
        regex = re.compile(pattern)
        cols = [[] for _ in range(regex.groups)]
        for line in open(log):
            m = regex.search(line)
            if m:
                for col, value in zip(cols, m.groups()):
                    col.append(float(value))
        return cols
    ys, alls = columns(ssim_log, r"Y:([\d.]+) .*All:([\d.]+)")
    mse_avg, mse_y = columns(psnr_log, r"mse_avg:([\d.]+) mse_y:([\d.]+)")
    import math
    db = lambda mse: 10 * math.log10(255 * 255 / mse) if mse > 0 else float("inf")
    return dict(frames_compared=len(ys), ssim_y=sum(ys) / len(ys), ssim_all=sum(alls) / len(alls), ssim_y_min=min(ys),
                psnr_y=db(sum(mse_y) / len(mse_y)), psnr_avg=db(sum(mse_avg) / len(mse_avg)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rec", required=True)
    ap.add_argument("--clip", required=True)
    ap.add_argument("--ref", required=True, help="raw yuvj420p frames of the clip, in order")
    ap.add_argument("--ref-clean", help="the same frames without their noise (the scene without sensor noise): also compared")
    ap.add_argument("--size", required=True)
    ap.add_argument("--warmup", type=float, default=2)
    ap.add_argument("--max-compare", type=int, default=300, help="compare at most this many frames (spread evenly)")
    ap.add_argument("--json")
    a = ap.parse_args()
    w, h = (int(x) for x in a.size.split("x"))
    frame_bytes = w * h * 3 // 2
    meta = json.load(open(os.path.join(a.rec, "meta.json")))
    t0 = meta["started_us"] + a.warmup * 1e6
    t1 = meta["started_us"] + meta["seconds"] * 1e6
    clip = split_jpegs(open(a.clip, "rb").read())
    n = len(clip)
    where = {}
    for i, j in enumerate(clip):
        where.setdefault(hashlib.sha1(j).digest(), i)
    if os.path.getsize(a.ref) != n * frame_bytes:
        sys.exit(f"codec_quality: {a.ref} is not {n} frames of {a.size}")

    names = [v["name"] for v in meta["viewers"]]
    data = {name: (read_index(os.path.join(a.rec, name + ".idx")), open(os.path.join(a.rec, name + ".bin"), "rb").read())
            for name in names}

    # The sequence -> clip frame mapping, from every JPEG a viewer got.
    offset, checked = None, 0
    for name in names:
        rows, blob = data[name]
        pos = 0
        for r in rows:
            payload = blob[pos:pos + r["size"] - r["hs"]]
            pos += r["size"] - r["hs"]
            if r["type"] != 1:
                continue
            i = where.get(hashlib.sha1(payload).digest())
            if i is None:
                sys.exit(f"codec_quality: viewer {name} got a JPEG (sequence {r['seq']}) that is not in {a.clip}")
            off = (i - r["seq"]) % n
            if offset is None:
                offset = off
            elif off != offset:
                sys.exit(f"codec_quality: sequence {r['seq']} is clip frame {i}, not {(r['seq'] + offset) % n}: no fixed mapping")
            checked += 1
    if offset is None:
        sys.exit("codec_quality: no JPEG viewer was recorded: cannot map sequence numbers to clip frames")

    results = {"mapping": {"clip_frames": n, "offset": offset, "jpegs_checked": checked}}
    # Decoded pictures are big (1.4 MB a 720p frame): in memory when /dev/shm is there.
    with tempfile.TemporaryDirectory(dir="/dev/shm" if os.path.isdir("/dev/shm") else a.rec) as tmp:
        ref = open(a.ref, "rb")
        clean = open(a.ref_clean, "rb") if a.ref_clean else None
        for name in names:
            rows, blob = data[name]
            secs = (t1 - t0) / 1e6
            inside = [k for k, r in enumerate(rows) if t0 <= r["arrival"] <= t1]
            lat = [(rows[k]["arrival"] - rows[k]["capture"]) / 1000 for k in inside]
            seqs = [rows[k]["seq"] for k in inside]
            res = dict(
                codec={1: "jpeg", 2: "h264"}.get(rows[0]["type"], "?") if rows else "?",
                frames=len(inside), seconds=secs, fps=len(inside) / secs,
                bytes_per_second=sum(rows[k]["size"] for k in inside) / secs,
                keyframes=sum(rows[k]["key"] for k in inside) if rows and rows[0]["type"] == 2 else None,
                skipped=sum(max(0, b - a - 1) for a, b in zip(seqs, seqs[1:])),
                latency_p50_ms=pct(lat, 0.5), latency_p95_ms=pct(lat, 0.95),
            )
            if not inside:
                results[name] = res
                continue
            # Decode everything received (H.264 from its first keyframe), keep the window's pictures.
            stream = os.path.join(tmp, name + ".in")
            decoded = os.path.join(tmp, name + ".yuv")
            with open(stream, "wb") as f:
                f.write(blob)
            if res["codec"] == "h264":
                ffmpeg("-f", "h264", "-i", stream, "-fps_mode", "passthrough", "-pix_fmt", "yuv420p", "-f", "rawvideo", decoded)
            else:
                ffmpeg("-f", "mjpeg", "-i", stream, "-fps_mode", "passthrough", "-pix_fmt", "yuvj420p", "-f", "rawvideo", decoded)
            got = os.path.getsize(decoded) // frame_bytes
            if got != len(rows):
                sys.exit(f"codec_quality: {name}: ffmpeg made {got} pictures of {len(rows)} messages")
            step = max(1, -(-len(inside) // a.max_compare))
            pick = inside[::step]
            dist_sel, ref_sel, clean_sel = (os.path.join(tmp, f) for f in ("dist.yuv", "ref.yuv", "clean.yuv"))
            with open(decoded, "rb") as d, open(dist_sel, "wb") as do, open(ref_sel, "wb") as ro, open(clean_sel, "wb") as co:
                for k in pick:
                    d.seek(k * frame_bytes)
                    do.write(d.read(frame_bytes))
                    at = ((rows[k]["seq"] + offset) % n) * frame_bytes
                    ref.seek(at)
                    ro.write(ref.read(frame_bytes))
                    if clean:
                        clean.seek(at)
                        co.write(clean.read(frame_bytes))
            res.update(compare(dist_sel, ref_sel, a.size, tmp))
            if clean:
                res.update({f"{k}_clean": v for k, v in compare(dist_sel, clean_sel, a.size, tmp).items() if k != "frames_compared"})
            # As a player shows it: the JPEG says full range (JFIF); the H.264 stream's range is
            # whatever its SPS says (none: limited). And the H.264 pictures read as full range.
            res["psnr_rgb_as_signalled"] = rgb_psnr(dist_sel, "yuv420p" if res["codec"] == "h264" else "yuvj420p", ref_sel, a.size)
            if res["codec"] == "h264":
                res["psnr_rgb_if_full_range"] = rgb_psnr(dist_sel, "yuvj420p", ref_sel, a.size)
            for f in (stream, decoded, dist_sel, ref_sel, clean_sel):
                os.remove(f)
            results[name] = res
    out = json.dumps(results, indent=2)
    if a.json:
        open(a.json, "w").write(out + "\n")
    print(out)


if __name__ == "__main__":
    main()
