package dev.capstream.sidecar.run;

import dev.capstream.pipeline.RecordMode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka side of a run's setup: the producer with capstream's defaults under the user's
 * settings, the sink over it, and the topic. Every problem is a {@link SetupException} naming the
 * option to change, raised before anything is captured.
 */
final class KafkaSetup {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaSetup.class);
    private static final long DEFAULT_BUFFER_MEMORY = 64L << 20;

    private KafkaSetup() {
    }

    /**
     * The sink of a run; the producer checks its settings as it is built, before the topic is touched.
     *
     * @param stampSendTime records get the producer's send time as their timestamp, not the capture time
     */
    static KafkaFrameSink sink(String bootstrap, String host, String topic, RecordMode mode,
            KafkaClients kafka, boolean stampSendTime) {
        Map<String, Object> config = checkProducer(bootstrap, host, mode, kafka);
        long bufferMemory = bufferMemory(config);
        return new KafkaFrameSink(newProducer(config), topic, bufferMemory, stampSendTime);
    }

    /**
     * The producer's configuration, checked without starting a producer: a started one connects at
     * once, and would repeat any authentication failure in its log before the setup could report it.
     */
    static Map<String, Object> checkProducer(String bootstrap, String host, RecordMode mode, KafkaClients kafka) {
        Map<String, Object> config = producerProperties(bootstrap, host, kafka);
        checkBatchFitsARequest(mode, config);
        bufferMemory(config);
        try {
            new ProducerConfig(config);
        } catch (KafkaException e) {
            throw new SetupException("the Kafka producer settings are not usable: " + ExitStatus.userMessage(e)
                    + " (check --producer-property, " + KafkaSecurity.WHERE + ", and producer.* in --config)", e);
        }
        return config;
    }

    /** capstream's producer defaults, then the user's settings over them. */
    static Map<String, Object> producerProperties(String bootstrap, String host, KafkaClients kafka) {
        Map<String, Object> config = new HashMap<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.CLIENT_ID_CONFIG, "capstream-" + host,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.LINGER_MS_CONFIG, "5",
                ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024),
                ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(DEFAULT_BUFFER_MEMORY),
                // bounded: a record not acknowledged in 2 minutes (e.g. a broker away that long) is failed and counted
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000",
                // send() may wait this long for metadata or buffer space before the loop is told
                // "not now" and holds its ring block instead: never a capture thread stuck for a minute
                ProducerConfig.MAX_BLOCK_MS_CONFIG, "500"));
        config = kafka.producerConfig(config);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return config;
    }

    /** Creates the topic unless it exists; a broker that does not answer is a setup error. */
    static void ensureTopic(String bootstrap, String topic, KafkaClients kafka) {
        Map<String, Object> props = kafka.adminConfig(bootstrap);
        try (Admin admin = Admin.create(props)) {
            admin.createTopics(List.of(new NewTopic(topic, Optional.empty(), Optional.empty())))
                    .all().get(25, TimeUnit.SECONDS);
            LOG.info("created topic {}", topic);
        } catch (ExecutionException e) {
            SetupException security = KafkaSecurity.securityFailure(e.getCause(), bootstrap, props, "admin client");
            if (security != null) {
                throw security;
            }
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new SetupException("cannot create topic '" + topic + "' at " + bootstrap + ": "
                        + ExitStatus.userMessage(e.getCause()) + " (" + KafkaSecurity.timeoutHint(props)
                        + "; or create the topic yourself)", e.getCause());
            }
        } catch (TimeoutException e) {
            throw new SetupException("no Kafka broker answered at " + bootstrap + " within 25 s: "
                    + KafkaSecurity.timeoutHint(props) + " (or omit --bootstrap-servers to use an embedded broker)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SetupException("interrupted while checking topic '" + topic + "'", e);
        }
    }

    private static KafkaProducer<byte[], byte[]> newProducer(Map<String, Object> config) {
        try {
            return new KafkaProducer<>(config);
        } catch (KafkaException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new SetupException("the Kafka producer settings are not usable: " + ExitStatus.userMessage(cause)
                    + " (check --producer-property, " + KafkaSecurity.WHERE + ", and producer.* in --config)", e);
        }
    }

    /**
     * A batch record larger than the producer's max.request.size can never be sent: every one would
     * fail. Refuse the setup instead, saying which limit to move. Per frame a batch adds at most a
     * few dozen bytes of Avro around the frame's own bytes.
     */
    private static void checkBatchFitsARequest(RecordMode mode, Map<String, Object> config) {
        if (!mode.batched()) {
            return;
        }
        long maxRequest = Long.parseLong(String.valueOf(
                config.getOrDefault(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "1048576")).strip());
        long worstCase = (long) mode.maxBytes() + 48L * mode.maxFrames() + 16 * 1024;
        if (worstCase > maxRequest) {
            throw new SetupException("--batch-bytes " + mode.maxBytes() + " with --batch-frames " + mode.maxFrames()
                    + " makes records of up to " + worstCase + " bytes, over the producer's max.request.size of "
                    + maxRequest + ": lower --batch-bytes, or raise max.request.size (--producer-property) and the "
                    + "topic's max.message.bytes together");
        }
    }

    private static long bufferMemory(Map<String, Object> config) {
        String value = String.valueOf(config.get(ProducerConfig.BUFFER_MEMORY_CONFIG));
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new SetupException("producer setting buffer.memory=" + value + " is not a number of bytes");
        }
    }
}
