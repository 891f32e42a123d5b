# Sourced by ./capstream and ./run-tests: sets JAVA_HOME to a JDK 25 or newer, or explains why not.
# Order: $JAVA_HOME, then every JDK under /usr/lib/jvm (newest first), then the java on PATH.

capstream_java_major() {
  # The JDK's own release file is the cheapest reliable answer; fall back to asking java.
  local home=$1 v
  if [ -r "$home/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release")
  fi
  if [ -z "${v:-}" ] && [ -x "$home/bin/java" ]; then
    v=$("$home/bin/java" -XshowSettings:properties -version 2>&1 \
          | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')
  fi
  echo "${v:-0}"
}

capstream_find_jdk() {
  local need=25 candidates=() c seen=""
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  for c in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do candidates+=("${c%/}"); done
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for c in "${candidates[@]}"; do
    [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || { seen="$seen $c"; continue; }
    if [ "$(capstream_java_major "$c")" -ge "$need" ]; then
      export JAVA_HOME=$c
      return 0
    fi
    seen="$seen $c(JDK $(capstream_java_major "$c"))"
  done
  {
    echo "capstream: no JDK $need or newer found (looked at:${seen:- nothing})."
    echo "capstream: it needs JDK $need+ for the FFM API. Install one, e.g. Temurin $need from adoptium.net"
    echo "capstream: (or openjdk-$need-jdk), then set JAVA_HOME to it or put it under /usr/lib/jvm."
  } >&2
  return 1
}
