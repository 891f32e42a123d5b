#!/bin/bash
# bench-capture under the harness, printing each thread's context switches just before SIGTERM reaches it
tag=$1; shift
/work/main/capstream bench-capture "$@" &
pid=$!
forward() {
  { echo "run $(date +%T.%N)"; for t in /proc/$pid/task/*; do
      echo "CS $(cat $t/comm | tr ' ' _) $(awk '/^voluntary_ctxt/{v=$2} /^nonvoluntary_ctxt/{n=$2} END{print v, n}' $t/status)"; done; } >> /tmp/cs-$tag.txt
  kill -TERM $pid
}
trap forward TERM INT
wait $pid; wait $pid
