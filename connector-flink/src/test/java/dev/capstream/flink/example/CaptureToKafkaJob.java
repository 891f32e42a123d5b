package dev.capstream.flink.example;

import dev.capstream.avro.CapturedFrame;
import dev.capstream.flink.format.RegistryAvroSerializationSchema;
import dev.capstream.flink.source.CaptureSource;
import dev.capstream.registry.SchemaRegistryClient;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The README's example job: live capture into Kafka as registry-framed Avro.
 *
 * <pre>
 * flink run -c dev.capstream.flink.example.CaptureToKafkaJob capture-job.jar \
 *     --hosts probe-1,probe-2 --interface eth0 --fanout-members 2 \
 *     --bootstrap-servers kafka:9092 --registry-url http://registry:8081 --topic frames
 * </pre>
 */
public final class CaptureToKafkaJob {

    private CaptureToKafkaJob() {
    }

    public static void main(String[] args) throws Exception {
        Args a = Args.parse(args);
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.enableCheckpointing(Duration.ofSeconds(10).toMillis());
        CaptureSource source = CaptureSource.builder()
                .hosts(a.hosts)
                .interfaces(a.iface)
                .fanoutMembers(a.fanoutMembers)
                .build();
        addPipeline(env, source, a.bootstrapServers, a.registryUrl, a.topic);
        env.execute("capstream: capture " + a.iface + " into " + a.topic);
    }

    /** Source → Kafka, values Confluent-framed against the registry (the schema as {@code <topic>-value}). */
    public static void addPipeline(StreamExecutionEnvironment env, CaptureSource source, String bootstrapServers,
            String registryUrl, String topic) {
        KafkaSink<CapturedFrame> sink = KafkaSink.<CapturedFrame>builder()
                .setBootstrapServers(bootstrapServers)
                .setRecordSerializer(KafkaRecordSerializationSchema.<CapturedFrame>builder()
                        .setTopic(topic)
                        .setValueSerializationSchema(new RegistryAvroSerializationSchema(
                                registryUrl, SchemaRegistryClient.topicValueSubject(topic)))
                        .build())
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
        env.fromSource(source,
                        WatermarkStrategy.<CapturedFrame>forBoundedOutOfOrderness(Duration.ofMillis(200))
                                .withIdleness(Duration.ofSeconds(5)),
                        "capture")
                .sinkTo(sink).name("kafka " + topic);
    }

    private record Args(String[] hosts, String iface, int fanoutMembers, String bootstrapServers, String registryUrl,
            String topic) {
        static Args parse(String[] args) {
            java.util.Map<String, String> m = new java.util.HashMap<>();
            for (int i = 0; i + 1 < args.length; i += 2) {
                m.put(args[i].replaceFirst("^--", ""), args[i + 1]);
            }
            for (String required : new String[] {"hosts", "interface", "bootstrap-servers", "registry-url", "topic"}) {
                if (!m.containsKey(required)) {
                    throw new IllegalArgumentException("missing --" + required + "; usage: --hosts H1,H2 --interface IF"
                            + " [--fanout-members N] --bootstrap-servers B --registry-url URL --topic T");
                }
            }
            return new Args(m.get("hosts").split(","), m.get("interface"),
                    Integer.parseInt(m.getOrDefault("fanout-members", "1")), m.get("bootstrap-servers"),
                    m.get("registry-url"), m.get("topic"));
        }
    }
}
