package dev.capstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApicurioRegistryIT {

    @Test
    void answersOnTheConfluentApiAndLeavesNoProcessBehindAfterClose() throws Exception {
        ProcessHandle child;
        List<ProcessHandle> tree;
        try (ApicurioRegistry registry = ApicurioRegistry.start();
                HttpClient http = HttpClient.newHttpClient()) {
            assertThat(registry.confluentUrl()).matches("http://127\\.0\\.0\\.1:\\d+/apis/ccompat/v7");
            HttpResponse<String> subjects = http.send(
                    HttpRequest.newBuilder(URI.create(registry.confluentUrl() + "/subjects"))
                            .timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(subjects.statusCode()).isEqualTo(200);
            assertThat(subjects.body()).isEqualTo("[]");

            child = registry.processHandle();
            tree = child.descendants().toList();
        }
        assertThat(child.isAlive()).isFalse();
        assertThat(tree).noneMatch(ProcessHandle::isAlive);
    }
}
