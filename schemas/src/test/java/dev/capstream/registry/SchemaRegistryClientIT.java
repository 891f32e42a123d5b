package dev.capstream.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstream.avro.CapturedFrame;
import dev.capstream.testkit.ApicurioRegistry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SchemaRegistryClientIT {

    private static ApicurioRegistry registry;

    @BeforeAll
    static void startRegistry() {
        registry = ApicurioRegistry.start();
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void namesTheValueSubjectAfterTheTopic() {
        assertThat(SchemaRegistryClient.topicValueSubject("frames")).isEqualTo("frames-value");
    }

    @Test
    void registersASchemaOnceAndServesTheIdFromItsCacheAfterwards() {
        try (SchemaRegistryClient client = new SchemaRegistryClient(registry.confluentUrl())) {
            String subject = SchemaRegistryClient.topicValueSubject("register-once");

            int id = client.register(subject, CapturedFrame.getClassSchema());
            long requestsAfterFirst = client.requestCount();
            int again = client.register(subject, CapturedFrame.getClassSchema());

            assertThat(again).isEqualTo(id);
            assertThat(requestsAfterFirst).isEqualTo(1);
            assertThat(client.requestCount()).as("no request for a cached registration").isEqualTo(1);
        }
    }

    @Test
    void aSecondClientRegisteringTheSameSchemaGetsTheSameId() {
        String subject = SchemaRegistryClient.topicValueSubject("same-id");
        try (SchemaRegistryClient first = new SchemaRegistryClient(registry.confluentUrl());
                SchemaRegistryClient second = new SchemaRegistryClient(registry.confluentUrl() + "/")) {
            assertThat(second.register(subject, CapturedFrame.getClassSchema()))
                    .isEqualTo(first.register(subject, CapturedFrame.getClassSchema()));
        }
    }

    @Test
    void fetchesAnEqualSchemaByIdOnceAndThenFromItsCache() {
        int id;
        try (SchemaRegistryClient writer = new SchemaRegistryClient(registry.confluentUrl())) {
            id = writer.register(SchemaRegistryClient.topicValueSubject("by-id"), CapturedFrame.getClassSchema());
        }
        try (SchemaRegistryClient reader = new SchemaRegistryClient(registry.confluentUrl())) {
            Schema fetched = reader.schemaById(id);
            Schema again = reader.schemaById(id);

            assertThat(fetched).isEqualTo(CapturedFrame.getClassSchema());
            assertThat(again).isSameAs(fetched);
            assertThat(reader.requestCount()).isEqualTo(1);
        }
    }

    @Test
    void saysAnUnknownIdIsNotKnownToTheRegistry() {
        try (SchemaRegistryClient client = new SchemaRegistryClient(registry.confluentUrl())) {
            RegistryException e = catchThrowableOfType(RegistryException.class, () -> client.schemaById(987_654));

            assertThat(e).hasMessageStartingWith(
                    "schema id 987654 is not known to the registry at " + registry.confluentUrl());
            assertThat(e.status()).isEqualTo(404);
            assertThat(e.errorCode()).isEqualTo(40403);
        }
    }

    @Test
    void saysARegistryNobodyListensOnIsUnreachableAndPointsAtTheOption() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port;
        try (SchemaRegistryClient client = new SchemaRegistryClient(url, Duration.ofSeconds(2))) {
            assertThatThrownBy(() -> client.register("nobody-value", CapturedFrame.getClassSchema()))
                    .isInstanceOf(RegistryException.class)
                    .hasMessageContaining("schema registry at " + url + " is unreachable (")
                    .hasMessageContaining("ConnectException")
                    .hasMessageContaining("check --registry-url");
        }
    }

    @Test
    void pointsAtTheConfluentApiRootWhenGivenTheRegistrysBareUrl() {
        try (SchemaRegistryClient client = new SchemaRegistryClient(registry.baseUrl())) {
            RegistryException e = catchThrowableOfType(RegistryException.class,
                    () -> client.register("bare-value", CapturedFrame.getClassSchema()));

            assertThat(e.status()).isEqualTo(404);
            assertThat(e).hasMessageContaining("is --registry-url the registry's Confluent API root");
        }
    }

    @Test
    void refusesRequestsOnceClosedButKeepsItsCache() {
        SchemaRegistryClient client = new SchemaRegistryClient(registry.confluentUrl());
        int id = client.register("closing-value", CapturedFrame.getClassSchema());
        client.close();

        assertThat(client.register("closing-value", CapturedFrame.getClassSchema())).isEqualTo(id);
        assertThat(client.schemaById(id)).isEqualTo(CapturedFrame.getClassSchema());
        assertThatThrownBy(() -> client.schemaById(id + 1000))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is closed");
    }

    @Test
    void passesOnTheRegistrysMessageWhenItRefusesAnIncompatibleVersion() throws Exception {
        String subject = SchemaRegistryClient.topicValueSubject("incompatible");
        Schema v1 = SchemaBuilder.record("Reading").namespace("test").fields()
                .requiredInt("celsius").endRecord();
        // BACKWARD: a new required field without a default cannot read v1 data.
        Schema v2 = SchemaBuilder.record("Reading").namespace("test").fields()
                .requiredInt("celsius").requiredString("unit").endRecord();
        try (SchemaRegistryClient client = new SchemaRegistryClient(registry.confluentUrl())) {
            client.register(subject, v1);

            RegistryException e = catchThrowableOfType(RegistryException.class, () -> client.register(subject, v2));

            String registryMessage = rawRegistrationMessage(subject, v2);
            assertThat(registryMessage).isNotBlank();
            assertThat(e.status()).isEqualTo(409);
            assertThat(e).hasMessageContaining("subject '" + subject + "'")
                    .hasMessageContaining("incompatible")
                    .hasMessageContaining("HTTP 409")
                    .hasMessageContaining(registryMessage);
        }
    }

    @Test
    void checksCompatibilityAgainstTheLatestVersionWithTheRegistrysReasons() {
        String subject = SchemaRegistryClient.topicValueSubject("compat-check");
        Schema v1 = SchemaBuilder.record("Reading").namespace("test").fields().requiredInt("celsius").endRecord();
        Schema compatible = SchemaBuilder.record("Reading").namespace("test").fields()
                .requiredInt("celsius").name("unit").type().stringType().stringDefault("C").endRecord();
        Schema incompatible = SchemaBuilder.record("Reading").namespace("test").fields()
                .requiredInt("celsius").requiredString("unit").endRecord();
        try (SchemaRegistryClient client = new SchemaRegistryClient(registry.confluentUrl())) {
            assertThat(client.checkCompatibility(subject, v1).compatible()).as("a subject with no version yet").isTrue();
            client.register(subject, v1);

            assertThat(client.checkCompatibility(subject, compatible).compatible()).isTrue();
            SchemaRegistryClient.Compatibility verdict = client.checkCompatibility(subject, incompatible);
            assertThat(verdict.compatible()).isFalse();
        }
    }

    @Test
    void namesSubjectsByEachStrategyAndRegistersUnderThem() throws Exception {
        Schema schema = CapturedFrame.getClassSchema();
        for (SubjectStrategy strategy : SubjectStrategy.values()) {
            RegistrySettings settings = RegistrySettings.of(registry.confluentUrl()).withSubjectStrategy(strategy);
            try (SchemaRegistryClient client = new SchemaRegistryClient(settings)) {
                String subject = client.valueSubject("strategies", schema);
                assertThat(subject).isEqualTo(switch (strategy) {
                    case TOPIC_NAME -> "strategies-value";
                    case RECORD_NAME -> "dev.capstream.avro.CapturedFrame";
                    case TOPIC_RECORD_NAME -> "strategies-dev.capstream.avro.CapturedFrame";
                });
                int id = client.registerValue("strategies", schema);
                assertThat(subjectsOf(id)).contains(subject);
            }
        }
    }

    /** The subjects the registry lists, asked without the client. */
    private static String subjectsOf(int id) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create(registry.confluentUrl() + "/subjects")).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        }
    }

    /** What the registry itself says to the same request, asked without the client. */
    private static String rawRegistrationMessage(String subject, Schema schema) throws Exception {
        ObjectMapper json = new ObjectMapper();
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                            URI.create(registry.confluentUrl() + "/subjects/" + subject + "/versions"))
                    .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            json.writeValueAsString(Map.of("schema", schema.toString()))))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(409);
            return json.readTree(response.body()).path("message").asText();
        }
    }
}
