package dev.capstream.records;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

/**
 * The record schemas as they ship inside the jar ({@code avro/*.avsc} and every released version
 * under {@code avro-history/NAME/vN.avsc}), parsed from the files themselves: what a consumer without
 * the generated classes would use.
 */
public final class CaptureSchemas {

    public static final String CAPTURED_FRAME = "dev.capstream.avro.CapturedFrame";
    public static final String FRAME_BATCH = "dev.capstream.avro.FrameBatch";

    private static final Schema[] CURRENT = parseCurrent();

    private CaptureSchemas() {
    }

    /** The current {@code CapturedFrame} schema. */
    public static Schema capturedFrame() {
        return CURRENT[0];
    }

    /** The current {@code FrameBatch} schema (it borrows named types from CapturedFrame.avsc). */
    public static Schema frameBatch() {
        return CURRENT[1];
    }

    /**
     * Every released version of a record, oldest first, from {@code avro-history/NAME/v1.avsc} on.
     *
     * @param simpleName {@code CapturedFrame} or {@code FrameBatch}
     */
    public static List<Schema> history(String simpleName) {
        List<Schema> versions = new ArrayList<>();
        for (int v = 1; ; v++) {
            String text = resource("/avro-history/" + simpleName + "/v" + v + ".avsc");
            if (text == null) {
                return versions;
            }
            versions.add(new Schema.Parser().parse(text));
        }
    }

    private static Schema[] parseCurrent() {
        // One parser: FrameBatch.avsc names TimestampSource, Vlan and Direction from CapturedFrame.avsc.
        Schema.Parser parser = new Schema.Parser();
        Schema frame = parser.parse(required("/avro/CapturedFrame.avsc"));
        Schema batch = parser.parse(required("/avro/FrameBatch.avsc"));
        return new Schema[] {frame, batch};
    }

    private static String required(String name) {
        String text = resource(name);
        if (text == null) {
            throw new IllegalStateException(name + " is missing from the classpath; the capstream schemas jar ships it");
        }
        return text;
    }

    private static String resource(String name) {
        try (InputStream in = CaptureSchemas.class.getResourceAsStream(name)) {
            return in == null ? null : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name, e);
        }
    }
}
