#!/usr/bin/env bash
# Spool write and drain throughput (frames/s, MB/s) at 64 and 1514 B, frame and batch records,
# beside dd's sequential write throughput to the same directory, in the same run.
# A benchmark, not a test. Usage: bench/spool-throughput.sh [DIR] [MIB_PER_RUN] [REPEATS] [FSYNC]
#   DIR defaults to a fresh directory under /var/tmp (a disk, not tmpfs); it is removed afterwards.
# Needs DIR's filesystem to have about 2 x MIB_PER_RUN free.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
. "$root/scripts/find-jdk.sh"
capstream_find_jdk || exit 2
base=${1:-}
mib=${2:-512}
repeats=${3:-3}
fsync=${4:-none}
own=0
if [ -z "$base" ]; then base=$(mktemp -d /var/tmp/capstream-spool-bench-XXXXXX); own=1; fi
mkdir -p "$base"
cleanup() { rm -rf "$base/dd.bin" "$base/spool"; [ "$own" = 1 ] && rm -rf "$base"; true; }
trap cleanup EXIT
(cd "$root" && ./mvnw -B -q -DskipTests -pl connector-kafka -am test-compile) >&2
cp=$root/connector-kafka/target/classes:$root/connector-kafka/target/test-classes
for j in "$root"/schemas/target/schemas-*.jar "$root"/capture-native/target/capture-native-*.jar; do [ -f "$j" ] && cp=$cp:$j; done
cp=$cp:$root/schemas/target/classes:$root/capture-native/target/classes:$root/connector-kafka/target/lib/*
echo "machine: $(nproc) cores, $(uname -r), dir $base on $(df --output=source,fstype "$base" | tail -1), load: $(cut -d' ' -f1-3 /proc/loadavg)"
dd_page=""; dd_sync=""
for sync in none fdatasync; do
  conv=""; [ "$sync" = fdatasync ] && conv="conv=fdatasync"
  out=$(dd if=/dev/zero of="$base/dd.bin" bs=1M count="$mib" $conv 2>&1 | tail -1)
  rm -f "$base/dd.bin"
  # "N bytes (...) copied, S s, R": MB/s from the bytes and seconds, whatever unit dd chose for R
  mbps=$(awk '{ for (i = 1; i <= NF; i++) if ($i == "s,") s = $(i - 1); printf "%.1f", $1 / s / 1e6 }' <<<"$out")
  if [ "$sync" = none ]; then dd_page=$mbps; else dd_sync=$mbps; fi
  echo "dd bs=1M count=$mib ${conv:-(page cache)}: dd_MBps=$mbps ($out)"
done
# Each case's write MB/s beside dd's in the same directory, same run: dd to the page cache for
# fsync none, dd with fdatasync for the policies that sync.
dd_mbps=$dd_page; [ "$fsync" = none ] || dd_mbps=$dd_sync
"$JAVA_HOME/bin/java" -Xmx512m -cp "$cp" dev.capstream.spool.SpoolThroughput "$base/spool" "$mib" "$repeats" "$fsync" \
  | awk -v dd="$dd_mbps" '{ for (i = 1; i <= NF; i++) if ($i ~ /^write_MBps=/) { split($i, a, "="); w = a[2] }
                            printf "%s write_vs_dd=%.2f\n", $0, w / dd }'
