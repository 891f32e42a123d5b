package dev.capstream.sidecar.run;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;

/**
 * Before a replay that keeps capture times as record timestamps: would the topic keep the
 * records? The topic's {@code retention.ms} deletes records older than it at the broker's next
 * retention check, and {@code message.timestamp.before.max.ms} / {@code message.timestamp.after.max.ms}
 * make the broker refuse records stamped too far behind or ahead of its clock. A topic with
 * {@code message.timestamp.type=LogAppendTime} stamps records itself, so nothing is checked.
 */
final class TopicTimestampCheck {

    private TopicTimestampCheck() {
    }

    /** Refuses, with what would happen and what to do, when the topic would delete or refuse the file's records. */
    static void check(String bootstrap, String topic, CaptureTimeRange range, KafkaClients kafka) {
        if (range.frames() == 0) {
            return;
        }
        Config config = describe(bootstrap, topic, kafka);
        if ("LogAppendTime".equals(value(config, "message.timestamp.type"))) {
            return;
        }
        String problem = problem(topic, range, System.currentTimeMillis(), config::get);
        if (problem != null) {
            throw new SetupException("--record-timestamp capture: the file's frames were captured " + range + "; "
                    + problem + ". Replay without --record-timestamp capture (records are then stamped with the time of "
                    + "sending; every record keeps its capture time in its value), or change the topic's setting");
        }
    }

    /** What the topic would do to records stamped within {@code range}, or null when it keeps them all. */
    static String problem(String topic, CaptureTimeRange range, long nowMillis,
            java.util.function.Function<String, ConfigEntry> config) {
        List<String> problems = new ArrayList<>();
        long retention = longValue(config.apply("retention.ms"), 604_800_000L);
        long behind = nowMillis - range.firstMillis();
        if (retention >= 0 && behind > retention) {
            problems.add("topic '" + topic + "' has retention.ms=" + retention + " (" + human(retention)
                    + "), so the broker deletes the oldest of them, " + human(behind) + " old, at its next retention check"
                    + " (log.retention.check.interval.ms, minutes)");
        }
        long beforeMax = longValue(config.apply("message.timestamp.before.max.ms"), Long.MAX_VALUE);
        if (behind > beforeMax) {
            problems.add("topic '" + topic + "' refuses records stamped more than message.timestamp.before.max.ms="
                    + beforeMax + " (" + human(beforeMax) + ") before the broker's clock");
        }
        long afterMax = longValue(config.apply("message.timestamp.after.max.ms"), 3_600_000L);
        long ahead = range.lastMillis() - nowMillis;
        if (ahead > afterMax) {
            problems.add("topic '" + topic + "' refuses records stamped more than message.timestamp.after.max.ms="
                    + afterMax + " (" + human(afterMax) + ") after the broker's clock, and the newest frame is "
                    + human(ahead) + " ahead");
        }
        return problems.isEmpty() ? null : String.join("; ", problems);
    }

    private static Config describe(String bootstrap, String topic, KafkaClients kafka) {
        Map<String, Object> props = kafka.adminConfig(bootstrap);
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try (Admin admin = Admin.create(props)) {
            return admin.describeConfigs(List.of(resource)).all().get(25, TimeUnit.SECONDS).get(resource);
        } catch (ExecutionException e) {
            SetupException security = KafkaSecurity.securityFailure(e.getCause(), bootstrap, props, "admin client");
            if (security != null) {
                throw security;
            }
            throw new SetupException("cannot read the settings of topic '" + topic + "' at " + bootstrap
                    + " to check its retention: " + ExitStatus.userMessage(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            throw new SetupException("no Kafka broker answered at " + bootstrap + " within 25 s: check --bootstrap-servers", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SetupException("interrupted while reading the settings of topic '" + topic + "'", e);
        }
    }

    private static String value(Config config, String name) {
        ConfigEntry e = config.get(name);
        return e == null ? null : e.value();
    }

    private static long longValue(ConfigEntry entry, long otherwise) {
        if (entry == null || entry.value() == null) {
            return otherwise;
        }
        try {
            return Long.parseLong(entry.value().strip());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    private static String human(long millis) {
        Duration d = Duration.ofMillis(Math.abs(millis));
        if (d.toDays() >= 365) {
            return d.toDays() / 365 + " years";
        }
        if (d.toDays() >= 1) {
            return d.toDays() + " days";
        }
        if (d.toHours() >= 1) {
            return d.toHours() + " h";
        }
        return d.toMinutes() + " min";
    }
}
