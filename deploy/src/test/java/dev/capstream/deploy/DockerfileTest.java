package dev.capstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The Dockerfile, checked statically (no Docker engine runs here): bases, user, capability, health check. */
class DockerfileTest {

    private static final DockerfileInstructions DOCKERFILE =
            DockerfileInstructions.parse(DeployFiles.moduleDir().resolve("docker/Dockerfile"));

    @Test
    void buildsOnTemurin25JdkAndRunsOnTheOfficialTemurin25Jre() {
        List<String> from = DOCKERFILE.all("FROM");
        assertThat(from).hasSize(2);
        assertThat(from.getFirst()).isEqualTo("eclipse-temurin:25-jdk AS build");
        assertThat(DOCKERFILE.finalStage().all("FROM")).containsExactly("eclipse-temurin:25-jre");
    }

    @Test
    void runtimeUserIsNumericAndNotRoot() {
        List<String> users = DOCKERFILE.finalStage().all("USER");
        assertThat(users).isNotEmpty();
        String user = users.getLast();
        assertThat(user).matches("\\d+(:\\d+)?");
        assertThat(Integer.parseInt(user.split(":")[0])).isPositive();
        if (user.contains(":")) {
            assertThat(Integer.parseInt(user.split(":")[1])).isPositive();
        }
    }

    @Test
    void javaCarriesOnlyNetRawAndNoSetuidProgramStays() {
        String run = String.join("\n", DOCKERFILE.finalStage().all("RUN"));
        assertThat(run).contains("setcap cap_net_raw+ep \"$JAVA_HOME/bin/java\"");
        assertThat(run).doesNotContainPattern("setcap [^ ]*cap_(?!net_raw)");
        // secure-execution mode ignores $ORIGIN: libjli.so must come from the loader cache
        assertThat(run).contains("/etc/ld.so.conf.d/").contains("ldconfig");
        assertThat(run).contains("-perm /6000").contains("chmod ug-s");
    }

    @Test
    void healthCheckAsksTheHealthEndpointOnTheMetricsPort() throws Exception {
        List<String> checks = DOCKERFILE.finalStage().all("HEALTHCHECK");
        assertThat(checks).hasSize(1);
        assertThat(checks.getFirst()).contains("CMD").contains("/health")
                .contains("/dev/tcp/127.0.0.1/" + KubernetesManifestsTest.captureMetricsPort());
        assertThat(DOCKERFILE.finalStage().all("EXPOSE")).containsExactly(
                String.valueOf(KubernetesManifestsTest.captureMetricsPort()));
    }

    @Test
    void entrypointIsTheDistributionsLauncherWhereTheTarballIsCopied() {
        DockerfileInstructions runtime = DOCKERFILE.finalStage();
        assertThat(DockerfileInstructions.execForm(runtime.all("ENTRYPOINT").getLast()))
                .containsExactly("/opt/capstream/bin/capstream");
        assertThat(runtime.all("COPY")).contains("--from=build /dist /opt/capstream");
        // the build stage unpacks the tarball this module builds
        assertThat(String.join("\n", DOCKERFILE.all("RUN")))
                .contains("-pl deploy -am package").contains("tar -xzf deploy/target/capstream-*.tar.gz");
    }
}
