package dev.capstream.sidecar.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.capstream.sidecar.broker.EmbeddedBroker;
import dev.capstream.capture.lab.VethLab;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bad setup (a registry that is down, an invalid option, a typo in the config file): a clear
 * message, exit code 2, and nothing half-sent.
 */
class BadSetupIT {

    private static EmbeddedBroker broker;
    private static VethLab lab;

    @BeforeAll
    static void start() {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
        broker = EmbeddedBroker.start();
        lab = VethLab.create();
    }

    @AfterAll
    static void stop() {
        if (lab != null) {
            lab.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private record Result(int code, String out, String err) {}

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void registryDownAtStartIsASetupErrorAndNothingIsSent() throws Exception {
        String topic = "no-registry-" + UUID.randomUUID();
        String url = "http://127.0.0.1:" + ChildBroker.freePort() + "/apis/ccompat/v7";
        Result r = run("capture", "--interface", lab.hostInterface(), "--topic", topic, "--bootstrap-servers",
                broker.bootstrapServers(), "--registry-url", url, "--count", "10", "--metrics-port", "0");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains(url).contains("unreachable").contains("--registry-url")
                .doesNotContain("\tat ");
        assertThat(r.out()).doesNotContain("result=");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).doesNotContain(topic);
        }
    }

    @Test
    void anInvalidOptionValueNamesTheOptionTheValueAndWhatIsAllowed() {
        Result r = run("capture", "--interface", lab.hostInterface(), "--topic", "t", "--key", "sideways",
                "--bootstrap-servers", broker.bootstrapServers(), "--metrics-port", "0");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--key sideways: allowed values are flow, split, none").doesNotContain("\tat ");

        Result water = run("capture", "--interface", lab.hostInterface(), "--topic", "t", "--high-water", "0.3",
                "--low-water", "0.6", "--bootstrap-servers", broker.bootstrapServers(), "--metrics-port", "0");
        assertThat(water.code()).isEqualTo(2);
        assertThat(water.err()).contains("--high-water 0.3").contains("low < high");
    }

    @Test
    void aConfigFileSetsOptionsFlagsOverrideItAndTyposAreRefused() throws Exception {
        Path config = Files.createTempFile("capstream", ".properties");
        try {
            Files.writeString(config, "topic=from-file-" + UUID.randomUUID() + "\nkey=sideways\nmetrics-port=0\n");
            Result fromFile = run("capture", "--config", config.toString(), "--interface", lab.hostInterface(),
                    "--bootstrap-servers", broker.bootstrapServers(), "--count", "1");
            assertThat(fromFile.code()).as("the file's key=sideways is used").isEqualTo(2);
            assertThat(fromFile.err()).contains("--key sideways");

            Files.writeString(config, "topic=t\nkye=flow\n");
            Result typo = run("capture", "--config", config.toString(), "--interface", lab.hostInterface(),
                    "--bootstrap-servers", broker.bootstrapServers());
            assertThat(typo.code()).isEqualTo(2);
            assertThat(typo.err()).contains("kye is not an option of 'capstream capture'").contains("allowed keys:");

            Files.writeString(config, "producer.acks=banana\nmetrics-port=0\n");
            Result producer = run("capture", "--config", config.toString(), "--interface", lab.hostInterface(),
                    "--topic", "t-" + UUID.randomUUID(), "--bootstrap-servers", broker.bootstrapServers(), "--count", "1");
            assertThat(producer.code()).isEqualTo(2);
            assertThat(producer.err()).contains("acks").contains("producer");
        } finally {
            Files.deleteIfExists(config);
        }
    }

    @Test
    void aMissingConfigFileIsNamed() {
        Result r = run("capture", "--config", "/nonexistent/capstream.properties", "--interface", "lo", "--topic", "t");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("/nonexistent/capstream.properties");
    }
}
