#!/usr/bin/env bash
# The Flink host's standing benchmark (issue 17), one command: live capture into a discarding sink
# through the capture harness (../shared/bench/capture), beside the C TPACKET_V3 reference in the same
# rounds, then the framework's ceilings on the same CPU budget (pinned like a harness reader):
#   flink_p1 / flink_p2   bench/capture-to-flink-reader.sh, PARALLELISM 1 / 2 (one fanout member per subtask),
#                         Avro CapturedFrame records (RECORDS=frames)
#   flink_bytes_p1        the same job with byte[] records (RECORDS=bytes: FrameDeserializer.bytes())
#   datagen               Flink's DataGeneratorSource, byte[] records of 134 B (a 64 B frame's CapturedFrame)
#   datagen-bytes         the same, byte[] records of 64 B: the size of flink_bytes_p1's records at 64 B
#   datagen-frames        the same generator making CapturedFrame records of 64 B frames (no ring)
# and the loss-free rate search (flink_p1 and flink_bytes_p1 against the reference). Every job prints
# cpu_s_per_M, so the live job's CPU per record (the harness's reader_cpu_s_per_M) compares with the
# ceilings'. The live jobs are rate-bound and the ceilings run flat out, so last the live jobs run
# IDLE_DURATION (3) s on an idle veth pair of their own (no traffic, pinned like a reader): their CPU
# per second then, subtracted from each table run's CPU (the job's own cpu_s over its elapsed_s),
# gives the per-record CPU net of the fixed per-second cost (net.txt).
#   bench/flink-live.sh                      # 64 B, 1 round, table + search + ceilings + idle (~8 min)
#   SIZES="64 1514" REPEATS=3 bench/flink-live.sh
# Root; gcc, python3, a JDK 25. The harness is copied to $CACHE and runs on its own veth pair
# (TAG=fl17: fl17a/fl17b, netns fl17-tx; the idle pair fl17ia/fl17ib), under `flock /tmp/capbench.lock` (one
# harness run at a time).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=$root/../shared; [ -d "$shared" ] || shared=$root/../../shared   # a checkout or a worktree
cache=${CACHE:-/var/tmp/capstream-flink-bench}
out=${OUTDIR:-$cache/results/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$cache/capture" "$out"
(cd "$shared/bench/capture" && tar --exclude=results --exclude=lib --exclude=target -cf - .) | tar -C "$cache/capture" -xf -
tag=${TAG:-fl17}
[[ $tag =~ ^[a-z0-9]{1,12}$ ]] || { echo "flink-live: TAG=$tag: use 1-12 lower-case letters or digits (it names the veth pairs)" >&2; exit 2; }
sed -i "s/^IFACE=bench0 NETNS=bench-tx TXIF=bench1\$/IFACE=${tag}a NETNS=${tag}-tx TXIF=${tag}b/;
        s/^  if \[ ! -d pcap4j-peer\/target\/lib \].*/  if false; then/" "$cache/capture/run.sh"
grep -q "^IFACE=${tag}a" "$cache/capture/run.sh" || { echo "flink-live: cannot retarget the capture harness's veth names" >&2; exit 2; }
adapter=$root/bench/capture-to-flink-reader.sh
FLINK_BUILD=${FLINK_BUILD:-1} SOURCE=datagen DURATION=1 "$adapter" >/dev/null 2>&1 \
  || { echo "flink-live: the Flink job does not run (FLINK_BUILD=1 $adapter)" >&2; exit 2; }
export READER_flink_p1="PARALLELISM=1 $adapter" READER_flink_p2="PARALLELISM=2 $adapter"
export READER_flink_bytes_p1="PARALLELISM=1 RECORDS=bytes $adapter"
idle() {  # the live jobs with no traffic: an idle veth pair, IPv6 off so not even a solicitation is sent
  local a=${tag}ia b=${tag}ib records
  ip link del "$a" 2>/dev/null || true
  trap "ip link del $a 2>/dev/null || true" RETURN
  ip link add "$a" type veth peer name "$b"
  for i in "$a" "$b"; do echo 1 >"/proc/sys/net/ipv6/conf/$i/disable_ipv6"; ip link set "$i" up; done
  for records in frames bytes; do
    echo "idle $records parallelism 1: $(CAP_IFACE=$a CAP_DURATION=${IDLE_DURATION:-3} RECORDS=$records PARALLELISM=1 \
      taskset -c "${READER_CPUS-1}" "$adapter" 2>/dev/null | grep captured= | tail -1)"
  done
}
run() {
  cd "$cache/capture"
  READERS="ref_v3_f1 flink_p1 flink_p2 flink_bytes_p1" SIZES=${SIZES:-64} REPEATS=${REPEATS:-1} \
    COUNT=${COUNT:-2000000} MAXDUR=${MAXDUR:-5} OUTDIR=$out/table ./run.sh table
  SEARCH_READERS="ref_v3_f1 flink_p1 flink_bytes_p1" SIZES=${SIZES:-64} OUTDIR=$out/search ./run.sh search
  for p in 1 2; do
    for src in datagen datagen-bytes datagen-frames; do
      case $src in
        datagen-bytes) line=$(PARALLELISM=$p SOURCE=datagen RECORD_BYTES=64 DURATION=10 "$adapter" 2>/dev/null) ;;
        *) line=$(PARALLELISM=$p SOURCE=$src DURATION=10 "$adapter" 2>/dev/null) ;;
      esac
      echo "$src parallelism $p: $(grep captured= <<<"$line" | tail -1)"
    done
  done | tee "$out/ceilings.txt"
  idle | tee "$out/idle.txt"
}
export -f run idle; export cache out adapter tag
flock /tmp/capbench.lock bash -c run
echo; echo "== $out"; cat "$out/table/summary.md" 2>/dev/null | head -40; cat "$out/search/search.csv" 2>/dev/null
cat "$out/ceilings.txt" "$out/idle.txt"
python3 "$root/bench/flink-net-cpu.py" "$out" | tee "$out/net.txt"
