package dev.capstream.flink.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.capstream.capture.lab.FrameInjector;
import dev.capstream.capture.lab.TestFrames;
import dev.capstream.capture.lab.VethLab;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;

/**
 * The README's SQL example ({@code capture-counts.sql}, quoted by the README word for word) run
 * as written in Flink's default local environment, on a veth pair instead of {@code eth0}: the only
 * change is the interface name.
 */
class SqlExampleIT {

    static List<String> statements() throws IOException {
        try (InputStream in = SqlExampleIT.class.getResourceAsStream("/capture-counts.sql")) {
            String sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return Arrays.stream(sql.split(";\\s*\\n")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        }
    }

    @Test
    void theReadmeSqlCountsFramesPerInterfaceAndSecond() throws Exception {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
        List<String> statements = statements();
        assertThat(statements).hasSize(2);
        try (VethLab lab = VethLab.create(); FrameInjector injector = FrameInjector.open(lab)) {
            TableEnvironment sql = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
            sql.getConfig().set("parallelism.default", "2");
            sql.executeSql(statements.get(0).replace("'interfaces' = 'eth0'",
                    "'interfaces' = '" + lab.hostInterface() + "'"));
            TableResult result = sql.executeSql(statements.get(1));

            AtomicBoolean done = new AtomicBoolean();
            Thread traffic = Thread.ofPlatform().daemon().start(() -> {
                // bounded: at most 120 s of 20 frames every 50 ms, many flows (both fanout members)
                for (long s = 0; s < 48_000 && !done.get(); s++) {
                    injector.send(TestFrames.udp(100, s, (int) (s % 1000)));
                    if (s % 20 == 19) {
                        sleep(50);
                    }
                }
            });
            try (CloseableIterator<Row> rows = result.collect()) {
                Row row = rows.next(); // the first closed window
                assertThat(row.getField("interface_name")).isEqualTo(lab.hostInterface());
                long frames = (Long) row.getField("frames");
                assertThat(frames).isPositive();
                assertThat((Long) row.getField("frame_bytes")).isEqualTo(100 * frames);
            } finally {
                done.set(true);
                traffic.join(10_000);
                awaitEnd(result); // no reader may still poll the ring when the lab goes away
            }
        }
    }

    private static void awaitEnd(TableResult result) throws Exception {
        var job = result.getJobClient().orElseThrow();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            try {
                if (job.getJobStatus().get().isGloballyTerminalState()) {
                    return;
                }
            } catch (Exception gone) {
                return;
            }
            Thread.sleep(50);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
