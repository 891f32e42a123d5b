package dev.capstream.capture.ffi;

import dev.capstream.capture.CaptureException;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NativeCallExceptionTest {

    @Test
    void messageNamesCallInterfaceErrnoAndHint() {
        var e = new NativeCallException("setsockopt(PACKET_RX_RING)", "eth0", 12, "lower it");
        assertThat(e).isInstanceOf(CaptureException.class);
        assertThat(e.getMessage())
                .isEqualTo("setsockopt(PACKET_RX_RING) on eth0: ENOMEM (Cannot allocate memory): lower it");
        assertThat(e.call()).isEqualTo("setsockopt(PACKET_RX_RING)");
        assertThat(e.interfaceName()).isEqualTo("eth0");
        assertThat(e.errno()).isEqualTo(12);
        assertThat(e.errnoName()).isEqualTo("ENOMEM");
    }

    @Test
    void permissionErrorsPointAtCapNetRaw() {
        assertThat(new NativeCallException("socket", "eth0", 1, null).getMessage())
                .startsWith("socket on eth0: EPERM (Operation not permitted): ")
                .contains("CAP_NET_RAW", "run as root");
        assertThat(new NativeCallException("socket", "eth0", 13, null).hint()).contains("CAP_NET_RAW");
    }

    @Test
    void vanishedInterfaceErrorsSayTheInterfaceWentAwayOrIsDown() {
        for (int errno : new int[] {19, 6, 100}) {
            assertThat(new NativeCallException("bind", "eth1", errno, null).hint())
                    .contains("interface eth1 went away or is down");
        }
    }

    @Test
    void everyErrnoTheReaderCanMeetHasASymbolicName() {
        int[] numbers = {1, 2, 4, 6, 11, 12, 13, 16, 19, 22, 93, 97, 98, 100};
        String[] names = {"EPERM", "ENOENT", "EINTR", "ENXIO", "EAGAIN", "ENOMEM", "EACCES", "EBUSY", "ENODEV",
                "EINVAL", "EPROTONOSUPPORT", "EAFNOSUPPORT", "EADDRINUSE", "ENETDOWN"};
        for (int i = 0; i < numbers.length; i++) {
            assertThat(new NativeCallException("x", null, numbers[i], "").errnoName()).isEqualTo(names[i]);
        }
        assertThat(new NativeCallException("x", null, 4242, "").getMessage()).isEqualTo("x: errno 4242 (unknown error)");
    }

    @Test
    void withHintKeepsTheFailureAndReplacesTheHint() {
        var e = new NativeCallException("mmap", "eth0", 12, null).withHint("the ring asked for 64 MiB");
        assertThat(e.getMessage()).isEqualTo("mmap on eth0: ENOMEM (Cannot allocate memory): the ring asked for 64 MiB");
    }
}
