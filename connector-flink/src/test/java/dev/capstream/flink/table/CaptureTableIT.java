package dev.capstream.flink.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstream.flink.testing.CaptureFiles;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The 'capstream' SQL connector over pcapng files, in a real MiniCluster. */
@SuppressWarnings("try")
class CaptureTableIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    private static final long START = Instant.parse("2026-11-22T00:00:00Z").getEpochSecond() * 1_000_000_000L;

    @TempDir
    Path dir;

    private StreamTableEnvironment tables;
    private Path file;
    private List<CaptureFiles.Written> written;

    @BeforeEach
    void tableOverAFile() {
        file = dir.resolve("frames.pcapng");
        written = CaptureFiles.write(file, START, 700, "eth3");
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        tables = StreamTableEnvironment.create(env);
        tables.executeSql("""
                CREATE TABLE frames (
                  `timestamp` TIMESTAMP_LTZ(9),
                  timestamp_source STRING,
                  host STRING,
                  split STRING,
                  interface_name STRING,
                  interface_index INT,
                  link_type INT,
                  captured_length INT,
                  wire_length INT,
                  vlan ROW<tpid INT, tci INT>,
                  rxhash BIGINT,
                  direction STRING,
                  `sequence` BIGINT,
                  kernel_drops BIGINT,
                  data BYTES,
                  ts AS CAST(`timestamp` AS TIMESTAMP_LTZ(3)),
                  WATERMARK FOR ts AS ts - INTERVAL '0.005' SECOND
                ) WITH ('connector' = 'capstream', 'pcap-files' = '%s')
                """.formatted(file));
    }

    private List<Row> query(String sql) throws Exception {
        List<Row> rows = new ArrayList<>();
        try (var it = tables.executeSql(sql).collect()) {
            it.forEachRemaining(rows::add);
        }
        return rows;
    }

    @Test
    void selectReturnsEveryFrameOfTheFileWithItsFields() throws Exception {
        List<Row> rows = query("SELECT * FROM frames");
        // (ts is the computed rowtime column)

        rows.sort(Comparator.comparingLong(r -> r.<Long>getFieldAs("sequence")));
        assertThat(rows).hasSize(written.size());
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            CaptureFiles.Written w = written.get(i);
            Instant ts = r.getFieldAs("timestamp");
            assertThat(ts.getEpochSecond() * 1_000_000_000L + ts.getNano()).isEqualTo(w.timestampNanos());
            assertThat(r.<byte[]>getFieldAs("data")).isEqualTo(w.data());
            assertThat(r.<String>getFieldAs("interface_name")).isEqualTo("eth3");
            assertThat(r.<String>getFieldAs("split")).isEqualTo("pcap:" + file);
            assertThat(r.<String>getFieldAs("timestamp_source")).isEqualTo("FILE");
            assertThat(r.<String>getFieldAs("direction")).isEqualTo("OTHERHOST");
            assertThat(r.<Integer>getFieldAs("captured_length")).isEqualTo(w.data().length);
            assertThat(r.<Integer>getFieldAs("link_type")).isEqualTo(1);
            assertThat(r.<Row>getFieldAs("vlan")).isNull();
            assertThat(r.<Long>getFieldAs("kernel_drops")).isZero();
        }
    }

    @Test
    void projectedQueriesReadOnlyTheirColumns() throws Exception {
        List<Row> rows = query("SELECT captured_length, `sequence` FROM frames WHERE `sequence` < 3");

        assertThat(rows).extracting(r -> r.getField(1)).containsExactlyInAnyOrder(0L, 1L, 2L);
        assertThat(rows).allMatch(r -> r.getArity() == 2);
    }

    @Test
    void theCaptureTimeIsARowtimeForEventTimeWindows() throws Exception {
        // 700 frames 1 ms apart from a whole second: seven 100 ms windows of 100 frames each
        assertSevenWindowsOfAHundred(query("""
                SELECT window_start, COUNT(*) AS frames, SUM(CAST(captured_length AS BIGINT)) AS total_bytes
                FROM TABLE(TUMBLE(TABLE frames, DESCRIPTOR(ts), INTERVAL '0.1' SECOND))
                GROUP BY window_start, window_end
                """));
    }

    @Test
    void aMillisecondTimestampColumnIsItselfTheRowtime() throws Exception {
        tables.executeSql("""
                CREATE TABLE frames_ms (
                  `timestamp` TIMESTAMP_LTZ(3),
                  captured_length INT,
                  WATERMARK FOR `timestamp` AS `timestamp`
                ) WITH ('connector' = 'capstream', 'pcap-files' = '%s')
                """.formatted(file));

        assertSevenWindowsOfAHundred(query("""
                SELECT window_start, COUNT(*) AS frames, SUM(CAST(captured_length AS BIGINT)) AS total_bytes
                FROM TABLE(TUMBLE(TABLE frames_ms, DESCRIPTOR(`timestamp`), INTERVAL '0.1' SECOND))
                GROUP BY window_start, window_end
                """));
    }

    private void assertSevenWindowsOfAHundred(List<Row> rows) {

        rows.sort(Comparator.comparing(r -> r.<java.time.LocalDateTime>getFieldAs("window_start")));
        assertThat(rows).hasSize(7);
        assertThat(rows).extracting(r -> r.getField("frames")).containsOnly(100L);
        long bytes = rows.stream().mapToLong(r -> r.<Long>getFieldAs("total_bytes")).sum();
        assertThat(bytes).isEqualTo(written.stream().mapToLong(w -> w.data().length).sum());
    }

    @Test
    void anUnknownColumnIsRefusedWithTheColumnsThatExist() {
        tables.executeSql("""
                CREATE TABLE wrong (payload BYTES) WITH ('connector' = 'capstream', 'pcap-files' = '%s')
                """.formatted(file));

        assertThatThrownBy(() -> query("SELECT * FROM wrong"))
                .rootCause()
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("column `payload` is not a frame field")
                .hasMessageContaining("`data` BYTES");
    }

    @Test
    void liveAndFileOptionsTogetherAreRefused() {
        tables.executeSql("""
                CREATE TABLE both_kinds (data BYTES) WITH ('connector' = 'capstream', 'pcap-files' = '%s',
                  'hosts' = 'probe-1', 'interfaces' = 'eth0')
                """.formatted(file));

        assertThatThrownBy(() -> query("SELECT * FROM both_kinds"))
                .isInstanceOf(ValidationException.class)
                .rootCause()
                .hasMessageContaining("one source cannot be both");
    }
}
