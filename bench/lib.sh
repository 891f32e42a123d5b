# Shared by the bench/ scripts (sourced, not run).

# async_profiler_lib WORK NAME: fetches async-profiler 4.1 from Maven Central into WORK/m2 (once) and
# prints the path of its Linux x64 library, unpacked into WORK. AP_JAR= names another jar.
# 4.1: 2.9 crashes JDK 25 in VMThread::nativeThreadId.
async_profiler_lib() {
  local work=$1 name=$2 root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  local jar=${AP_JAR:-$work/m2/tools/profiler/async-profiler/4.1/async-profiler-4.1.jar}
  [ -f "$jar" ] || (cd "$root" && ./mvnw -B -q dependency:get -Dartifact=tools.profiler:async-profiler:4.1 \
      -Dtransitive=false -Dmaven.repo.local="$work/m2") >&2
  [ -f "$jar" ] || { echo "$name: no async-profiler jar at $jar (AP_JAR=...)" >&2; return 2; }
  (cd "$work" && unzip -oq "$jar" linux-x64/libasyncProfiler.so) || return 2
  echo "$work/linux-x64/libasyncProfiler.so"
}

# copy_harnesses SHARED CACHE TAG NAME: copies ../shared/bench/{capture,kafka} into CACHE (the Kafka
# jars fetched there are kept) and points the capture harness at veth TAGa/TAGb and netns TAG-tx,
# without its pcap4j build (no table here runs that reader).
copy_harnesses() {
  local shared=$1 cache=$2 tag=$3 name=$4 h
  for h in capture kafka; do
    mkdir -p "$cache/$h"
    (cd "$shared/bench/$h" && tar --exclude=results --exclude=lib --exclude=target -cf - .) | tar -C "$cache/$h" -xf -
  done
  sed -i "s/^IFACE=bench0 NETNS=bench-tx TXIF=bench1\$/IFACE=${tag}a NETNS=${tag}-tx TXIF=${tag}b/;
          s/^  if \[ ! -d pcap4j-peer\/target\/lib \].*/  if false; then/" "$cache/capture/run.sh"
  grep -q "^IFACE=${tag}a" "$cache/capture/run.sh" \
    || { echo "$name: cannot retarget the capture harness's veth names" >&2; return 2; }
}
