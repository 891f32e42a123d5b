#!/usr/bin/env bash
# Real verbs under qemu + Soft-RoCE (rxe): boots Debian's own kernel in a TCG guest (no KVM), with
# the host's / shared read-only over virtfs, makes a veth pair and an rxe device on it, and runs
# RxeLoopbackMain with the host's JDK against the real libibverbs and the real rxe provider.
#
#   run-rxe.sh CLASSPATH           (classpath as seen from the host; the guest sees the same paths)
#
# Needs: qemu-system-x86_64, busybox (static), kmod (depmod, modprobe), apt-get (the kernel package is
# downloaded with `apt-get download`, never installed), the host's iproute2 (the `rdma` tool) and
# libibverbs1 + ibverbs-providers. Caches the unpacked kernel in $RXE_CACHE. Prints the guest's
# console; exits 0 only when the guest printed "RXE-RESULT: PASS". Bounded by $RXE_TIMEOUT seconds.
set -euo pipefail

CLASSPATH_ARG=${1:?usage: run-rxe.sh CLASSPATH}
JAVA_BIN=${JAVA_HOME:?JAVA_HOME must name a JDK 25}/bin/java
CACHE=${RXE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/capstream/rxe}
TIMEOUT=${RXE_TIMEOUT:-420}
MEMORY=${RXE_MEMORY:-1536}

for tool in qemu-system-x86_64 busybox depmod modprobe apt-get apt-cache dpkg-deb rdma; do
  command -v "$tool" >/dev/null || { echo "run-rxe.sh: $tool not found (apt-get install qemu-system-x86 busybox-static kmod iproute2)" >&2; exit 2; }
done
[ -e /usr/lib/x86_64-linux-gnu/libibverbs.so.1 ] || { echo "run-rxe.sh: libibverbs1 is not installed" >&2; exit 2; }

mkdir -p "$CACHE"
PKG=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
[ -n "$PKG" ] || { echo "run-rxe.sh: apt-cache knows no linux-image-amd64 (run apt-get update)" >&2; exit 2; }
KVER=${PKG#linux-image-}
KDIR=$CACHE/$PKG
if [ ! -e "$KDIR/boot/vmlinuz-$KVER" ]; then
  (cd "$CACHE" && rm -f "$PKG"_*.deb && apt-get download "$PKG" >/dev/null 2>&1)
  rm -rf "$KDIR" && dpkg-deb -x "$CACHE/$PKG"_*.deb "$KDIR"
  depmod -b "$KDIR" "$KVER"
fi

# The modules the guest loads, in dependency order. crc32_generic: rxe needs crc32 at `rdma link add`.
MODULES=$(modprobe -d "$KDIR" -S "$KVER" -a --show-depends \
    virtio_pci 9pnet_virtio 9p veth crc32_generic rdma_rxe ib_uverbs \
  | awk '$1 == "insmod" {print $2}' | awk '!seen[$0]++')

WORK=$(mktemp -d /tmp/capstream-rxe.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/root"/{bin,dev,proc,sys,mnt/host,modules}
cp "$(command -v busybox)" "$WORK/root/bin/busybox"
i=0
for m in $MODULES; do
  cp "$m" "$WORK/root/modules/$(printf %02d $i)-$(basename "$m")"
  i=$((i + 1))
done
GUEST_CMD="$JAVA_BIN -Djava.io.tmpdir=/run -XX:-UsePerfData -XX:TieredStopAtLevel=1 -Xshare:auto -Xmx256m --enable-native-access=ALL-UNNAMED -cp $CLASSPATH_ARG dev.capstream.capture.rdma.RxeLoopbackMain rxe0"
cat > "$WORK/root/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in /modules/*.ko; do insmod \$m || echo "insmod \$m failed"; done
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose hostroot /mnt/host || { echo "RXE-RESULT: FAIL no virtfs"; poweroff -f; }
H=/mnt/host
mount -t proc proc \$H/proc; mount -t sysfs sys \$H/sys; mount -t devtmpfs dev \$H/dev
# Java needs a writable scratch directory, but /tmp may hold the checkout whose classes run here.
mount -t tmpfs scratch \$H/run
chroot \$H /bin/sh -c 'export PATH=/usr/sbin:/usr/bin:/sbin:/bin
  ip link set lo up
  ip link add v0 type veth peer name v1 && ip link set v0 up && ip link set v1 up
  rdma link add rxe0 type rxe netdev v0 || echo "rdma link add failed"
  sleep 1
  echo "guest: kernel \$(uname -r), rdma links:"; rdma link show
  $GUEST_CMD
  echo "guest: java exited \$?"
'
poweroff -f
INIT
chmod +x "$WORK/root/init"
(cd "$WORK/root" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1 > "$WORK/initrd.gz")

echo "run-rxe.sh: booting $PKG under qemu (TCG), ${MEMORY} MiB, at most ${TIMEOUT}s"
START=$(date +%s)
set +e
timeout --kill-after=10 "$TIMEOUT" qemu-system-x86_64 -machine pc -accel tcg -cpu max -smp 1 -m "$MEMORY" \
  -nographic -no-reboot -serial mon:stdio -nodefaults \
  -kernel "$KDIR/boot/vmlinuz-$KVER" -initrd "$WORK/initrd.gz" \
  -append "console=ttyS0 panic=-1 quiet loglevel=3" \
  -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
  | tee "$WORK/console.log"
STATUS=${PIPESTATUS[0]}
set -e
echo "run-rxe.sh: guest ran $(( $(date +%s) - START ))s (qemu status $STATUS)"
if grep -q "RXE-RESULT: PASS" "$WORK/console.log"; then
  exit 0
fi
[ "$STATUS" = 124 ] && echo "run-rxe.sh: timed out after ${TIMEOUT}s" >&2
exit 1
