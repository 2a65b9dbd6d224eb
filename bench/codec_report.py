#!/usr/bin/env python3
"""codec_report: the tables bench/codec.sh prints, from the JSON and logs of its runs.

  codec_report.py quality-head
  codec_report.py quality-row RUN.json SOURCE SETTING RUN.log
  codec_report.py cpu RUNS_DIR "SOURCES" "PRESETS" "NS" REPEAT
  codec_report.py slow RUNS_DIR REPEAT N
  codec_report.py summary RUNS_DIR          # --quick: one parseable line per mode:
      codec-summary mode=h264 codec=h264 fps=30.0 bytes_per_s=… ssim_y=… psnr_y=… ssim_y_scene=… cpu_cores=… latency_p50_ms=… slow_fps=… slow_latency_p50_ms=…
  codec_report.py browser BROWSER.json
"""
import glob
import json
import os
import re
import statistics
import sys


def load(path):
    try:
        return json.load(open(path))
    except (OSError, ValueError):
        return None


def encoder_line(log, rendition="full"):
    """pictures, keyframes, skipped from wscam's last 'h264 encoder stopped' line for a rendition."""
    try:
        text = open(log).read()
    except OSError:
        return None
    found = re.findall(r"h264 encoder stopped stream=\S+ rendition=(\w+) pictures=(\d+) keyframes=(\d+) skipped=(\d+)", text)
    found = [f[1:] for f in found if f[0] == rendition]
    return tuple(int(x) for x in found[-1]) if found else None


def closed_viewers(log):
    """(frames, drops, fell_behind, switches, rendition) of every H.264 viewer that closed, from wscam's log."""
    try:
        text = open(log).read()
    except OSError:
        return []
    pattern = r"codec=h264 rendition=(\w+) frames=(\d+) drops=(\d+) fell_behind=(\d+) switches=(\d+)"
    return [(int(f), int(d), int(b), int(s), r) for r, f, d, b, s in re.findall(pattern, text)]


def spread(xs, fmt="{:.2f}"):
    """median [min-max] of the rounds, or the one value."""
    xs = [x for x in xs if x is not None]
    if not xs:
        return "-"
    if len(xs) == 1:
        return fmt.format(xs[0])
    return f"{fmt.format(statistics.median(xs))} [{fmt.format(min(xs))}-{fmt.format(max(xs))}]"


QUALITY_COLS = "{:<8} {:<5} {:<25} {:>5} {:>8} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>8} {:>8} {:>8} {:>5} {:>8} {:>8}"


def quality_head():
    print(QUALITY_COLS.format("source", "mode", "setting", "fps", "kB/s", "fewer×", "SSIM Y", "SSIM", "min Y", "PSNR Y",
                              "PSNR", "RGB dB", "SSIM Yc", "PSNR Yc", "keys", "lat p50", "enc skip"))


def quality_row(path, src, setting, log):
    j = load(path)
    if not j:
        print(f"{src:<8} quality run failed: see {path}")
        return
    jp, h = j.get("jpeg", {}), j.get("h264", {})
    marker = os.path.join(os.path.dirname(path), f".jpeg-row-{src}")
    rows = []
    if not os.path.exists(marker):
        open(marker, "w").close()
        rows.append(("jpeg", "(the clip's JPEGs)", jp, None))
    enc = encoder_line(log)
    rows.append(("h264" if h.get("codec") == "h264" else f"!{h.get('codec')}", setting, h, enc))
    for mode, label, r, enc in rows:
        if "ssim_y" not in r:
            print(f"{src:<8} {mode:<5} {label:<17} no frames in the window")
            continue
        ratio = jp["bytes_per_second"] / r["bytes_per_second"] if r["bytes_per_second"] else 0
        print(QUALITY_COLS.format(src, mode, label, f"{r['fps']:.1f}", f"{r['bytes_per_second'] / 1000:.0f}", f"{ratio:.1f}",
                                  f"{r['ssim_y']:.4f}", f"{r['ssim_all']:.4f}", f"{r['ssim_y_min']:.4f}", f"{r['psnr_y']:.2f}",
                                  f"{r['psnr_avg']:.2f}", f"{r.get('psnr_rgb_as_signalled', float('nan')):.2f}",
                                  f"{r.get('ssim_y_clean', float('nan')):.4f}", f"{r.get('psnr_y_clean', float('nan')):.2f}",
                                  "-" if r.get("keyframes") is None else r["keyframes"],
                                  f"{r['latency_p50_ms']:.1f}", "-" if enc is None else f"{enc[2]}/{enc[0] + enc[2]}"))


def quality_foot():
    print("(fewer×: JPEG bytes / these bytes; SSIM Y, SSIM (all planes), min Y (worst frame), PSNR Y, PSNR (all planes): "
          "against the source's uncompressed frames, noise included; RGB dB: PSNR in RGB converted as a player does, by the "
          "range the stream signals; SSIM Yc, PSNR Yc: against the same frames without noise; keys: keyframes in the window; "
          "lat p50: capture → arrival at the recording viewer (Node), ms; enc skip: JPEGs the encoder skipped / offered, whole run)")


def cpu(runs, sources, presets, ns, repeat):
    ns = [int(n) for n in ns.split()]
    rounds = range(1, int(repeat) + 1)
    print("cores: wscam's CPU in cores over the window, median [min-max] of the rounds; per stream = H.264×1 − JPEG×1 "
          "(JPEG decode + x264 encode); per viewer = (H.264×N − H.264×1) / (N − 1)")
    for src in sources.split():
        jpeg = {r: load(f"{runs}/cpu-{src}-jpeg-1-r{r}.json") for r in rounds}
        jc = {r: j["server"]["cpu_cores"] for r, j in jpeg.items() if j}
        print(f"{src}: JPEG×1 {spread(list(jc.values()), '{:.3f}')} cores, fps {spread([j['fps']['min'] for j in jpeg.values() if j], '{:.1f}')}, "
              f"latency p50 {spread([j['latency_ms']['p50'] for j in jpeg.values() if j], '{:.1f}')} ms, "
              f"{spread([j['bytes_per_second'] / 1000 for j in jpeg.values() if j], '{:.0f}')} kB/s")
        head = f"  {'preset':<10} " + " ".join(f"{'H.264×' + str(n):>21}" for n in ns) + \
            f" {'per stream':>21} {'per viewer':>21} {'fps min ×' + str(ns[-1]):>17} {'lat p50 ×1':>17} {'kB/s ×1':>9} {'enc skip':>9}"
        print(head)
        for preset in presets.split():
            cores = {n: {} for n in ns}
            res = {n: {} for n in ns}
            for r in rounds:
                for n in ns:
                    j = load(f"{runs}/cpu-{src}-{preset}-{n}-r{r}.json")
                    if j:
                        cores[n][r] = j["server"]["cpu_cores"]
                        res[n][r] = j
            per_stream = [cores[ns[0]][r] - jc[r] for r in rounds if r in cores[ns[0]] and r in jc] if ns[0] == 1 else []
            per_viewer = [(cores[ns[-1]][r] - cores[ns[0]][r]) / (ns[-1] - ns[0]) for r in rounds
                          if r in cores[ns[-1]] and r in cores[ns[0]]] if len(ns) > 1 else []
            skips = [encoder_line(f"{runs}/cpu-{src}-{preset}-{ns[0]}-r{r}.log") for r in rounds]
            skip = ", ".join(f"{e[2]}/{e[0] + e[2]}" for e in skips if e) or "-"
            print(f"  {preset:<10} " + " ".join(f"{spread(list(cores[n].values()), '{:.3f}'):>21}" for n in ns) +
                  f" {spread(per_stream, '{:.3f}'):>21} {spread(per_viewer, '{:.4f}'):>21}"
                  f" {spread([j['fps']['min'] for j in res[ns[-1]].values()], '{:.1f}'):>17}"
                  f" {spread([j['latency_ms']['p50'] for j in res[ns[0]].values()], '{:.1f}'):>17}"
                  f" {spread([j['bytes_per_second'] / 1000 for j in res[ns[0]].values()], '{:.0f}'):>9} {skip:>9}")
            behind = [f"{n}/r{r}" for n in ns for r, j in res[n].items() if j["bench"]["fell_behind"]]
            if behind:
                print(f"  (load generator fell behind in {', '.join(behind)}: those runs measure wscam-bench too)")
    print("(enc skip: JPEGs the encoder skipped because it was still busy / JPEGs offered to it, in the ×1 runs)")


def slow(runs, repeat, n, modes):
    rounds = range(1, int(repeat) + 1)
    k = int(float(n) * 0.1 + 0.5)
    print(f"{'mode':<30} {'round':>5} {'fast fps min':>12} {'slow fps':>9} {'slow lat p50':>13} {'p99':>8} {'max':>8} {'skipped':>8} "
          f"{'slow viewers: fell behind, moved':>34} {'server cores':>12} {'kB/s/viewer':>11} {'IDRs/pictures full, reduced':>28}")
    for mode in modes.split():
        for r in rounds:
            j = load(f"{runs}/slow-{mode}-r{r}.json")
            if not j or "slow" not in j:
                print(f"{mode:<30} {r:>5} failed: see {runs}/slow-{mode}-r{r}.txt")
                continue
            s = j["slow"]
            fb, idr = "-", "-"
            fast_kbs = (j["bytes_per_second"] - 0) / 1000 / max(1, j["connected"])
            if mode.startswith("h264"):
                log = f"{runs}/slow-{mode}-r{r}.log"
                full, reduced = encoder_line(log, "full"), encoder_line(log, "reduced")
                idr = ", ".join(f"{e[1]}/{e[0]}" if e else "-" for e in (full, reduced))
                # The slow ones: those moved to the reduced rendition, else the k that got the fewest frames.
                everyone = closed_viewers(log)
                closed = [c for c in everyone if c[3] > 0] or sorted(everyone)[:k]
                if closed:
                    fb = (f"{sum(c[2] for c in closed)} in {sum(c[0] for c in closed)} fr, "
                          f"{sum(1 for c in closed if c[3] > 0)}/{len(closed)} moved")
            print(f"{mode:<30} {r:>5} {j['fps']['min']:12.1f} {s['fps_median']:9.1f} {s['latency_ms']['p50']:10.0f} ms "
                  f"{s['latency_ms']['p99']:5.0f} ms {s['latency_ms']['max']:5.0f} ms {s['frames_skipped']:8d} {fb:>34} "
                  f"{j['server']['cpu_cores']:12.2f} {fast_kbs:11.0f} {idr:>28}{'  BENCH FELL BEHIND' if j['bench']['fell_behind'] else ''}")
    print("(slow: the viewers reading at 1 Mbit/s, through a 16 KiB receive buffer, as in bench/fanout.sh; latency: capture → whole "
          "message read; fell behind: times wscam put a slow H.264 viewer back to waiting for a keyframe, and how many of them it moved to the "
          "reduced rendition (--h264-slow-link-bitrate), from their close lines; "
          "kB/s/viewer: bytes per second delivered divided by the viewers; IDRs/pictures: the encoder's keyframes among its pictures, whole run)")


def summary(runs):
    q = [load(p) for p in sorted(glob.glob(f"{runs}/quality-*.json"))]
    q = q[0] if q else {}
    for mode in ("jpeg", "h264"):
        r = q.get(mode, {})
        c = load(f"{runs}/cpu-pattern-jpeg-1-r1.json") if mode == "jpeg" else \
            next((load(p) for p in sorted(glob.glob(f"{runs}/cpu-pattern-*-1-r1.json")) if "-jpeg-" not in p), None)
        s = next((load(p) for p in sorted(glob.glob(f"{runs}/slow-{mode}*-r1.json"))), None)
        fields = {
            "fps": r.get("fps"), "bytes_per_s": r.get("bytes_per_second"), "ssim_y": r.get("ssim_y"), "psnr_y": r.get("psnr_y"),
            "ssim_y_scene": r.get("ssim_y_clean"),
            "cpu_cores": c and c["server"]["cpu_cores"], "latency_p50_ms": c and c["latency_ms"]["p50"],
            "slow_fps": s and s.get("slow", {}).get("fps_median"), "slow_latency_p50_ms": s and s.get("slow", {}).get("latency_ms", {}).get("p50"),
        }
        digits = lambda k: 4 if k.startswith("ssim") else 3 if k.startswith("cpu") else 1
        text = " ".join(f"{k}={'nan' if v is None else f'{v:.{digits(k)}f}'}" for k, v in fields.items())
        # codec= is what the viewer really got (a server with H.264 off answers JPEG).
        print(f"codec-summary mode={mode} codec={r.get('codec', 'none')} {text}")


def browser(path):
    j = load(path)
    if not j:
        print(f"browser run failed: see {path}")
        return
    for name, r in j["results"].items():
        if r.get("skipped"):
            print(f"{j['size']:<9} {name:<22} not measured: {r['skipped']}")
            continue
        print(f"{j['size']:<9} {name:<22} {r['fps']:5.1f} fps shown, latency p50 {r['latency_p50_ms']:.1f} ms p95 "
              f"{r['latency_p95_ms']:.1f} ms, main thread {r['main_thread_busy_pct']:.1f} %")


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"quality-head": quality_head, "quality-foot": quality_foot, "quality-row": quality_row, "cpu": cpu, "slow": slow, "summary": summary,
     "browser": browser}[cmd](*args)
