#!/usr/bin/env python3
"""Per-record CPU of flink-live.sh's live jobs net of their fixed per-second cost.

Reads OUT/table/logs/table-*-flink*.log (each job's own result line: captured, elapsed_s, cpu_s, from
`ready` to the harness's SIGTERM), OUT/idle.txt (the same jobs with no traffic: CPU seconds per
second) and OUT/ceilings.txt (the DataGeneratorSource jobs). Prints, per live run,
gross = cpu_s / captured and net = (cpu_s - idle_cpu_per_s * elapsed_s) / captured, in CPU seconds per
million records, beside the like-for-like ceiling (frames: datagen-frames, bytes: datagen-bytes, both
parallelism 1; the ceilings run flat out, so their per-second cost is spread thin already).
Usage: bench/flink-net-cpu.py OUT
"""
import glob
import os
import re
import sys

KV = re.compile(r"(\w+)=(-?[\d.]+)")


def result(line):
    return {k: float(v) for k, v in KV.findall(line)} if "captured=" in line else None


def lines(path):
    return open(path).read().splitlines() if os.path.exists(path) else []


def main(out):
    idle, ceilings = {}, {}
    for line in lines(os.path.join(out, "idle.txt")):
        m, r = re.match(r"idle (\w+) parallelism 1:", line), result(line)
        if m and r and r.get("elapsed_s", 0) > 0:
            idle[m.group(1)] = r["cpu_s"] / r["elapsed_s"]
    for line in lines(os.path.join(out, "ceilings.txt")):
        m, r = re.match(r"([\w-]+) parallelism 1:", line), result(line)
        if m and r:
            ceilings[m.group(1)] = r["cpu_s_per_M"]
    print("| run | records | captured | elapsed_s | cpu_s | gross cpu_s/M | idle cpu_s/s | net cpu_s/M "
          "| ceiling cpu_s/M | net / ceiling |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for log in sorted(glob.glob(os.path.join(out, "table", "logs", "table-*-flink*.log"))):
        run = os.path.basename(log)[len("table-"):-len(".log")]
        r = next((result(l) for l in reversed(lines(log)) if result(l)), None)
        if not r or r["captured"] <= 0:
            print(f"| {run} | | no result line | | | | | | | |")
            continue
        records = "bytes" if "flink_bytes" in run else "frames"
        ceiling = ceilings.get("datagen-bytes" if records == "bytes" else "datagen-frames")
        per_s = idle.get(records)
        gross = r["cpu_s"] / r["captured"] * 1e6
        net = None if per_s is None else (r["cpu_s"] - per_s * r["elapsed_s"]) / r["captured"] * 1e6
        # parallelism 2 runs two subtasks: its idle cost is not measured, the parallelism-1 figure is a floor
        note = " (p1 idle)" if "_p2" in run else ""
        fmt = lambda v, d=3: "n/a" if v is None else f"{v:.{d}f}"
        ratio = None if net is None or not ceiling else net / ceiling
        print(f"| {run} | {records} | {r['captured']:.0f} | {r['elapsed_s']:.1f} | {r['cpu_s']:.2f} | {gross:.3f} "
              f"| {fmt(per_s)}{note} | {fmt(net)} | {fmt(ceiling)} | {fmt(ratio, 2)} |")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[-1])
    main(sys.argv[1])
