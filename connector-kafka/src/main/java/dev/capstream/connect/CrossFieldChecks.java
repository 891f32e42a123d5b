package dev.capstream.connect;

import static dev.capstream.connect.CaptureSourceConfig.*;

import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.spec.CaptureSettings;
import dev.capstream.capture.spec.InterfaceEntry;
import dev.capstream.capture.spec.InvalidSettingException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;

/**
 * The checks that involve more than one option. Each problem is charged to the option a user
 * should change, so the worker's validate endpoint shows it next to that field.
 */
final class CrossFieldChecks {

    /** The worker's own option for the number of tasks (ConnectorConfig.TASKS_MAX_CONFIG). */
    static final String TASKS_MAX = "tasks.max";

    record Problem(String key, String message) {
        @Override
        public String toString() {
            return key + ": " + message;
        }
    }

    private CrossFieldChecks() {}

    /** Problems of a config whose fields are each valid. */
    static List<Problem> problems(CaptureSourceConfig config) {
        List<Problem> out = new ArrayList<>();
        List<String> interfaces = config.getList(INTERFACES);
        List<String> splits = config.getList(SPLITS);
        if (interfaces.isEmpty() && splits.isEmpty() && config.getList(RDMA).isEmpty()) {
            out.add(new Problem(INTERFACES, "nothing to capture: name at least one interface here (e.g. eth0 or eth0:2),"
                    + " an RDMA port in " + RDMA + " or a split in " + SPLITS + " (rdma:DEVICE[:PORT], pcap:PATH)"));
        }
        Set<String> interfaceNames = new HashSet<>();
        for (InterfaceEntry entry : config.interfaces()) {
            interfaceNames.add(entry.name());
        }
        List<SplitAddress> rdmaPorts = CaptureSettings.rdmaSplits(config.captureSettings());
        for (SplitAddress split : config.otherSplits()) {
            if (rdmaPorts.contains(split)) {
                out.add(new Problem(SPLITS, split + " is also in " + RDMA + ": name each RDMA port in one place"));
            }
            if (split instanceof SplitAddress.AfPacket a && interfaceNames.contains(a.interfaceName())) {
                out.add(new Problem(SPLITS, split + " captures on " + a.interfaceName() + ", which " + INTERFACES
                        + " already lists: name each interface in one place"));
            }
        }
        if (config.batched() && config.getString(RECORD_KEY).strip().equalsIgnoreCase("flow")) {
            out.add(new Problem(RECORD_KEY, "record.mode=batch puts many flows into one record, so records cannot be"
                    + " keyed by flow: use record.key=split or none (or record.mode=frame)"));
        }
        if (config.valueFormat() == ValueFormat.BYTES_CONFLUENT && !config.hasRegistry()) {
            out.add(new Problem(REGISTRY_URL, "value.format=bytes with value.bytes.framing=confluent needs a schema"
                    + " registry to register the schema with: set " + REGISTRY_URL
                    + ", or set value.bytes.framing=single-object (no registry), or value.format=struct"));
        }
        if (config.getDouble(LOW_WATER) >= config.getDouble(HIGH_WATER)) {
            out.add(new Problem(LOW_WATER, "must be below " + HIGH_WATER + " (" + config.getDouble(HIGH_WATER) + ")"));
        }
        if (config.getLong(RING_POLL_TIMEOUT_MS) > config.getLong(RING_POLL_TIMEOUT_MAX_MS)) {
            out.add(new Problem(RING_POLL_TIMEOUT_MS, "must not exceed " + RING_POLL_TIMEOUT_MAX_MS + " ("
                    + config.getLong(RING_POLL_TIMEOUT_MAX_MS) + ")"));
        }
        try {
            CaptureSettings.readerOptions(config.captureSettings());
        } catch (InvalidSettingException e) {
            // Charged to the first setting it names (snaplen against the block size: the snaplen).
            out.add(new Problem(e.name().split("/")[0], e.reason()));
        }
        if (config.hasRegistry()) {
            try {
                config.registrySettings();
            } catch (IllegalArgumentException e) {
                // e.g. two kinds of credentials, or a certificate file without its key
                out.add(new Problem(REGISTRY_URL, e.getMessage()));
            }
        }
        int base = config.fanoutGroupBase();
        if (base != DERIVED_GROUP_ID && base + interfaces.size() - 1 > 0xFFFF) {
            out.add(new Problem(FANOUT_GROUP, "interface " + interfaces.size() + " would get group id "
                    + (base + interfaces.size() - 1) + ", above 65535: pick a lower first id"));
        }
        return out;
    }

    /** tasks.max must let every split have its own task. */
    static Problem tasksMax(int tasksMax, List<SplitAddress> splits) {
        if (tasksMax >= splits.size()) {
            return null;
        }
        return new Problem(TASKS_MAX, "tasks.max=" + tasksMax + " is less than the " + splits.size()
                + " capture splits (" + SplitPlan.describe(splits) + "); each split needs its own task: raise tasks.max"
                + " to " + splits.size() + " or use fewer fanout members");
    }

    /**
     * The connector's {@code validate()}: the per-field results with the cross-field problems added
     * to the fields they concern. Cross-field checks run on the fields that are valid (invalid ones
     * fall back to their defaults), so one bad value does not hide the others' problems.
     */
    static Config validate(Map<String, String> props, Config perField) {
        Map<String, ConfigValue> byName = new LinkedHashMap<>();
        for (ConfigValue value : perField.configValues()) {
            byName.put(value.name(), value);
        }
        Map<String, String> usable = new LinkedHashMap<>(props);
        for (ConfigValue value : perField.configValues()) {
            if (!value.errorMessages().isEmpty()) {
                usable.remove(value.name());
            }
        }
        usable.putIfAbsent(TOPIC, "topic-placeholder-for-validation");
        CaptureSourceConfig config;
        try {
            config = CaptureSourceConfig.forValidation(usable);
        } catch (ConfigException e) {
            return perField; // nothing more can be said until the fields are fixed
        }
        List<Problem> problems = new ArrayList<>(problems(config));
        String tasksMax = props.get(TASKS_MAX);
        if (tasksMax != null && interfacesAndSplitsValid(byName)) {
            try {
                Problem p = tasksMax(Integer.parseInt(tasksMax.strip()), config.splits());
                if (p != null) {
                    problems.add(p);
                }
            } catch (NumberFormatException e) {
                // the worker reports tasks.max itself
            }
        }
        for (Problem p : problems) {
            ConfigValue value = byName.computeIfAbsent(p.key(), k -> new ConfigValue(k, props.get(k), List.of(), new ArrayList<>()));
            if (value.errorMessages().isEmpty()) {
                value.addErrorMessage(p.message());
            }
        }
        return new Config(new ArrayList<>(byName.values()));
    }

    private static boolean interfacesAndSplitsValid(Map<String, ConfigValue> byName) {
        for (String key : List.of(INTERFACES, SPLITS, RDMA, FANOUT_MEMBERS)) {
            ConfigValue v = byName.get(key);
            if (v != null && !v.errorMessages().isEmpty()) {
                return false;
            }
        }
        return true;
    }
}
