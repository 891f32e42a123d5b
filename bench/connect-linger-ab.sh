#!/usr/bin/env bash
# Connect frame mode at 64 B with poll() gathering (poll.linger.ms=1, the default) against the same
# connector without it (poll.linger.ms=0, what poll() did before), beside the sidecar, in ONE run of
# bench/live-table.sh: readers connect_frame, connect_frame_l0, sidecar_frame, rotated each round.
#   bench/connect-linger-ab.sh                      # loss-free search, 2 rounds (~7 min)
#   MODE=table REPEATS=3 bench/connect-linger-ab.sh # offered-load table at full speed, 3 rounds (~3 min)
# Run it alone on the machine (flock /tmp/capbench.lock) and quote the ratios of one run.
# TAG/PORT/CONNECT_PORT name its veth pair, broker and Connect REST port (defaults: ch17, 19417, 18417).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export TAG=${TAG:-ch17} PORT=${PORT:-19417} CONNECT_PORT=${CONNECT_PORT:-18417} FLINK=0 SIZES=${SIZES:-64}
export MODE=${MODE:-search} SEARCH_REPEATS=${SEARCH_REPEATS:-2} REPEATS=${REPEATS:-1}
export READER_connect_frame_l0="KAFKA=127.0.0.1:$PORT MODE=frame CONNECTOR_EXTRA=poll.linger.ms=0 $root/bench/capture-to-connect-reader.sh"
export READERS="connect_frame connect_frame_l0 sidecar_frame" SEARCH_READERS="connect_frame connect_frame_l0 sidecar_frame"
exec "$root/bench/live-table.sh"
