package dev.capstream.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.Test;

/** The unboxed offset map is, to the worker and to a reader of the offsets topic, the map it replaces. */
class SourceOffsetTest {

    @Test
    void equalsAndHashesAsTheOrdinaryMapWithTheSameEntries() {
        Map<String, Object> ordinary = Map.of("sequence", 41L, "drops", 7L);
        SourceOffset offset = new SourceOffset(41, 7);
        assertThat(offset).isEqualTo(ordinary).hasSameHashCodeAs(ordinary);
        assertThat(ordinary).isEqualTo(offset);
        assertThat(offset).isNotEqualTo(Map.of("sequence", 41L, "drops", 8L));
        assertThat(offset.get("sequence")).isEqualTo(41L);
        assertThat(offset.get("member")).isNull();
    }

    @Test
    void theOffsetsTopicGetsTheSameJsonAsForAnOrdinaryMap() {
        // The worker's offset writer serializes offsets schemaless with the JsonConverter, as here.
        JsonConverter json = new JsonConverter();
        json.configure(Map.of("schemas.enable", "false"), false);
        byte[] written = json.fromConnectData("connect-offsets", null, new SourceOffset(1L << 40, 3));
        assertThat(json.toConnectData("connect-offsets", written).value())
                .isEqualTo(Map.of("sequence", 1L << 40, "drops", 3L));
    }

    @Test
    void cannotBeChanged() {
        assertThatThrownBy(() -> new SourceOffset(1, 2).put("sequence", 5L))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
