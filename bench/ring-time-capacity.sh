#!/usr/bin/env bash
# The ring's time capacity: how many seconds of traffic an AF_PACKET ring carries while nothing
# takes blocks off it (a Kafka outage without a spool), at 5k, 50k and 500k frames/s, 64 and 1514 B,
# with the default ring (1 MiB x 64 blocks, 100 ms) and the old one (10 ms timeout).
# A benchmark, not a test. Needs root and gcc. Usage: bench/ring-time-capacity.sh
#
# For each case a reader (RingHold, capture-native's test classes) opens the ring and takes nothing;
# the capture harness's paced generator (gen -r PPS, CAPBENCH/gen.c) sends for DUR seconds over a
# veth pair into it; then the reader counts the frames its ring held and the kernel's drops.
# seconds = held / the generator's achieved rate. "full=no" means the ring never dropped: the
# figure is then only a lower bound (raise DUR).
#
# Knobs: RATES ("5000 50000 500000"), SIZES ("64 1514"), GEOMETRIES ("default old"),
# IFACE/NETNS/TXIF (rtc0/rtc-tx/rtc1: the veth pair and namespace made and removed here),
# CAPBENCH (/work/shared/bench/capture), GEN_CPU (unset: unpinned).
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
. "$root/scripts/find-jdk.sh"
capstream_find_jdk || exit 2
RATES=${RATES:-5000 50000 500000}
SIZES=${SIZES:-64 1514}
GEOMETRIES=${GEOMETRIES:-default old}
IFACE=${IFACE:-rtc0} NETNS=${NETNS:-rtc-tx} TXIF=${TXIF:-rtc1}
CAPBENCH=${CAPBENCH:-/work/shared/bench/capture}
command -v gcc >/dev/null || { echo "ring-time-capacity: needs gcc (apt-get install -y gcc)" >&2; exit 2; }
[ -f "$CAPBENCH/gen.c" ] || { echo "ring-time-capacity: no $CAPBENCH/gen.c: set CAPBENCH to the capture harness" >&2; exit 2; }
tmp=$(mktemp -d /tmp/capstream-ring-time-XXXXXX)
gen=$tmp/gen
cleanup() { "$gen" --teardown -N "$NETNS" -P "$IFACE" >/dev/null 2>&1 || true; rm -rf "$tmp"; }
trap cleanup EXIT
gcc -O2 -Wall -o "$gen" "$CAPBENCH/gen.c"
(cd "$root" && ./mvnw -B -q -pl capture-native -am test-compile -DskipTests \
  && ./mvnw -B -q -pl capture-native dependency:build-classpath -Dmdep.includeScope=test \
       -Dmdep.outputFile="$tmp/cp.txt") >&2
cp=$root/capture-native/target/classes:$root/capture-native/target/test-classes:$(cat "$tmp/cp.txt")
"$gen" --setup -N "$NETNS" -i "$TXIF" -P "$IFACE" >&2
echo "machine: $(nproc) cores, $(uname -r), load: $(cut -d' ' -f1-3 /proc/loadavg)"

ring_args() { case $1 in default) ;; old) echo "1048576 64 10" ;; *) echo "unknown geometry $1" >&2; exit 2 ;; esac; }
# Long enough to fill the default ring at low rates (6.4 s), at most 1.5 M frames at high ones.
dur_for() { awk -v r="$1" 'BEGIN { d = 1500000 / r; if (d > 10) d = 10; if (d < 2) d = 2; printf "%.1f", d }'; }

printf '%-8s %9s %6s %10s %10s %9s %9s %8s %5s\n' geometry rate_fps size_B sent gen_pps held drops seconds full
for geometry in $GEOMETRIES; do
  for rate in $RATES; do
    for size in $SIZES; do
      dur=$(dur_for "$rate")
      hold=$(awk -v d="$dur" 'BEGIN { print d + 1.5 }')
      out=$tmp/hold.out
      # shellcheck disable=SC2046
      "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$cp" dev.capstream.capture.afpacket.RingHold \
        "$IFACE" "$hold" $(ring_args "$geometry") >"$out" 2>"$tmp/hold.err" &
      holder=$!
      for _ in $(seq 100); do grep -q '^ready' "$out" && break; sleep 0.1; done
      grep -q '^ready' "$out" || { cat "$tmp/hold.err" >&2; kill "$holder"; exit 1; }
      count=$(awk -v r="$rate" -v d="$dur" 'BEGIN { printf "%d", r * d }')
      g=$("$gen" -s "$size" -r "$rate" -n "$count" -d "$(awk -v d="$dur" 'BEGIN { print d + 5 }')" -m mmsg \
            -N "$NETNS" -i "$TXIF" -P "$IFACE" ${GEN_CPU:+-c "$GEN_CPU"})
      wait "$holder"
      sent=$(sed -n 's/.*sent=\([0-9]*\).*/\1/p' <<<"$g")
      pps=$(sed -n 's/.* pps=\([0-9.]*\).*/\1/p' <<<"$g")
      line=$(grep '^held=' "$out")
      held=$(sed -n 's/held=\([0-9]*\).*/\1/p' <<<"$line")
      drops=$(sed -n 's/.*drops=\([0-9]*\).*/\1/p' <<<"$line")
      awk -v g="$geometry" -v r="$rate" -v s="$size" -v n="$sent" -v p="$pps" -v h="$held" -v d="$drops" \
        'BEGIN { printf "%-8s %9d %6d %10d %10.0f %9d %9d %8.2f %5s\n", g, r, s, n, p, h, d, h / p, (d > 0 ? "yes" : "no") }'
    done
  done
done
