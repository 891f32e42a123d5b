#!/usr/bin/env bash
# AF_XDP's filter stage and RX-timestamp program against the plain AF_XDP reader, in the capture
# harness (../shared/bench/capture) beside the C TPACKET_V3 reference, same rounds, one table
# (summarize.py: medians, ratios to ref_v3_f1 within each round):
#   capxdp      bench-capture --afxdp (defaults: timestamps auto, which on veth is the plain program)
#   capxdpflt   the same with --filter udp (every generated frame passes: the filter's own cost)
#   capxdphw    the same with --afxdp-timestamps hardware (the stamping program; veth stamps 0)
#   capxdpbase  optional: BASE=/path/to/another/checkout adds its bench-capture --afxdp (e.g. main)
#   bench/afxdp-features.sh                                  # 64 B, 2 rounds
#   SIZES="64 1514" REPEATS=3 BASE=/tmp/main-copy bench/afxdp-features.sh
# Root; gcc, python3, a JDK 25. The harness is copied to $CACHE and run on its own veth pair
# (xf18a/xf18b, netns xf18-tx), under flock /tmp/capbench.lock (one harness at a time).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=$root/../shared; [ -d "$shared" ] || shared=$root/../../shared   # a checkout or a worktree
cache=${CACHE:-/var/tmp/capstream-afxdp-bench}
mkdir -p "$cache"
(cd "$shared/bench/capture" && tar --exclude=results --exclude=target -cf - .) | tar -C "$cache" -xf -
sed -i 's/^IFACE=bench0 NETNS=bench-tx TXIF=bench1$/IFACE=xf18a NETNS=xf18-tx TXIF=xf18b/' "$cache/run.sh"
grep -q '^IFACE=xf18a' "$cache/run.sh" || { echo "afxdp-features: cannot retarget the harness's veth names" >&2; exit 2; }
"$root/capstream" --version >/dev/null   # builds the sidecar now, not inside a timed run
xdp="bench-capture --afxdp \"\$CAP_IFACE\" --afxdp-ring-size 32768"
export READER_capxdp="$root/capstream $xdp"
export READER_capxdpflt="$root/capstream $xdp --filter udp"
export READER_capxdphw="$root/capstream $xdp --afxdp-timestamps hardware"
readers="ref_v3_f1 capxdp capxdpflt capxdphw"
if [ -n "${BASE:-}" ]; then
  "$BASE/capstream" --version >/dev/null
  export READER_capxdpbase="$BASE/capstream $xdp"
  readers="ref_v3_f1 capxdpbase capxdp capxdpflt capxdphw"
fi
cd "$cache"
READERS="$readers" SIZES="${SIZES:-64}" REPEATS="${REPEATS:-2}" flock /tmp/capbench.lock ./run.sh table
