package dev.capstream.sidecar.ops;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Errors of the metrics endpoint's address name the option to change. */
class MetricsAddressTest {

    @Test
    void anUnknownHostNameNamesMetricsAddress() {
        assertThatThrownBy(() -> MetricsServer.start("cs14-no-such-host.invalid", 0, List.of(), () -> null))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageStartingWith("--metrics-address cs14-no-such-host.invalid: no such host name or address");
    }

    @Test
    void anAddressOfAnotherHostNamesMetricsAddress() {
        // 192.0.2.0/24 is TEST-NET-1: never an address of this host.
        assertThatThrownBy(() -> MetricsServer.start("192.0.2.1", 0, List.of(), () -> null))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageStartingWith("--metrics-address 192.0.2.1 cannot be listened on");
    }
}
