package dev.capstream.flink.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The serialization schema takes the registry settings the sidecar and the Connect connector take. */
class RegistryAvroSerializationSchemaTest {

    @Test
    void takesMutualTlsAndOAuthSettingsByTheSharedKeysAndStaysSerializable() throws Exception {
        var schema = new RegistryAvroSerializationSchema(Map.of(
                "registry.url", "https://registry:8081",
                "registry.ssl.ca.location", "/etc/ca.pem",
                "registry.ssl.certificate.location", "/etc/client.pem",
                "registry.ssl.key.location", "/etc/client.key.pem",
                "registry.oauth.token.endpoint.url", "https://idp/token",
                "registry.oauth.client.id", "job",
                "registry.oauth.client.secret", "s3cret"), "frames-value");
        try (ObjectOutputStream out = new ObjectOutputStream(new ByteArrayOutputStream())) {
            out.writeObject(schema);
        }
    }

    @Test
    void anIncompleteOrUnknownSettingFailsWhenTheJobIsBuiltNamingTheKey() {
        assertThatThrownBy(() -> new RegistryAvroSerializationSchema(Map.of("registry.url", "https://r:8081",
                "registry.ssl.certificate.location", "/etc/client.pem"), "frames-value"))
                .hasMessageContaining("registry.ssl.key.location");
        assertThatThrownBy(() -> new RegistryAvroSerializationSchema(Map.of("registry.url", "https://r:8081",
                "registry.oauth.client.id", "job"), "frames-value"))
                .hasMessageContaining("registry.oauth.token.endpoint.url");
        assertThatThrownBy(() -> new RegistryAvroSerializationSchema(Map.of("registry.url", "https://r:8081",
                "registry.ssl.keystore", "/x.p12"), "frames-value"))
                .hasMessageContaining("registry.ssl.keystore is no registry setting");
        assertThat(new RegistryAvroSerializationSchema("http://r:8081", "t-value")).isNotNull();
    }
}
