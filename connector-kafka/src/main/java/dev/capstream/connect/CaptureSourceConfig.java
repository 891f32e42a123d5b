package dev.capstream.connect;

import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.afpacket.AfPacketOptions;
import dev.capstream.capture.spec.CaptureSettings;
import dev.capstream.capture.spec.Host;
import dev.capstream.capture.spec.InterfaceEntry;
import dev.capstream.capture.spec.ReaderOptions;
import dev.capstream.capture.spec.Setting;
import dev.capstream.capture.spec.SettingValues;
import dev.capstream.pipeline.PollGovernor;
import dev.capstream.pipeline.RecordKeying;
import dev.capstream.pipeline.RecordMode;
import dev.capstream.registry.RegistryOption;
import dev.capstream.registry.RegistrySettings;
import dev.capstream.registry.SubjectStrategy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * Every option of the capstream source connector, in one {@link ConfigDef}: each with a type, a
 * default, a validator, documentation and a group. Single-field checks live in the validators;
 * checks between fields are in {@link CrossFieldChecks}, run by the connector's {@code validate()}
 * and again when the connector starts.
 */
public final class CaptureSourceConfig extends AbstractConfig {

    // Groups, in the order the worker's UI shows them.
    static final String GROUP_CAPTURE = "Capture";
    static final String GROUP_RING = "Ring";
    static final String GROUP_RECORDS = "Records";
    static final String GROUP_REGISTRY = "Schema registry";
    static final String GROUP_BACKPRESSURE = "Backpressure";

    // The capture options come from the capture spec; these are their Connect keys.
    public static final String INTERFACES = key(CaptureSettings.INTERFACES);
    public static final String SPLITS = "capture.splits";
    public static final String RDMA = key(CaptureSettings.RDMA_PORTS);
    public static final String AFXDP = key(CaptureSettings.AFXDP_QUEUES);
    public static final String FANOUT_MEMBERS = key(CaptureSettings.FANOUT_MEMBERS);
    public static final String FANOUT_MODE = key(CaptureSettings.FANOUT_MODE);
    public static final String FANOUT_GROUP = key(CaptureSettings.FANOUT_GROUP);
    public static final String FILTER = key(CaptureSettings.FILTER);
    public static final String FILTER_BPF = key(CaptureSettings.FILTER_BPF);
    public static final String SNAPLEN = key(CaptureSettings.SNAPLEN);
    public static final String RING_BLOCK_SIZE = key(CaptureSettings.RING_BLOCK_SIZE);
    public static final String RING_BLOCKS = key(CaptureSettings.RING_BLOCKS);

    /** The fanout group's key before the capture spec named it {@link #FANOUT_GROUP}; still read (-1 meant derived). */
    static final String LEGACY_FANOUT_GROUP_ID = "capture.fanout.group.id";

    public static final String TOPIC = "topic";
    public static final String RECORD_MODE = "record.mode";
    public static final String BATCH_MAX_FRAMES = "record.batch.max.frames";
    public static final String BATCH_MAX_BYTES = "record.batch.max.bytes";
    public static final String BATCH_LINGER_MS = "record.batch.linger.ms";
    public static final String RECORD_KEY = "record.key";
    public static final String VALUE_FORMAT = "value.format";
    public static final String VALUE_BYTES_FRAMING = "value.bytes.framing";

    public static final String REGISTRY_URL = RegistryOption.URL.key();
    public static final String REGISTRY_SUBJECT_STRATEGY = RegistryOption.SUBJECT_STRATEGY.key();
    public static final String REGISTRY_BASIC_AUTH = RegistryOption.BASIC_AUTH.key();
    public static final String REGISTRY_BEARER_TOKEN = RegistryOption.BEARER_TOKEN.key();
    public static final String REGISTRY_CA_FILE = RegistryOption.CA_FILE.key();
    public static final String REGISTRY_TRUSTSTORE = RegistryOption.TRUSTSTORE.key();
    public static final String REGISTRY_TRUSTSTORE_PASSWORD = RegistryOption.TRUSTSTORE_PASSWORD.key();
    public static final String REGISTRY_TIMEOUT_MS = "registry.timeout.ms";

    public static final String MAX_UNACKED_FRAMES = "backpressure.max.unacked.frames";
    public static final String MAX_UNACKED_BYTES = "backpressure.max.unacked.bytes";
    public static final String HIGH_WATER = "backpressure.high.water";
    public static final String LOW_WATER = "backpressure.low.water";
    public static final String RING_POLL_TIMEOUT_MS = "backpressure.ring.poll.timeout.ms";
    public static final String RING_POLL_TIMEOUT_MAX_MS = "backpressure.ring.poll.timeout.max.ms";
    public static final String POLL_MAX_RECORDS = "poll.max.records";
    public static final String POLL_TIMEOUT_MS = "poll.timeout.ms";
    public static final String POLL_LINGER_MS = "poll.linger.ms";

    // Set by the connector for each task; not for users.
    static final String TASK_SPLIT = "capstream.task.split";
    static final String TASK_FANOUT_GROUP_ID = "capstream.task.fanout.group.id";

    static final int DERIVED_GROUP_ID = -1;

    private static final ConfigDef CONFIG_DEF = define();
    private static final ConfigDef TASK_CONFIG_DEF = new ConfigDef(CONFIG_DEF)
            .defineInternal(TASK_SPLIT, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH)
            .defineInternal(TASK_FANOUT_GROUP_ID, Type.INT, AfPacketOptions.AUTO_GROUP_ID, Importance.LOW);

    private final SettingValues capture;

    private CaptureSourceConfig(ConfigDef def, Map<String, String> props) {
        super(def, withLegacyKeys(props), false);
        this.capture = ConnectSettings.values(CaptureSettings.all(), this::get);
    }

    private static String key(Setting<?> setting) {
        return Host.CONNECT.name(setting);
    }

    /** The props with keys of earlier versions under their current names (the current name wins). */
    static Map<String, String> withLegacyKeys(Map<String, String> props) {
        String legacy = props.get(LEGACY_FANOUT_GROUP_ID);
        if (legacy == null || props.containsKey(FANOUT_GROUP)) {
            return props;
        }
        Map<String, String> out = new LinkedHashMap<>(props);
        out.remove(LEGACY_FANOUT_GROUP_ID);
        if (!legacy.strip().equals(String.valueOf(DERIVED_GROUP_ID))) {
            out.put(FANOUT_GROUP, legacy);
        }
        return out;
    }

    /** The connector's view: the user's options, checked field by field and across fields. */
    public static CaptureSourceConfig of(Map<String, String> props) {
        CaptureSourceConfig config = new CaptureSourceConfig(CONFIG_DEF, props);
        List<CrossFieldChecks.Problem> problems = CrossFieldChecks.problems(config);
        if (!problems.isEmpty()) {
            throw new ConfigException("capstream source connector configuration is not usable: "
                    + String.join("; ", problems.stream().map(Object::toString).toList()));
        }
        return config;
    }

    /** Parsed field by field only: {@link CrossFieldChecks#validate} adds the rest. */
    static CaptureSourceConfig forValidation(Map<String, String> props) {
        return new CaptureSourceConfig(CONFIG_DEF, props);
    }

    /** A task's view: the connector's options plus the split the connector gave it. */
    static CaptureSourceConfig forTask(Map<String, String> props) {
        return new CaptureSourceConfig(TASK_CONFIG_DEF, props);
    }

    /** The definition of every option (a copy: callers may not change the connector's). */
    public static ConfigDef configDef() {
        return new ConfigDef(CONFIG_DEF);
    }

    static ConfigDef sharedConfigDef() {
        return CONFIG_DEF;
    }

    private static ConfigDef define() {
        ConfigDef def = new ConfigDef();
        def.define(SPLITS, Type.LIST, "", Validators.splitList(), Importance.MEDIUM,
                "Further capture splits, comma-separated, one task each: afxdp:IF[:QUEUE] (an interface RX queue"
                        + " through AF_XDP; its frames leave the host's stack; needs CAP_NET_RAW, CAP_BPF and"
                        + " CAP_NET_ADMIN), rdma:DEVICE[:PORT] (an RDMA port's"
                        + " sniffer), pcap:PATH (a pcap/pcapng file on the worker's host, read once) or"
                        + " afpacket:IF[#MEMBER/MEMBERS].",
                GROUP_CAPTURE, 0, Width.LONG, "Other splits");
        ConnectSettings.define(def, CaptureSettings.all());

        int order = 0;
        def.define(TOPIC, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyStringWithoutControlChars(),
                Importance.HIGH, "Kafka topic the records are written to.",
                GROUP_RECORDS, ++order, Width.MEDIUM, "Topic");
        def.define(RECORD_MODE, Type.STRING, "frame", Validators.oneOf("frame", "batch"), Importance.HIGH,
                "frame: one record per frame (CapturedFrame). batch: one record per batch of a split's frames"
                        + " (FrameBatch), cut at " + BATCH_MAX_FRAMES + ", " + BATCH_MAX_BYTES + " or " + BATCH_LINGER_MS + ".",
                GROUP_RECORDS, ++order, Width.SHORT, "Record mode", Validators.recommend("frame", "batch"));
        def.define(BATCH_MAX_FRAMES, Type.INT, 1000, ConfigDef.Range.atLeast(1), Importance.LOW,
                "Batch mode: frames at which a batch is cut.", GROUP_RECORDS, ++order, Width.SHORT, "Batch frames");
        def.define(BATCH_MAX_BYTES, Type.INT, 262_144, ConfigDef.Range.atLeast(1), Importance.LOW,
                "Batch mode: encoded frame bytes at which a batch is cut.",
                GROUP_RECORDS, ++order, Width.SHORT, "Batch bytes");
        def.define(BATCH_LINGER_MS, Type.LONG, 100L, ConfigDef.Range.atLeast(0), Importance.LOW,
                "Batch mode: how long the first frame of a batch waits for company.",
                GROUP_RECORDS, ++order, Width.SHORT, "Batch linger (ms)");
        def.define(RECORD_KEY, Type.STRING, "", Validators.blankOr(RecordKeying::parse),
                Importance.MEDIUM,
                "Record key: flow (a symmetric hash of the frame's flow, so a flow stays in one partition; frame"
                        + " mode only), split (the split id) or none. Empty: flow in frame mode, split in batch mode.",
                GROUP_RECORDS, ++order, Width.SHORT, "Key", Validators.recommend("flow", "split", "none"));
        def.define(VALUE_FORMAT, Type.STRING, "struct", Validators.oneOf("struct", "bytes"), Importance.HIGH,
                "struct: a Connect Struct mirroring the Avro schema, for any converter (JsonConverter, AvroConverter)."
                        + " bytes: the Avro record pre-encoded by capstream (framing per " + VALUE_BYTES_FRAMING
                        + "), for value.converter=org.apache.kafka.connect.converters.ByteArrayConverter: the fast path.",
                GROUP_RECORDS, ++order, Width.SHORT, "Value format", Validators.recommend("struct", "bytes"));
        def.define(VALUE_BYTES_FRAMING, Type.STRING, "confluent", Validators.oneOf("confluent", "single-object"),
                Importance.MEDIUM,
                "Framing of bytes values: confluent (magic byte + the schema id " + REGISTRY_URL + " registers) or"
                        + " single-object (Avro's C3 01 + schema fingerprint; no registry).",
                GROUP_RECORDS, ++order, Width.SHORT, "Bytes framing", Validators.recommend("confluent", "single-object"));

        order = 0;
        def.define(REGISTRY_URL, Type.STRING, "", Validators.httpUrlOrBlank(), Importance.MEDIUM,
                "Confluent-compatible schema registry the bytes fast path registers its schema with, e.g."
                        + " http://registry:8081 (Apicurio: .../apis/ccompat/v7). Not used by value.format=struct.",
                GROUP_REGISTRY, ++order, Width.LONG, "Registry URL");
        def.define(REGISTRY_SUBJECT_STRATEGY, Type.STRING, "topic", Validators.parsed(SubjectStrategy::parse),
                Importance.LOW, "Subject naming: topic (<topic>-value), record (the record's full name) or topic-record.",
                GROUP_REGISTRY, ++order, Width.SHORT, "Subject strategy", Validators.recommend("topic", "record", "topic-record"));
        // Credentials, TLS trust and the client certificate: described once, in RegistryOption,
        // for the sidecar, this connector and the Flink serialization schema.
        for (RegistryOption o : RegistryOption.values()) {
            if (o == RegistryOption.URL || o == RegistryOption.SUBJECT_STRATEGY) {
                continue;
            }
            def.define(o.key(), o.secret() ? Type.PASSWORD : Type.STRING, "",
                    o == RegistryOption.BASIC_AUTH ? Validators.blankPasswordOr(RegistrySettings.Auth.Basic::parse)
                            : o == RegistryOption.OAUTH_TOKEN_URL ? Validators.httpUrlOrBlank() : null,
                    Importance.LOW, o.description(), GROUP_REGISTRY, ++order, Width.MEDIUM, o.key());
        }
        def.define(REGISTRY_TIMEOUT_MS, Type.LONG, 10_000L, ConfigDef.Range.between(1, 600_000), Importance.LOW,
                "Bound on connecting to the registry and on each request.",
                GROUP_REGISTRY, ++order, Width.SHORT, "Registry timeout (ms)");

        order = 0;
        def.define(MAX_UNACKED_FRAMES, Type.INT, 20_000, ConfigDef.Range.between(1, 10_000_000), Importance.MEDIUM,
                "Frames a task may have handed over that the worker has not acknowledged yet (queued, or being"
                        + " produced). At this bound the task stops taking frames off its ring.",
                GROUP_BACKPRESSURE, ++order, Width.SHORT, "Max unacknowledged frames");
        def.define(MAX_UNACKED_BYTES, Type.LONG, 32L << 20, ConfigDef.Range.between(1024, 1L << 34), Importance.MEDIUM,
                "Encoded bytes of unacknowledged records a task may hold: with the frame bound, what bounds its"
                        + " memory.",
                GROUP_BACKPRESSURE, ++order, Width.SHORT, "Max unacknowledged bytes");
        def.define(HIGH_WATER, Type.DOUBLE, 0.8, ConfigDef.Range.between(0.01, 1.0), Importance.LOW,
                "Fraction of the unacknowledged bounds above which the task holds its ring back and waits longer"
                        + " per ring poll.",
                GROUP_BACKPRESSURE, ++order, Width.SHORT, "High water");
        def.define(LOW_WATER, Type.DOUBLE, 0.5, ConfigDef.Range.between(0.0, 0.99), Importance.LOW,
                "Fraction below which a held-back task drains its ring again (must be below the high water).",
                GROUP_BACKPRESSURE, ++order, Width.SHORT, "Low water");
        def.define(RING_POLL_TIMEOUT_MS, Type.LONG, 100L, ConfigDef.Range.between(1, 60_000), Importance.LOW,
                "How long the capture thread waits for a ring block when not held back.",
                GROUP_BACKPRESSURE, ++order, Width.SHORT, "Ring poll timeout (ms)");
        def.define(RING_POLL_TIMEOUT_MAX_MS, Type.LONG, 1_000L, ConfigDef.Range.between(1, 600_000), Importance.LOW,
                "Longest wait per ring poll while held back (the wait doubles up to it).",
                GROUP_BACKPRESSURE, ++order, Width.SHORT, "Max ring poll timeout (ms)");
        def.define(POLL_MAX_RECORDS, Type.INT, 2_000, ConfigDef.Range.between(1, 1_000_000), Importance.LOW,
                "Most records one poll() hands the worker.",
                GROUP_BACKPRESSURE, ++order, Width.SHORT, "Max records per poll");
        def.define(POLL_TIMEOUT_MS, Type.LONG, 500L, ConfigDef.Range.between(1, 60_000), Importance.LOW,
                "Longest a poll() waits for a first record before returning none (so the worker stays responsive).",
                GROUP_BACKPRESSURE, ++order, Width.SHORT, "Poll timeout (ms)");
        def.define(POLL_LINGER_MS, Type.LONG, 1L, ConfigDef.Range.between(0, 1_000), Importance.LOW,
                "Once a poll() has a record, how long it waits for more (up to poll.max.records) before returning;"
                        + " fewer, larger polls cost the worker less per record. 0 returns what is queued at once.",
                GROUP_BACKPRESSURE, ++order, Width.SHORT, "Poll linger (ms)");
        return def;
    }

    // ---- typed views ----------------------------------------------------------------------

    /** The capture spec's values: what to capture and how each reader is set up. */
    SettingValues captureSettings() {
        return capture;
    }

    /** The interface entries as given. */
    List<InterfaceEntry> interfaces() {
        return CaptureSettings.interfaces(capture);
    }

    List<SplitAddress> otherSplits() {
        return getList(SPLITS).stream().map(SplitAddress::parse).toList();
    }

    /** Every split of the connector: interface members first, in order, then AF_XDP queues, RDMA ports, the other splits. */
    List<SplitAddress> splits() {
        List<SplitAddress> splits = new ArrayList<>(CaptureSettings.splits(capture));
        splits.addAll(otherSplits());
        return splits;
    }

    /** The options of every split kind, with this AF_PACKET fanout group id. */
    ReaderOptions readerOptions(int fanoutGroupId) {
        ReaderOptions options = CaptureSettings.readerOptions(capture);
        return options.withAfPacket(options.afPacket().withFanoutGroupId(fanoutGroupId));
    }

    RecordMode recordMode() {
        return batched()
                ? RecordMode.batches(getInt(BATCH_MAX_FRAMES), getInt(BATCH_MAX_BYTES), getLong(BATCH_LINGER_MS))
                : RecordMode.frames();
    }

    boolean batched() {
        return getString(RECORD_MODE).strip().equalsIgnoreCase("batch");
    }

    RecordKeying keying() {
        String key = getString(RECORD_KEY).strip();
        return key.isEmpty() ? RecordKeying.defaultFor(batched()) : RecordKeying.parse(key);
    }

    ValueFormat valueFormat() {
        if (getString(VALUE_FORMAT).strip().equalsIgnoreCase("struct")) {
            return ValueFormat.STRUCT;
        }
        return getString(VALUE_BYTES_FRAMING).strip().equalsIgnoreCase("single-object")
                ? ValueFormat.BYTES_SINGLE_OBJECT : ValueFormat.BYTES_CONFLUENT;
    }

    String topic() {
        return getString(TOPIC);
    }

    boolean hasRegistry() {
        return !getString(REGISTRY_URL).isBlank();
    }

    RegistrySettings registrySettings() {
        return RegistryOption.settings(o -> {
            if (!values().containsKey(o.key())) {
                return null;
            }
            return o.secret() ? getPassword(o.key()).value() : getString(o.key());
        }, Duration.ofMillis(getLong(REGISTRY_TIMEOUT_MS)));
    }

    PollGovernor governor() {
        return new PollGovernor(getDouble(HIGH_WATER), getDouble(LOW_WATER), getLong(RING_POLL_TIMEOUT_MS),
                getLong(RING_POLL_TIMEOUT_MAX_MS));
    }

    int maxUnackedFrames() {
        return getInt(MAX_UNACKED_FRAMES);
    }

    long maxUnackedBytes() {
        return getLong(MAX_UNACKED_BYTES);
    }

    int pollMaxRecords() {
        return getInt(POLL_MAX_RECORDS);
    }

    long pollTimeoutMillis() {
        return getLong(POLL_TIMEOUT_MS);
    }

    long pollLingerMillis() {
        return getLong(POLL_LINGER_MS);
    }

    /** The configured group id of the first interface, or {@link #DERIVED_GROUP_ID}. */
    int fanoutGroupBase() {
        Integer base = capture.get(CaptureSettings.FANOUT_GROUP);
        return base == null ? DERIVED_GROUP_ID : base;
    }

    SplitAddress taskSplit() {
        return SplitAddress.parse(getString(TASK_SPLIT));
    }

    int taskFanoutGroupId() {
        return getInt(TASK_FANOUT_GROUP_ID);
    }

    /** What the worker would show for secrets: never their values. */
    static boolean isSecret(String key) {
        return CONFIG_DEF.configKeys().get(key) != null && CONFIG_DEF.configKeys().get(key).type == Type.PASSWORD;
    }

    /** Redacted props for log lines. */
    static Map<String, String> redacted(Map<String, String> props) {
        Map<String, String> out = new LinkedHashMap<>(props);
        out.replaceAll((k, v) -> isSecret(k) && v != null && !v.isEmpty() ? Password.HIDDEN : v);
        return out;
    }
}
