package dev.capstream.records;

import dev.capstream.avro.CapturedFrame;
import dev.capstream.avro.Direction;
import dev.capstream.avro.TimestampSource;
import dev.capstream.avro.Vlan;
import java.util.List;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.avro.util.ClassSecurityValidator.ClassSecurityPredicate;

/**
 * Makes Avro trust capstream's generated classes.
 *
 * <p>Avro 1.12.2 refuses to instantiate a SpecificRecord class whose package is not trusted, in every
 * JVM that decodes (sidecar, Connect worker, Flink task managers, tests). The system property
 * {@code org.apache.avro.SERIALIZABLE_PACKAGES} fixes that only where someone remembered to set it;
 * this does it from code, once, so decoding works wherever {@link FrameDecoder} runs.
 */
public final class AvroTrust {

    /** The package of the generated Avro classes. */
    public static final String GENERATED_PACKAGE = "dev.capstream.avro";

    private static final String PREFIX = GENERATED_PACKAGE + ".";
    private static final ClassSecurityPredicate GENERATED_CLASSES = type -> type.getName().startsWith(PREFIX);
    private static final List<Class<?>> GENERATED = List.of(
            CapturedFrame.class, Vlan.class, TimestampSource.class, Direction.class,
            dev.capstream.avro.FrameBatch.class, dev.capstream.avro.BatchFrame.class,
            dev.capstream.avro.CaptureInterface.class);

    private AvroTrust() {
    }

    /**
     * Adds the generated package to Avro's global class trust, keeping whatever was trusted before.
     * Idempotent and cheap after the first call.
     */
    public static synchronized void ensure() {
        ClassSecurityPredicate current = ClassSecurityValidator.getGlobal();
        if (trusts(current)) {
            return;
        }
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(current, GENERATED_CLASSES));
    }

    static boolean trusts(ClassSecurityPredicate predicate) {
        return GENERATED.stream().allMatch(predicate::isTrusted);
    }
}
