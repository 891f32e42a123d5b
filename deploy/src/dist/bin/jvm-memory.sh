# Sourced by both capstream launchers (the distribution's bin/capstream and the checkout's ./capstream):
# bounds the JVM's heap and direct memory from the run's own settings, instead of the JVM default
# maximum heap of a quarter of the machine (6 GiB on a 24 GiB host, which a sidecar then grows into).
#
#   heap   = the producer's buffer.memory (records waiting for Kafka live on the heap; 64 MiB unless
#            --producer-property buffer.memory=N or producer.buffer.memory=N in the --config file)
#            + 64 MiB of working set, + 1 GiB when capture runs its embedded broker (no broker named)
#   direct = 64 MiB (NIO's socket buffers; the capture ring is mmap'd kernel memory, not direct memory)
#
# The ring (ring-block-size x ring-blocks per fanout member) is outside the JVM's flags altogether: it
# is kernel memory mapped into the process, counted in its RSS. So RSS stays near
# ring + buffer.memory + ~150 MiB (bench/footprint.sh measures it).
#
# Capture and replay into a named broker with a heap of at most 512 MiB also get the serial
# collector and a 32 MiB initial heap (-XX:+UseSerialGC -Xms32m). Measured (bench/footprint.sh,
# NMT): G1 commits ~38 MiB of its own structures for a 128 MiB heap and grows the heap to its
# maximum over minutes although 20-70 MiB is in use; the serial collector keeps ~0.1 MiB and a heap
# sized to what is live. Its young collections of a few MiB of live data cost the capture loop
# no measurable CPU (bench/results/footprint-*.md has the same-run capture table). Larger heaps
# (a big buffer.memory) keep the JVM's default collector, whose pauses do not grow with the heap.
#
# Overrides: CAPSTREAM_HEAP=512m (the -Xmx value), CAPSTREAM_DIRECT_MEMORY=128m; an -Xmx or
# -XX:MaxDirectMemorySize of your own in JAVA_OPTS wins over both, a collector of your own
# (-XX:+UseG1GC ...) over the serial one, and an -Xms of your own over -Xms32m.

# capstream_memory_opts ARGS... -> sets the array capstream_memory_opts_out
capstream_memory_opts() {
  capstream_memory_opts_out=()
  local command=${1:-} config="" buffer="" broker_named=no prev="" arg value
  for arg in "$@"; do
    case $prev in
      --config) config=$arg ;;
      --producer-property) case $arg in buffer.memory=*) buffer=${arg#buffer.memory=} ;; esac ;;
    esac
    case $arg in
      --config=*) config=${arg#--config=} ;;
      --producer-property=buffer.memory=*) buffer=${arg#--producer-property=buffer.memory=} ;;
      --bootstrap-servers|--bootstrap-servers=*) broker_named=yes ;;
    esac
    prev=$arg
  done
  if [ -n "$config" ] && [ -r "$config" ]; then
    if [ -z "$buffer" ]; then
      value=$(sed -n 's/^[[:space:]]*producer\.buffer\.memory[[:space:]]*[=:][[:space:]]*\([0-9]*\).*/\1/p' "$config" | tail -1)
      buffer=$value
    fi
    grep -q '^[[:space:]]*bootstrap-servers[[:space:]]*[=:]' "$config" && broker_named=yes
  fi
  case $buffer in ''|*[!0-9]*) buffer=$((64 << 20)) ;; esac
  local heap_mib=$(( (buffer + (1 << 20) - 1) / (1 << 20) + 64 ))
  # Only capture and replay feed a producer; with no broker named they start the embedded one
  # (Kafka's broker wants about 1 GiB of its own). Other commands (tail, export, demo) keep the
  # JVM's default unless CAPSTREAM_HEAP says otherwise.
  case $command in
    capture|replay) [ "$broker_named" = yes ] || heap_mib=$((heap_mib + 1024)) ;;
    *) [ -n "${CAPSTREAM_HEAP:-}" ] || heap_mib="" ;;
  esac
  case " ${JAVA_OPTS:-} " in
    *" -Xmx"*|*" -XX:MaxHeapSize="*|*" -XX:MaxRAMPercentage="*) ;;
    *) if [ -n "${CAPSTREAM_HEAP:-}" ]; then capstream_memory_opts_out+=("-Xmx$CAPSTREAM_HEAP")
       elif [ -n "$heap_mib" ]; then capstream_memory_opts_out+=("-Xmx${heap_mib}m"); fi ;;
  esac
  case " ${JAVA_OPTS:-} " in
    *" -XX:MaxDirectMemorySize="*) ;;
    *) capstream_memory_opts_out+=("-XX:MaxDirectMemorySize=${CAPSTREAM_DIRECT_MEMORY:-64m}") ;;
  esac
  # The serial collector for a producer with a small heap (see above); the heap in effect is the
  # user's -Xmx, else CAPSTREAM_HEAP, else ours.
  local heap_in_effect
  heap_in_effect=$(capstream_mib "$(sed -n 's/.*\(^\| \)-Xmx\([^ ]*\).*/\2/p' <<<"${JAVA_OPTS:-}")")
  [ -n "$heap_in_effect" ] || heap_in_effect=$(capstream_mib "${CAPSTREAM_HEAP:-}")
  [ -n "$heap_in_effect" ] || heap_in_effect=$heap_mib
  case $command in capture|replay) ;; *) return 0 ;; esac
  [ "$broker_named" = yes ] && [ -n "$heap_in_effect" ] && [ "$heap_in_effect" -le 512 ] || return 0
  grep -qE '(^| )-XX:\+Use[A-Za-z0-9]*GC( |$)' <<<"${JAVA_OPTS:-}" && return 0
  capstream_memory_opts_out+=("-XX:+UseSerialGC")
  case " ${JAVA_OPTS:-} " in
    *" -Xms"*|*" -XX:InitialHeapSize="*) ;;
    *) capstream_memory_opts_out+=("-Xms32m") ;;
  esac
}

# capstream_mib SIZE -> prints a JVM size (512m, 1g, 1048576k, 268435456) in MiB, or nothing
capstream_mib() {
  local n=${1%[kKmMgG]}
  case $n in ''|*[!0-9]*) return 0 ;; esac
  case $1 in
    *[kK]) echo $((n / 1024)) ;;
    *[mM]) echo "$n" ;;
    *[gG]) echo $((n * 1024)) ;;
    *) echo $((n >> 20)) ;;
  esac
}
