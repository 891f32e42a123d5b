#!/usr/bin/env python3
"""Summarises an async-profiler collapsed profile taken with `threads` (bench/flink-profile.sh):
samples by thread, then for the busiest threads their top self (leaf) frames and the inclusive
share of frames in capstream's code, so a per-record cost in our code stands out.
  bench/profile-summary.py profile.collapsed [THREADS_SHOWN=4] [FRAMES_SHOWN=15]"""
import collections
import re
import sys


def thread_group(name):
    # "[Source: capture -> Filter (1/1)#0 tid=1234]" -> "Source: capture -> Filter (1/1)#0"
    return re.sub(r"\s*tid=\d+\]$", "", name.strip("[")).rstrip("]")


def main():
    path = sys.argv[1]
    threads_shown = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    frames_shown = int(sys.argv[3]) if len(sys.argv) > 3 else 15
    by_thread = collections.Counter()
    stacks = collections.defaultdict(list)
    total = 0
    with open(path) as f:
        for line in f:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            if not stack:
                continue
            n = int(count)
            frames = stack.split(";")
            thread = thread_group(frames[0]) if frames[0].startswith("[") else "(no thread)"
            body = frames[1:] if frames[0].startswith("[") else frames
            by_thread[thread] += n
            stacks[thread].append((body, n))
            total += n
    print(f"samples: {total}")
    print("\n== samples by thread")
    for t, n in by_thread.most_common(20):
        print(f"{n:8d} {100.0 * n / total:5.1f}%  {t}")
    for t, n in by_thread.most_common(threads_shown):
        self_frames = collections.Counter()
        ours = collections.Counter()
        for body, c in stacks[t]:
            if body:
                self_frames[body[-1]] += c
            for fr in set(body):
                if fr.startswith("dev/capstream") or fr.startswith("dev.capstream"):
                    ours[fr] += c
        print(f"\n== {t}: {n} samples; top self frames")
        for fr, c in self_frames.most_common(frames_shown):
            print(f"{c:8d} {100.0 * c / n:5.1f}%  {fr}")
        print(f"-- {t}: capstream frames, inclusive")
        for fr, c in ours.most_common(frames_shown):
            print(f"{c:8d} {100.0 * c / n:5.1f}%  {fr}")


if __name__ == "__main__":
    main()
