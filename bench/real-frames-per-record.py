#!/usr/bin/env python3
"""Puts the real frames per record into a Kafka-harness .jsonl written by kafka-produce.sh.

The harness counts records on the broker (--frames-per-record 1 was passed); replay-result.sh
appended "TOPIC DELIVERED_FRAMES" per run to the delivered log. frames/record = capstream's delivered
frames / the topic's end offset, both over the whole run (1.0 in frame mode; in batch mode ~1000 at
64 B and far fewer at 512 and 1514 B, where a 256 KiB batch fills before 1000 frames).
  real-frames-per-record.py RESULTS.jsonl DELIVERED.txt
"""
import json
import sys

out, log = sys.argv[1], sys.argv[2]
delivered = dict(l.split() for l in open(log) if len(l.split()) == 2)
rows = [json.loads(l) for l in open(out) if l.strip()]
for r in rows:
    frames, records = int(delivered.get(r.get("topic"), 0)), r.get("end_offsets") or 0
    if not frames or records <= 0 or "frames_per_record_measured" in r:
        continue
    fpr = frames / records
    r["frames_per_record_measured"] = round(fpr, 1)
    if r.get("broker_records_per_s"):
        r["broker_frames_per_s"] = round(r["broker_records_per_s"] * fpr)
        cpu = (r.get("cpu_broker") or 0) + (r.get("cpu_producer") or 0)
        r["frames_per_cpu_s"] = round(r["broker_frames_per_s"] / cpu) if cpu > 0 else None
    if r.get("self_frames_per_s"):
        r["self_records_per_s"] = round(r["self_frames_per_s"] / fpr)
    print(f"{r.get('label')} {r.get('size')} B: {fpr:.1f} frames per record "
          f"(delivered {frames} frames / {records} records)")
with open(out, "w") as f:
    for r in rows:
        f.write(json.dumps(r) + "\n")
