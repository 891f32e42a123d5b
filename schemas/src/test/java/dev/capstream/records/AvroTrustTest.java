package dev.capstream.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstream.avro.CapturedFrame;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.Schema;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.avro.util.ClassSecurityValidator.ClassSecurityPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The build trusts our package with a system property; these tests put Avro back into the state it
 * is in without one, to prove that decoding does not depend on it.
 */
@Isolated
class AvroTrustTest {

    private ClassSecurityPredicate saved;

    @BeforeEach
    void forgetTheSystemProperty() {
        saved = ClassSecurityValidator.getGlobal();
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.DEFAULT_TRUSTED_CLASSES);
    }

    @AfterEach
    void restore() {
        ClassSecurityValidator.setGlobal(saved);
    }

    @Test
    void avroRefusesOurClassesUntrusted() {
        assertThatThrownBy(() -> readWithFreshClassLookup(body()))
                .isInstanceOf(SecurityException.class)
                .hasMessageContaining("dev.capstream.avro");
    }

    @Test
    void frameDecoderTrustsOurPackageItself() {
        EncodeBuffer value = new EncodeBuffer();
        WireFormat.writeSingleObjectHeader(WireFormat.fingerprint(CapturedFrame.getClassSchema()), value);
        value.writeBytes(body());

        CapturedFrame frame = new FrameDecoder().decode(value.toByteArray());

        CapturedFrame expected = TestFrame.plain(60).expected("h", "s", "i", 1, 0, 0);
        assertThat(frame).isEqualTo(expected);
        assertThat(readWithFreshClassLookup(body())).as("any reader, after FrameDecoder").isEqualTo(expected);
        assertThat(ClassSecurityValidator.getGlobal().isTrusted(Runtime.class)).as("still no other class").isFalse();
    }

    @Test
    void ensureIsIdempotent() {
        AvroTrust.ensure();
        ClassSecurityPredicate once = ClassSecurityValidator.getGlobal();

        AvroTrust.ensure();

        assertThat(ClassSecurityValidator.getGlobal()).isSameAs(once);
    }

    // Avro checks a class once per SpecificData and caches it; a fresh one makes it check again.
    private static CapturedFrame readWithFreshClassLookup(byte[] body) {
        Schema schema = CapturedFrame.getClassSchema();
        try {
            return new SpecificDatumReader<CapturedFrame>(schema, schema, new SpecificData())
                    .read(null, DecoderFactory.get().binaryDecoder(body, null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] body() {
        EncodeBuffer out = new EncodeBuffer();
        new CapturedFrameEncoder("h", "s", "i", 1).encode(TestFrame.plain(60), 0, 0, out);
        return out.toByteArray();
    }
}
