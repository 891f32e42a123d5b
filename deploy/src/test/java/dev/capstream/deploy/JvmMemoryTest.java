package dev.capstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JVM memory bound both launchers take from bin/jvm-memory.sh: heap from the run's
 * buffer.memory instead of a quarter of the machine, direct memory fixed, the user's own flags first.
 */
class JvmMemoryTest {

    static final Path SCRIPT = DeployFiles.moduleDir().resolve("src/dist/bin/jvm-memory.sh");

    /** The JVM options the launcher would add for these arguments and environment. */
    static String optionsFor(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", "-c",
                ". \"$0\"; capstream_memory_opts \"$@\"; echo \"${capstream_memory_opts_out[*]}\"", SCRIPT.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().remove("JAVA_OPTS");
        pb.environment().remove("CAPSTREAM_HEAP");
        pb.environment().putAll(env);
        Process p = pb.start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new String(p.getInputStream().readAllBytes()).strip();
    }

    static final String SMALL_HEAP_COLLECTOR = " -XX:+UseSerialGC -Xms32m";

    @Test
    void captureAtDefaultsGetsBufferMemoryPlus64MiBOfHeapAndTheSerialCollector() throws Exception {
        assertThat(optionsFor(Map.of(), "capture", "--interface", "eth0", "--bootstrap-servers", "k:9092"))
                .isEqualTo("-Xmx128m -XX:MaxDirectMemorySize=64m" + SMALL_HEAP_COLLECTOR);
        assertThat(optionsFor(Map.of(), "replay", "--bootstrap-servers=k:9092", "a.pcapng"))
                .isEqualTo("-Xmx128m -XX:MaxDirectMemorySize=64m" + SMALL_HEAP_COLLECTOR);
    }

    @Test
    void heapsOver512MiBKeepTheJvmsDefaultCollector() throws Exception {
        assertThat(optionsFor(Map.of(), "capture", "--bootstrap-servers", "k:9092",
                "--producer-property", "buffer.memory=536870912"))
                .isEqualTo("-Xmx576m -XX:MaxDirectMemorySize=64m");
        assertThat(optionsFor(Map.of("JAVA_OPTS", "-Xmx2g"), "capture", "--bootstrap-servers", "k:9092"))
                .isEqualTo("-XX:MaxDirectMemorySize=64m");
    }

    @Test
    void theUsersOwnCollectorAndInitialHeapWin() throws Exception {
        assertThat(optionsFor(Map.of("JAVA_OPTS", "-XX:+UseG1GC"), "capture", "--bootstrap-servers", "k:9092"))
                .isEqualTo("-Xmx128m -XX:MaxDirectMemorySize=64m");
        // the Kubernetes manifests' own heap: small, so the serial collector, with their -Xms
        assertThat(optionsFor(Map.of("JAVA_OPTS", "-Xms128m -Xmx128m -XX:-UsePerfData"), "capture",
                "--bootstrap-servers", "k:9092"))
                .isEqualTo("-XX:MaxDirectMemorySize=64m -XX:+UseSerialGC");
    }

    @Test
    void heapFollowsBufferMemoryOnTheCommandLine() throws Exception {
        assertThat(optionsFor(Map.of(), "capture", "--bootstrap-servers", "k:9092",
                "--producer-property", "buffer.memory=268435456"))
                .isEqualTo("-Xmx320m -XX:MaxDirectMemorySize=64m" + SMALL_HEAP_COLLECTOR);
    }

    @Test
    void heapFollowsBufferMemoryAndBrokerInTheConfigFile(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("c.properties"),
                "bootstrap-servers=k:9092\nproducer.buffer.memory=33554432\n");
        assertThat(optionsFor(Map.of(), "capture", "--config", config.toString()))
                .isEqualTo("-Xmx96m -XX:MaxDirectMemorySize=64m" + SMALL_HEAP_COLLECTOR);
    }

    @Test
    void theEmbeddedBrokerAddsItsOwnGibibyteAndKeepsTheDefaultCollector() throws Exception {
        assertThat(optionsFor(Map.of(), "capture", "--interface", "eth0"))
                .isEqualTo("-Xmx1152m -XX:MaxDirectMemorySize=64m");
    }

    @Test
    void capstreamHeapAndTheUsersOwnFlagsWin() throws Exception {
        assertThat(optionsFor(Map.of("CAPSTREAM_HEAP", "1g"), "capture", "--bootstrap-servers", "k:9092"))
                .isEqualTo("-Xmx1g -XX:MaxDirectMemorySize=64m");
        assertThat(optionsFor(Map.of("JAVA_OPTS", "-Xmx2g -XX:MaxDirectMemorySize=1g"), "capture",
                "--bootstrap-servers", "k:9092")).isEmpty();
    }

    @Test
    void commandsWithoutAProducerKeepTheDefaultHeap() throws Exception {
        assertThat(optionsFor(Map.of(), "tail", "--bootstrap-servers", "k:9092"))
                .isEqualTo("-XX:MaxDirectMemorySize=64m");
    }
}
