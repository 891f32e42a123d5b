#!/usr/bin/env python3
"""The same-run ratios issue 17's targets are stated in, from one bench/live-table.sh result directory.

Reads search.csv (the capture harness's loss-free search: rep,size,reader,max_lossfree_pps,note) and
datagen.csv (Flink's DataGeneratorSource ceiling: parallelism,"captured=... records_per_s=R"; the
key bytesP is the byte[] ceiling of 64 B records, the size of flink_bytes_pP's records at 64 B frames).
A reader that lost nothing even at the generator's full rate is "gen-limited": its true limit is
higher, so a ratio with it in the denominator is a lower bound only when the numerator is not
gen-limited too; both gen-limited says nothing but "both took everything offered".
  live-ratios.py RESULT_DIR
"""
import csv
import os
import re
import statistics
import sys

out = sys.argv[1]
search = {}
path = os.path.join(out, "search.csv")
if os.path.exists(path):
    for row in csv.DictReader(open(path)):
        key = (row["reader"], row["size"])
        search.setdefault(key, []).append((float(row["max_lossfree_pps"]), row["note"] == "gen-limited"))


def lossfree(reader, size):
    runs = search.get((reader, size))
    if not runs:
        return None, False
    return statistics.median(r for r, _ in runs), all(g for _, g in runs)


datagen = {}
path = os.path.join(out, "datagen.csv")
if os.path.exists(path):
    for line in open(path):
        p, _, rest = line.strip().partition(",")
        m = re.search(r"records_per_s=([0-9.]+)", rest)
        datagen[p] = float(m.group(1)) if m else None


def fmt(v, gen):
    return "-" if v is None else f"{v:,.0f}{' (gen-limited)' if gen else ''}"


def ratio(num, num_gen, den, den_gen):
    if num is None or den is None or den == 0:
        return "-"
    r = num / den
    if num_gen and den_gen:
        return f"{r:.2f} (both took all offered: no limit found)"
    if num_gen:
        return f">= {r:.2f} (numerator gen-limited)"
    if den_gen:
        return f"<= {r:.2f} (denominator gen-limited)"
    return f"{r:.2f}"


rows = []
for size in sorted({s for _, s in search}, key=int):
    for host, base, target in (("connect_frame", "sidecar_frame", "0.8"), ("connect_batch", "sidecar_batch", "0.8")):
        n, ng = lossfree(host, size)
        d, dg = lossfree(base, size)
        if n is not None or d is not None:
            rows.append((f"{host} / {base} loss-free pps", size, fmt(n, ng), fmt(d, dg), ratio(n, ng, d, dg), target))
    for p in ("1", "2"):
        n, ng = lossfree(f"flink_p{p}", size)
        d = datagen.get(p)
        if n is not None or p in datagen:
            rows.append((f"flink_p{p} loss-free pps / DataGeneratorSource p{p} records/s", size, fmt(n, ng),
                         fmt(d, False), ratio(n, ng, d, False), "0.8"))
    n, ng = lossfree("flink_bytes_p1", size)
    d = datagen.get("bytes1")
    if n is not None or "bytes1" in datagen:
        rows.append(("flink_bytes_p1 loss-free pps / DataGeneratorSource byte[64] p1 records/s", size, fmt(n, ng),
                     fmt(d, False), ratio(n, ng, d, False), "0.8"))
    ref, refg = lossfree("ref_v3_f1", size)
    for host in ("sidecar_frame", "sidecar_batch"):
        n, ng = lossfree(host, size)
        if n is not None and ref is not None:
            rows.append((f"{host} / ref_v3_f1 loss-free pps", size, fmt(n, ng), fmt(ref, refg),
                         ratio(n, ng, ref, refg), "batch: no loss at full rate" if host.endswith("batch") else "raise"))
if rows:
    print("\n### Same-run ratios (issue 17's targets)\n")
    print("| ratio | frame B | numerator | denominator | ratio | target |")
    print("|---|---:|---:|---:|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
else:
    print("\n(no loss-free search in this run: MODE=all or MODE=search gives the same-run ratios)")
