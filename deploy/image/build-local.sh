#!/usr/bin/env bash
# Builds the capstream image from deploy/docker/Dockerfile (the very file users build) on this
# machine, where Docker Hub does not answer: the two base images the Dockerfile takes as build
# arguments are made here instead.
#   - a minimal Debian 12 base: debootstrap --variant=minbase, imported into the local image store;
#   - a Java 25 runtime: jlink from the local JDK 25 with only the modules capstream uses, on that base;
#   - the image: buildah bud, chroot isolation, docker format (it keeps the HEALTHCHECK), from the
#     capture-host tarball ./mvnw package made (DIST_STAGE=prebuilt).
# The base and the runtime are built once and kept: the base's root file system tarball under
# $CAPSTREAM_CACHE (default ~/.cache/capstream), both images in the local store, the runtime tagged
# by the JDK's version and the module list.
#
# Usage: deploy/image/build-local.sh [--tag IMAGE] [--tarball CAPTURE-HOST.tar.gz]
#   --tag      the image to build (default localhost/capstream:VERSION)
#   --tarball  default deploy/target/capstream-VERSION-capture-host.tar.gz (built first when missing)
# Needs root, podman, buildah and debootstrap (Debian: apt-get install podman buildah runc
# fuse-overlayfs uidmap debootstrap). The last line on stdout is: image=TAG bytes=SIZE seconds=TIME
# Exit codes: 0 built; 2 something this machine lacks (named on stderr); 1 a step failed.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
started=$(date +%s)
say() { echo "build-local: $*" >&2; }
fail() { say "$*"; exit 2; }

tag="" tarball=""
while [ $# -gt 0 ]; do
  case $1 in
    --tag) tag=${2:?--tag needs an image name}; shift 2 ;;
    --tarball) tarball=${2:?--tarball needs a file}; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) fail "unknown argument '$1' (see --help)" ;;
  esac
done

[ "$(id -u)" = 0 ] || fail "needs root (debootstrap, setcap and chroot-isolated builds); run it with sudo"
for tool in podman buildah debootstrap tar; do
  command -v "$tool" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin command -v "$tool" >/dev/null 2>&1 \
    || fail "$tool is not installed (Debian: apt-get install -y podman buildah runc fuse-overlayfs uidmap debootstrap)"
done
export PATH=$PATH:/usr/sbin:/sbin
. "$root/scripts/find-jdk.sh"
capstream_find_jdk || exit 2

version=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' "$root/pom.xml" | head -n 1)
tag=${tag:-localhost/capstream:$version}
if [ -z "$tarball" ]; then
  tarball=$root/deploy/target/capstream-$version-capture-host.tar.gz
  if [ ! -f "$tarball" ]; then
    say "building $tarball (./mvnw -pl deploy -am package, tests skipped)..."
    (cd "$root" && ./mvnw -B -q -DskipTests -pl deploy -am package) >&2
  fi
fi
[ -f "$tarball" ] || fail "$tarball is missing: build it with ./mvnw -pl deploy -am package"

cache=${CAPSTREAM_CACHE:-$HOME/.cache/capstream}/image
mkdir -p "$cache"
work=$(mktemp -d /tmp/capstream-image.XXXXXX)
trap 'rm -rf "$work"' EXIT
# --layers: an unchanged base and apt step come from the cache, so a rebuild only copies the new tarball.
bud() { buildah bud --isolation chroot --format docker --layers --quiet "$@" >&2; }

# 1. The Debian base. debootstrap takes about a minute; its tarball is kept, so later runs only import.
suite=bookworm
base=localhost/capstream-base:$suite
if ! podman image exists "$base"; then
  rootfs_tar=$cache/debian-$suite-minbase.tar
  if [ ! -s "$rootfs_tar" ]; then
    say "debootstrap --variant=minbase $suite (about a minute)..."
    debootstrap --variant=minbase --include=libcap2-bin,libpcap0.8 "$suite" "$work/rootfs" \
      "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" > "$work/debootstrap.log" 2>&1 \
      || { tail -n 20 "$work/debootstrap.log" >&2; say "debootstrap failed"; exit 1; }
    # Package caches and documentation are no part of an image.
    rm -rf "$work"/rootfs/var/cache/apt/archives/*.deb "$work"/rootfs/var/cache/apt/*.bin "$work"/rootfs/var/lib/apt/lists/* \
      "$work"/rootfs/usr/share/doc/* "$work"/rootfs/usr/share/man/* "$work"/rootfs/usr/share/info/* "$work"/rootfs/usr/share/locale/*
    tar --numeric-owner --xattrs -C "$work/rootfs" -cf "$rootfs_tar.part" .
    mv "$rootfs_tar.part" "$rootfs_tar"
    rm -rf "$work/rootfs"
  fi
  podman import --quiet --change 'CMD ["/bin/bash"]' "$rootfs_tar" "$base" >/dev/null
  say "imported $base"
fi

# 2. The Java 25 runtime, laid out as the eclipse-temurin images lay theirs out ($JAVA_HOME=/opt/java/openjdk).
# The modules: what jdeps reports for lib/ of the capture-host tarball (java.desktop: log4j's
# java.beans events), less java.sql, java.rmi, java.scripting and java.compiler, which only code
# paths capstream never takes refer to; ContainerImageIT runs capture on the result.
modules=java.base,java.desktop,java.logging,java.management,java.naming,java.net.http,java.security.jgss,java.security.sasl,java.xml,jdk.httpserver,jdk.unsupported
jdk_version=$(sed -n 's/^JAVA_VERSION="\(.*\)"/\1/p' "$JAVA_HOME/release")
runtime=localhost/capstream-jre:$jdk_version-$(echo "$base $modules" | sha256sum | cut -c1-12)
if ! podman image exists "$runtime"; then
  say "jlink $jdk_version: $modules"
  mkdir -p "$work/jre-context"
  "$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
    --compress zip-6 --output "$work/jre-context/jre"
  cat > "$work/jre-context/Containerfile" <<CONTAINERFILE
FROM $base
COPY jre /opt/java/openjdk
ENV JAVA_HOME=/opt/java/openjdk PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8
CONTAINERFILE
  bud -t "$runtime" -f "$work/jre-context/Containerfile" "$work/jre-context"
  say "built $runtime"
fi

# 3. The image, from the Dockerfile as it is, with a context of only the two files its prebuilt path copies.
mkdir -p "$work/context/deploy/target" "$work/context/deploy/src/dist/config"
cp "$tarball" "$work/context/deploy/target/capstream-$version-capture-host.tar.gz"
cp "$root/deploy/src/dist/config/capstream.properties" "$work/context/deploy/src/dist/config/"
say "building $tag from deploy/docker/Dockerfile on $runtime..."
# buildah 1.28 leaves the working container of a stage that is only a FROM (the Dockerfile's
# 'FROM ${DIST_STAGE} AS dist') behind: remove the ones this build made.
containers_before=$(buildah containers -q | sort)
bud -t "$tag" -f "$root/deploy/docker/Dockerfile" \
  --build-arg RUNTIME_IMAGE="$runtime" --build-arg BUILD_IMAGE="$runtime" \
  --build-arg PCAP_PACKAGE=libpcap0.8 --build-arg DIST_STAGE=prebuilt "$work/context"
leftover=$(comm -13 <(echo "$containers_before") <(buildah containers -q | sort))
[ -z "$leftover" ] || buildah rm $leftover >/dev/null
bytes=$(podman image inspect --format '{{.Size}}' "$tag")
echo "image=$tag bytes=$bytes seconds=$(( $(date +%s) - started ))"
