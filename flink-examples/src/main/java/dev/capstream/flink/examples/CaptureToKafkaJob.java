package dev.capstream.flink.examples;

import dev.capstream.avro.CapturedFrame;
import dev.capstream.flink.format.RegistryAvroSerializationSchema;
import dev.capstream.flink.source.CaptureSource;
import dev.capstream.registry.SchemaRegistryClient;
import java.time.Duration;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Live capture into Kafka as registry-framed Avro, the records the sidecar writes: Confluent
 * framing ({@code 00}, the schema id, the Avro body), the schema registered as {@code <topic>-value}.
 * Kafka client settings (SASL_SSL and the rest) come as {@code --kafka.NAME value} arguments or in a
 * {@code --kafka-properties} file.
 *
 * <pre>
 * flink run -c dev.capstream.flink.examples.CaptureToKafkaJob flink-examples-VERSION.jar \
 *     --interfaces eth0 --fanout-members 2 \
 *     --bootstrap-servers kafka:9093 --registry-url http://registry:8081 --topic frames \
 *     --kafka-properties /etc/capstream/kafka-client.properties
 * </pre>
 */
public final class CaptureToKafkaJob {

    static final String USAGE = "CaptureToKafkaJob (--interfaces IF[,IF] [--fanout-members N] [--hosts H1,H2]"
            + " | --pcap-files FILE|DIR|GLOB[,...]) --bootstrap-servers B --registry-url URL --topic T"
            + " [--kafka-properties FILE] [--kafka.NAME VALUE ...]";

    private CaptureToKafkaJob() {
    }

    public static void main(String[] args) throws Exception {
        record Job(CaptureSource source, KafkaSink<CapturedFrame> sink, String topic) {
        }
        Job job = BadArguments.exitOn(USAGE, args, () -> {
            JobArgs jobArgs = JobArgs.parse(args);
            return new Job(CaptureSources.fromArgs(jobArgs), sink(jobArgs), jobArgs.required("topic"));
        });
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.enableCheckpointing(Duration.ofSeconds(10).toMillis()); // the sink flushes on checkpoints
        env.fromSource(job.source(),
                        WatermarkStrategy.<CapturedFrame>forBoundedOutOfOrderness(Duration.ofMillis(200))
                                .withIdleness(Duration.ofSeconds(5)),
                        "capture")
                .sinkTo(job.sink()).name("kafka " + job.topic());
        env.execute("capstream: capture into " + job.topic());
    }

    /** The Kafka sink: values Confluent-framed against the registry, client settings from the arguments. */
    static KafkaSink<CapturedFrame> sink(JobArgs args) {
        String topic = args.required("topic");
        String bootstrapServers = args.required("bootstrap-servers");
        String registryUrl = args.required("registry-url");
        // [readme:kafka-sink]
        Properties kafkaClient = args.kafkaClientProperties(); // e.g. security.protocol=SASL_SSL,
                                                               // sasl.mechanism, sasl.jaas.config, ssl.truststore.*
        KafkaSink<CapturedFrame> sink = KafkaSink.<CapturedFrame>builder()
                .setKafkaProducerConfig(kafkaClient)
                .setBootstrapServers(bootstrapServers)
                .setRecordSerializer(KafkaRecordSerializationSchema.<CapturedFrame>builder()
                        .setTopic(topic)
                        .setValueSerializationSchema(new RegistryAvroSerializationSchema(
                                registryUrl, SchemaRegistryClient.topicValueSubject(topic)))
                        .build())
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
        // [/readme:kafka-sink]
        return sink;
    }
}
