package dev.capstream.capture.rdma;

import dev.capstream.capture.CaptureException;
import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.SplitReaders;
import dev.capstream.capture.ffi.NativeCallException;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The real libibverbs on a host whose kernel has no RDMA (this CI's case): the library loads, its
 * exported verbs bind by name, and {@code ibv_get_device_list} fails with ENOSYS, which must
 * become "no devices, and why" for listings and a clean message for opens.
 */
class RdmaRealLibraryTest {

    private static final boolean KERNEL_HAS_RDMA = Files.exists(Path.of("/sys/class/infiniband_verbs"));

    @Test
    void withoutKernelRdmaTheListingIsEmptyWithTheReason() {
        String missing = NativeVerbs.libraryUnavailableReason();
        assumeTrue(missing == null, "libibverbs is not usable here: " + missing);
        assumeFalse(KERNEL_HAS_RDMA, "this kernel has RDMA (/sys/class/infiniband_verbs exists); the ENOSYS path cannot be seen");
        Rdma.Devices devices = Rdma.listDevices();
        assertThat(devices.names()).isEmpty();
        assertThat(devices.reason()).isEqualTo("RDMA not supported by the running kernel (ibv_get_device_list: ENOSYS)");
        assertThat(Rdma.isAvailable()).isFalse();
        assertThat(Rdma.unavailableReason()).isEqualTo(devices.reason());
    }

    @Test
    void withoutKernelRdmaOpeningASplitSaysSoCleanly() {
        String missing = NativeVerbs.libraryUnavailableReason();
        assumeTrue(missing == null, "libibverbs is not usable here: " + missing);
        assumeFalse(KERNEL_HAS_RDMA, "this kernel has RDMA (/sys/class/infiniband_verbs exists); the ENOSYS path cannot be seen");
        assertThatThrownBy(() -> SplitReaders.open(SplitAddress.parse("rdma:mlx5_0")))
                .isInstanceOfSatisfying(NativeCallException.class, e -> {
                    assertThat(e.errnoName()).isEqualTo("ENOSYS");
                    assertThat(e.call()).isEqualTo("ibv_get_device_list");
                })
                .hasMessage("ibv_get_device_list on mlx5_0:1: ENOSYS (Function not implemented): RDMA not supported"
                        + " by the running kernel (no /sys/class/infiniband_verbs): load ib_uverbs and the NIC's RDMA"
                        + " driver, or use a kernel with RDMA support");
    }

    @Test
    void withoutTheLibraryTheReasonSaysWhatToInstall() {
        String missing = NativeVerbs.libraryUnavailableReason();
        assumeTrue(missing != null, "libibverbs.so.1 is installed here; the missing-library path cannot be seen");
        assertThat(missing).isEqualTo("libibverbs.so.1 not found (install libibverbs1 and ibverbs-providers)");
        assertThat(Rdma.listDevices().names()).isEmpty();
        assertThatThrownBy(() -> SplitReaders.open(SplitAddress.parse("rdma:mlx5_0")))
                .isInstanceOf(CaptureException.class)
                .hasMessage("RDMA capture is unavailable: " + missing);
    }
}
