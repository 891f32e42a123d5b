package dev.capstream.sidecar.run;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Consumers that read a topic's records back (tail, export): raw bytes, no group, every partition assigned. */
final class TopicConsumers {

    private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(20);

    private TopicConsumers() {
    }

    /** A byte-array consumer with no offsets committed, plus {@code extra} settings. */
    static KafkaConsumer<byte[], byte[]> open(String bootstrap, KafkaClients kafka, Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000));
        props.putAll(extra);
        Map<String, Object> config = kafka.consumerConfig(props);
        // A consumer retries a refused handshake until its timeout; this check says why at once.
        KafkaSecurity.verify(config, bootstrap, "consumer");
        try {
            return new KafkaConsumer<>(config);
        } catch (org.apache.kafka.common.KafkaException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new SetupException("the Kafka consumer settings are not usable: " + ExitStatus.userMessage(cause)
                    + " (check " + KafkaSecurity.WHERE + " and consumer.* in --config)", e);
        }
    }

    /** Every partition of the topic; a broker that does not answer, or no such topic, is a setup error. */
    static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer, String bootstrap, String topic) {
        List<PartitionInfo> infos;
        try {
            infos = consumer.partitionsFor(topic, METADATA_TIMEOUT);
        } catch (TimeoutException e) {
            throw new SetupException("no Kafka broker answered at " + bootstrap + " within "
                    + METADATA_TIMEOUT.toSeconds() + " s: check --bootstrap-servers", e);
        } catch (org.apache.kafka.common.KafkaException e) {
            SetupException security = KafkaSecurity.securityFailure(e, bootstrap, Map.of(), "consumer");
            throw security != null ? security : e;
        }
        if (infos == null || infos.isEmpty()) {
            throw new SetupException("topic '" + topic + "' does not exist at " + bootstrap);
        }
        return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    }
}
