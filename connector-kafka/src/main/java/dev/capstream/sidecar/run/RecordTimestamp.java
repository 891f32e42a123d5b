package dev.capstream.sidecar.run;

import java.util.Locale;

/**
 * Which time a record's Kafka timestamp carries. The frame's capture time is always in the record
 * value; the Kafka timestamp is what the broker's retention and timestamp limits judge. Live
 * capture stamps the capture time (it is now); replay stamps the time of sending by default, so
 * a file from 2004 or 2106 is neither deleted by {@code retention.ms} nor refused by
 * {@code message.timestamp.after.max.ms}.
 */
public enum RecordTimestamp {
    /** The frame's capture time: live capture, and replay with {@code --record-timestamp capture}. */
    CAPTURE,
    /** The time the producer sends the record: replay's default. */
    SEND;

    /** Parses {@code capture} or {@code send}; the message names the option and what it allows. */
    public static RecordTimestamp parse(String option, String value) {
        try {
            return valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " " + value + ": allowed values are send, capture");
        }
    }
}
