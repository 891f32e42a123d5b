package dev.capstream.capture.xdp;

import dev.capstream.capture.ffi.NativeCallException;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The availability gate over a simulated kernel: what users read when AF_XDP cannot work here. */
class AfXdpGateTest {

    /** socket(AF_XDP) fails with {@code socketErrno}; the map is never asked for. */
    private record FailingProbe(int socketErrno) implements AfXdp.Probe {
        @Override
        public int xdpSocket() {
            throw new NativeCallException("socket", null, socketErrno, null);
        }

        @Override
        public int xskMap() {
            throw new AssertionError("the gate asked for a map after the socket failed");
        }
    }

    @Test
    void aKernelWithoutAfXdpSocketsIsNamedWithTheConfigOption() {
        String reason = AfXdp.unavailableReason(new FailingProbe(XdpErrors.EAFNOSUPPORT));
        assertThat(reason).startsWith("socket(AF_XDP) failed with EAFNOSUPPORT: this kernel has no AF_XDP sockets"
                + " (CONFIG_XDP_SOCKETS=y is needed)").contains("use an afpacket: split instead");
    }

    @Test
    void aKernelWithoutTheBpfSyscallIsNamedWithTheConfigOption() {
        String reason = AfXdp.unavailableReason(new SocketOkProbe(XdpErrors.ENOSYS));
        assertThat(reason).startsWith("bpf(BPF_MAP_CREATE) failed with ENOSYS: this kernel has no bpf(2) system call"
                + " (CONFIG_BPF_SYSCALL=y is needed)");
    }

    @Test
    void aMissingCapabilityNamesAllThreeAndHowToGrantThem() {
        String reason = AfXdp.unavailableReason(new FailingProbe(XdpErrors.EPERM));
        assertThat(reason).contains("CAP_NET_RAW is missing").contains("CAP_BPF").contains("CAP_NET_ADMIN")
                .contains("AmbientCapabilities=");
    }

    /** socket(AF_XDP) works (returns a real, closable descriptor of /dev/null), the map does not. */
    private record SocketOkProbe(int mapErrno) implements AfXdp.Probe {
        @Override
        public int xdpSocket() {
            return dev.capstream.capture.ffi.Libc.open("/dev/null", 0);
        }

        @Override
        public int xskMap() {
            throw new NativeCallException("bpf(BPF_MAP_CREATE)", null, mapErrno, null);
        }
    }
}
