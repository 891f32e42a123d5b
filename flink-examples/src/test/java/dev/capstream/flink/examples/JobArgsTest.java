package dev.capstream.flink.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobArgsTest {

    @TempDir
    Path dir;

    @Test
    void kafkaClientPropertiesComeFromTheFileThenFromKafkaDotArguments() throws Exception {
        Path file = dir.resolve("kafka-client.properties");
        Files.writeString(file, """
                security.protocol=SASL_SSL
                sasl.mechanism=SCRAM-SHA-512
                sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="p";
                """);

        Properties kafka = JobArgs.parse(new String[] {"--kafka-properties", file.toString(),
                "--kafka.sasl.mechanism", "PLAIN", "--kafka.ssl.truststore.location", "/etc/ts.p12",
                "--topic", "frames"}).kafkaClientProperties();

        assertThat(kafka).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "PLAIN")
                .containsEntry("ssl.truststore.location", "/etc/ts.p12")
                .containsKey("sasl.jaas.config")
                .doesNotContainKey("topic");
    }

    @Test
    void theSinkCarriesTheKafkaClientProperties() {
        JobArgs args = JobArgs.parse(new String[] {"--topic", "frames", "--bootstrap-servers", "k:9093",
                "--registry-url", "http://r:8081", "--kafka.security.protocol", "SASL_SSL"});

        assertThat(CaptureToKafkaJob.sink(args)).extracting("kafkaProducerConfig")
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.map(Object.class, Object.class))
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("bootstrap.servers", "k:9093");
    }

    @Test
    void badArgumentsAreNamed() {
        assertThatThrownBy(() -> JobArgs.parse(new String[] {"--interfaces"}))
                .hasMessageContaining("'--interfaces' is missing its value");
        assertThatThrownBy(() -> JobArgs.parse(new String[] {"eth0"}))
                .hasMessageContaining("'eth0' is not a --name");
        assertThatThrownBy(() -> JobArgs.parse(new String[] {"--fanout-members", "two"}).integer("fanout-members", 1))
                .hasMessageContaining("--fanout-members must be a whole number, not 'two'");
        assertThatThrownBy(() -> CaptureSources.fromArgs(JobArgs.parse(new String[] {"--fanout-members", "2"})))
                .hasMessageContaining("name --interfaces for live capture, or --pcap-files for a replay");
    }
}
