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
# Overrides: CAPSTREAM_HEAP=512m (the -Xmx value), CAPSTREAM_DIRECT_MEMORY=128m; an -Xmx or
# -XX:MaxDirectMemorySize of your own in JAVA_OPTS wins over both.

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
}
