package dev.capstream.sidecar.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.capstream.capture.rdma.Rdma;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code capstream capture --rdma}: the option reaches the RDMA reader, and its failures are setup errors with the reader's message. */
class CaptureCommandRdmaTest {

    private record Result(int exit, String out, String err) {}

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(exit, out.toString(), err.toString());
    }

    @Test
    void anRdmaPortOnAHostWithoutKernelRdmaIsASetupErrorThatSaysWhy() {
        assumeTrue(Rdma.listDevices().reason() != null && Rdma.listDevices().reason().contains("ENOSYS"),
                "this host's RDMA state is not 'library present, kernel without RDMA': " + Rdma.listDevices().reason());
        assumeFalse(Files.exists(Path.of("/sys/class/infiniband_verbs")), "this kernel has RDMA");
        Result r = run("capture", "--rdma", "mlx5_0:1", "--topic", "never-created");
        assertThat(r.exit()).isEqualTo(Main.EXIT_SETUP);
        assertThat(r.err()).startsWith("capstream capture: ibv_get_device_list on mlx5_0:1: ENOSYS"
                + " (Function not implemented): RDMA not supported by the running kernel");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void aBadRdmaPortIsAUsageErrorNamingTheForm() {
        Result r = run("capture", "--rdma", "mlx5_0:x", "--topic", "t");
        assertThat(r.exit()).isEqualTo(Main.EXIT_SETUP);
        assertThat(r.err()).contains("expected rdma:DEVICE or rdma:DEVICE:PORT, e.g. rdma:mlx5_0:1");
    }

    @Test
    void neitherAnInterfaceNorAnRdmaPortIsAUsageError() {
        Result r = run("capture", "--topic", "t");
        assertThat(r.exit()).isEqualTo(Main.EXIT_SETUP);
        assertThat(r.err()).contains("nothing to capture: name an --interface or an --rdma DEVICE[:PORT]");
    }
}
