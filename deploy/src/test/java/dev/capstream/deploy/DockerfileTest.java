package dev.capstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The Dockerfile, checked statically (no Docker engine runs here): bases, user, capability, health check. */
class DockerfileTest {

    private static final DockerfileInstructions DOCKERFILE =
            DockerfileInstructions.parse(DeployFiles.moduleDir().resolve("docker/Dockerfile"));

    @Test
    void baseImagesAreBuildArgumentsThatDefaultToTemurin25JdkAndJre() {
        assertThat(DOCKERFILE.all("ARG")).contains("BUILD_IMAGE=eclipse-temurin:25-jdk",
                "RUNTIME_IMAGE=eclipse-temurin:25-jre", "DIST_STAGE=build");
        List<String> from = DOCKERFILE.all("FROM");
        assertThat(from.getFirst()).isEqualTo("${BUILD_IMAGE} AS build");
        assertThat(from).contains("${DIST_STAGE} AS dist");
        assertThat(DOCKERFILE.finalStage().all("FROM")).containsExactly("${RUNTIME_IMAGE}");
        // Ubuntu 24.04 (the Temurin images) names libpcap libpcap0.8t64; Debian 12 libpcap0.8.
        assertThat(DOCKERFILE.finalStage().all("ARG")).containsExactly("PCAP_PACKAGE=libpcap0.8t64");
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
        assertThat(runtime.all("COPY")).contains("--from=dist /dist /opt/capstream");
        // both ways to the distribution unpack the capture-host tarball this module builds: no Kafka server in the image
        assertThat(String.join("\n", DOCKERFILE.all("RUN")))
                .contains("-pl deploy -am package").contains("tar -xzf deploy/target/capstream-*-capture-host.tar.gz");
        assertThat(DOCKERFILE.all("COPY")).contains("deploy/target/capstream-*-capture-host.tar.gz /tmp/capstream.tar.gz");
    }
}
