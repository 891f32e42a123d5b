package dev.capstream.capture.afpacket;

import dev.capstream.capture.CaptureException;
import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.SplitReader;
import dev.capstream.capture.ffi.Libc;
import dev.capstream.capture.ffi.LinuxConstants;
import dev.capstream.capture.ffi.StructLayouts;
import dev.capstream.capture.lab.FrameInjector;
import dev.capstream.capture.lab.TestFrames;
import dev.capstream.capture.lab.VethLab;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** PACKET_FANOUT groups as splits, and several interfaces in one process, on real rings. Needs root. */
@Timeout(60)
class AfPacketFanoutIT {

    private static final AfPacketOptions SMALL = AfPacketOptions.defaults().withRing(RingConfig.of(1 << 20, 4, 10));

    @BeforeEach
    void requireLab() {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
        assumeTrue(AfPacket.isAvailable(), AfPacket.unavailableReason());
    }

    private static SplitReader[] openMembers(String iface, int members, AfPacketOptions options) {
        SplitReader[] readers = new SplitReader[members];
        try {
            for (int m = 0; m < members; m++) {
                readers[m] = AfPacket.open(new SplitAddress.AfPacket(iface, m, members), options);
            }
            return readers;
        } catch (RuntimeException e) {
            closeAll(readers);
            throw e;
        }
    }

    private static void closeAll(SplitReader... readers) {
        for (int i = readers.length - 1; i >= 0; i--) {
            if (readers[i] != null) {
                readers[i].close();
            }
        }
    }

    @Test
    void hashKeepsEveryFlowOnOneMemberAndEveryMemberGetsFlows() {
        int flows = 32;
        int perFlow = 10;
        try (VethLab lab = VethLab.create(); FrameInjector injector = FrameInjector.open(lab)) {
            SplitReader[] members = openMembers(lab.hostInterface(), 3, SMALL);
            try {
                for (int i = 0; i < flows * perFlow; i++) {
                    injector.send(TestFrames.udp(100, i, i % flows));
                }
                List<Captured> seen = Captured.drain(flows * perFlow, members);

                assertThat(seen).hasSize(flows * perFlow);
                assertThat(seen.stream().map(Captured::sequence).distinct().count()).isEqualTo(flows * perFlow);
                Map<Integer, Set<Integer>> membersOfFlow = new HashMap<>();
                for (Captured c : seen) {
                    membersOfFlow.computeIfAbsent(c.sourcePort(), p -> new HashSet<>()).add(c.reader());
                }
                assertThat(membersOfFlow).hasSize(flows);
                assertThat(membersOfFlow.values()).as("members per flow").allMatch(s -> s.size() == 1);
                assertThat(seen.stream().map(Captured::reader).distinct().count()).as("members that got flows")
                        .isEqualTo(3);
                long sum = 0;
                for (SplitReader r : members) {
                    sum += r.stats().framesRead();
                }
                assertThat(sum).as("the members' sum").isEqualTo(flows * perFlow);
            } finally {
                closeAll(members);
            }
        }
    }

    @Test
    void lbSpreadsTheFramesOfOneFlowOverEveryMember() {
        int count = 200;
        try (VethLab lab = VethLab.create(); FrameInjector injector = FrameInjector.open(lab)) {
            SplitReader[] members = openMembers(lab.hostInterface(), 2, SMALL.withFanoutMode(FanoutMode.LB));
            try {
                for (int i = 0; i < count; i++) {
                    injector.send(TestFrames.udp(100, i));
                }
                List<Captured> seen = Captured.drain(count, members);

                assertThat(seen).hasSize(count);
                long toFirst = seen.stream().filter(c -> c.reader() == 0).count();
                assertThat(toFirst).as("round robin: half each").isBetween(count * 4L / 10, count * 6L / 10);
                assertThat(members[0].stats().framesRead() + members[1].stats().framesRead()).isEqualTo(count);
            } finally {
                closeAll(members);
            }
        }
    }

    @Test
    void membersJoinOneKernelPickedGroupWithTheModeAndFlagsAsked() {
        try (VethLab lab = VethLab.create()) {
            SplitReader[] members = openMembers(lab.hostInterface(), 2,
                    SMALL.withFanout(FanoutMode.RND, false, true));
            try {
                int a = ((ReopeningReader) members[0]).current().kernelFanout();
                int b = ((ReopeningReader) members[1]).current().kernelFanout();
                assertThat(a).as("both sockets report the same group, mode and flags").isEqualTo(b);
                assertThat((a >>> 16) & 0xFF).as("mode").isEqualTo(LinuxConstants.PACKET_FANOUT_RND);
                assertThat(((a >>> 24) & 0xFF) << 8).as("flags").isEqualTo(LinuxConstants.PACKET_FANOUT_FLAG_ROLLOVER);
            } finally {
                closeAll(members);
            }
        }
    }

    @Test
    void explicitGroupIdIsUsedAsGiven() {
        try (VethLab lab = VethLab.create()) {
            SplitReader[] members = openMembers(lab.hostInterface(), 2, SMALL.withFanoutGroupId(4242));
            try {
                assertThat(((ReopeningReader) members[1]).current().kernelFanout() & 0xFFFF).isEqualTo(4242);
            } finally {
                closeAll(members);
            }
        }
    }

    @Test
    void sameExplicitGroupOnTwoInterfacesOfThisProcessNamesBoth() {
        try (VethLab one = VethLab.create(); VethLab two = VethLab.create()) {
            SplitReader[] first = openMembers(one.hostInterface(), 2, SMALL.withFanoutGroupId(777));
            try {
                assertThatThrownBy(() -> AfPacket.open(new SplitAddress.AfPacket(two.hostInterface(), 0, 2),
                        SMALL.withFanoutGroupId(777).withFanoutMode(FanoutMode.LB)))
                        .isInstanceOf(CaptureException.class)
                        .hasMessageContaining("fanout group 777 is already used by this process as group 777 on "
                                + one.hostInterface())
                        .hasMessageContaining("mode hash+defrag")
                        .hasMessageContaining(two.hostInterface() + " asked for it with mode lb+defrag");
            } finally {
                closeAll(first);
            }
        }
    }

    @Test
    void groupHeldByAnotherProgramWithOtherSettingsGivesAClearError() {
        try (VethLab lab = VethLab.create()) {
            // A socket capstream does not know about stands in for another program's group.
            int fd = foreignFanoutSocket(lab.hostInterface(), 999, LinuxConstants.PACKET_FANOUT_CPU);
            try {
                assertThatThrownBy(() -> AfPacket.open(new SplitAddress.AfPacket(lab.hostInterface(), 0, 2),
                        SMALL.withFanoutGroupId(999)))
                        .isInstanceOf(CaptureException.class)
                        .hasMessageStartingWith("setsockopt(PACKET_FANOUT) on " + lab.hostInterface() + ": EINVAL")
                        .hasMessageContaining("fanout group 999 already exists in this network namespace and is not this process's")
                        .hasMessageContaining("mode hash+defrag")
                        .hasMessageContaining("--fanout-group");
            } finally {
                Libc.close(fd, null);
            }
        }
    }

    @Test
    void twoInterfacesInOneProcessEachWithItsOwnMembers() {
        try (VethLab one = VethLab.create(); VethLab two = VethLab.create();
             FrameInjector toOne = FrameInjector.open(one); FrameInjector toTwo = FrameInjector.open(two)) {
            SplitReader[] a = openMembers(one.hostInterface(), 1, SMALL);
            SplitReader[] b = openMembers(two.hostInterface(), 2, SMALL);
            try {
                for (int i = 0; i < 60; i++) {
                    toOne.send(TestFrames.udp(100, i, i % 8));
                    toTwo.send(TestFrames.udp(100, 1000 + i, i % 8));
                }
                List<Captured> fromOne = Captured.drain(60, a);
                List<Captured> fromTwo = Captured.drain(60, b);

                assertThat(fromOne).hasSize(60).allMatch(c -> c.sequence() < 1000)
                        .allMatch(c -> c.ifindex() == a[0].interfaceIndex());
                assertThat(fromTwo).hasSize(60).allMatch(c -> c.sequence() >= 1000)
                        .allMatch(c -> c.ifindex() == b[0].interfaceIndex());
                assertThat(a[0].interfaceIndex()).isNotEqualTo(b[0].interfaceIndex());
            } finally {
                closeAll(b);
                closeAll(a);
            }
        }
    }

    private static int foreignFanoutSocket(String iface, int groupId, int type) {
        int fd = Libc.socket(LinuxConstants.AF_PACKET, LinuxConstants.SOCK_RAW | LinuxConstants.SOCK_CLOEXEC,
                LinuxConstants.HTONS_ETH_P_ALL, iface);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sll = arena.allocate(StructLayouts.SOCKADDR_LL);
            StructLayouts.SLL_FAMILY.set(sll, 0L, (short) LinuxConstants.AF_PACKET);
            StructLayouts.SLL_PROTOCOL.set(sll, 0L, (short) LinuxConstants.HTONS_ETH_P_ALL);
            StructLayouts.SLL_IFINDEX.set(sll, 0L, Libc.ifNameToIndex(iface));
            Libc.bind(fd, sll, iface);
            Libc.setsockopt(fd, LinuxConstants.SOL_PACKET, LinuxConstants.PACKET_FANOUT, "PACKET_FANOUT",
                    groupId | (type << 16), iface);
            return fd;
        } catch (RuntimeException e) {
            Libc.close(fd, iface);
            throw e;
        }
    }
}
