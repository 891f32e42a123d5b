package dev.capstream.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstream.avro.CapturedFrame;
import dev.capstream.avro.FrameBatch;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Every released version of each record lives under {@code schemas/src/main/avro-history/NAME/vN.avsc}.
 * A change to a schema must stay BACKWARD compatible (a consumer with the new schema reads records
 * written with the last released one), which is what Confluent-compatible registries enforce by
 * default; this test fails the build before the registry would fail the producer.
 */
class SchemaEvolutionTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"CapturedFrame", "FrameBatch"})
    void currentSchemaIsBackwardCompatibleWithTheLastReleasedVersion(String name) {
        List<Schema> history = CaptureSchemas.history(name);
        assertThat(history).as("released versions of %s under avro-history/%s/", name, name).isNotEmpty();

        assertBackwardCompatible(current(name), history.getLast(), name + " (current) vs v" + history.size());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"CapturedFrame", "FrameBatch"})
    void everyReleasedVersionIsBackwardCompatibleWithTheOneBefore(String name) {
        List<Schema> history = CaptureSchemas.history(name);
        for (int v = 1; v < history.size(); v++) {
            assertBackwardCompatible(history.get(v), history.get(v - 1), name + " v" + (v + 1) + " vs v" + v);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"CapturedFrame", "FrameBatch"})
    void theShippedSchemaIsTheOneTheGeneratedClassesWereBuiltFrom(String name) {
        assertThat(SchemaNormalization.toParsingForm(current(name)))
                .isEqualTo(SchemaNormalization.toParsingForm(generated(name)));
    }

    @Test
    void aRequiredFieldWithoutDefaultIsCaughtAsIncompatible() {
        Schema released = CaptureSchemas.history("CapturedFrame").getLast();
        Schema variant = new Schema.Parser().parse(CaptureSchemas.capturedFrame().toString()
                .replace("\"fields\":[", "\"fields\":[{\"name\":\"capture_port\",\"type\":\"int\"},"));

        assertThatThrownBy(() -> assertBackwardCompatible(variant, released, "variant"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("capture_port")
                .hasMessageContaining("READER_FIELD_MISSING_DEFAULT_VALUE");
    }

    @Test
    void aNarrowedTypeIsCaughtAsIncompatible() {
        Schema released = CaptureSchemas.history("FrameBatch").getLast();
        Schema variant = new Schema.Parser().parse(CaptureSchemas.frameBatch().toString()
                .replace("{\"name\":\"first_sequence\",\"type\":\"long\"", "{\"name\":\"first_sequence\",\"type\":\"int\""));

        assertThatThrownBy(() -> assertBackwardCompatible(variant, released, "variant"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("first_sequence")
                .hasMessageContaining("TYPE_MISMATCH");
    }

    @Test
    void addingAFieldWithADefaultPasses() {
        Schema released = CaptureSchemas.history("CapturedFrame").getLast();
        Schema variant = new Schema.Parser().parse(CaptureSchemas.capturedFrame().toString()
                .replace("\"fields\":[", "\"fields\":[{\"name\":\"capture_port\",\"type\":\"int\",\"default\":0},"));

        assertBackwardCompatible(variant, released, "variant");
    }

    /** BACKWARD: the newer schema, as reader, can read everything the older one wrote. */
    static void assertBackwardCompatible(Schema newer, Schema older, String what) {
        var result = SchemaCompatibility.checkReaderWriterCompatibility(newer, older).getResult();
        if (result.getCompatibility() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            StringBuilder problems = new StringBuilder();
            for (var i : result.getIncompatibilities()) {
                problems.append("\n  ").append(i.getType()).append(" at ").append(fieldPath(newer, i.getLocation())).append(": ")
                        .append(i.getMessage());
            }
            throw new AssertionError(what + " is not BACKWARD compatible: consumers with the new schema could not read"
                    + " records written with the released one. Give new fields defaults, keep types and enum symbols."
                    + problems);
        }
    }

    /** Turns Avro's JSON pointer ({@code /fields/2/type}) into field names ({@code first_sequence}). */
    static String fieldPath(Schema schema, String pointer) {
        StringBuilder path = new StringBuilder();
        Schema s = schema;
        String[] steps = pointer.split("/");
        for (int i = 1; i < steps.length && s != null; i++) {
            String step = steps[i];
            if (step.equals("fields") && i + 1 < steps.length && s.getType() == Schema.Type.RECORD) {
                Schema.Field field = s.getFields().get(Integer.parseInt(steps[++i]));
                path.append(path.isEmpty() ? "" : ".").append(field.name());
                s = field.schema();
                i++; // "type"
            } else if (step.equals("items") && s.getType() == Schema.Type.ARRAY) {
                s = s.getElementType();
                path.append("[]");
            } else if (s.getType() == Schema.Type.UNION && step.chars().allMatch(Character::isDigit)) {
                s = s.getTypes().get(Integer.parseInt(step));
            } else {
                path.append(" ").append(step);
            }
        }
        return path + " (" + pointer + ")";
    }

    private static Schema current(String name) {
        return name.equals("CapturedFrame") ? CaptureSchemas.capturedFrame() : CaptureSchemas.frameBatch();
    }

    private static Schema generated(String name) {
        return name.equals("CapturedFrame") ? CapturedFrame.getClassSchema() : FrameBatch.getClassSchema();
    }
}
