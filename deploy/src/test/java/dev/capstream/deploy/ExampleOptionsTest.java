package dev.capstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every option a deploy file names is a real option of {@code capstream capture}, with a value of
 * the right kind: checked against picocli's model of the sidecar's own {@code Main}.
 */
class ExampleOptionsTest {

    static Properties distConfig() {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(DeployFiles.moduleDir().resolve("src/dist/config/capstream.properties"))) {
            p.load(in);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return p;
    }

    @Test
    void distributionConfigUsesOnlyCaptureOptions() {
        assertConfigIsValid(distConfig(), "config/capstream.properties");
        assertThat(distConfig().stringPropertyNames()).contains("interface", "topic", "bootstrap-servers");
    }

    @Test
    void kubernetesConfigMapsUseOnlyCaptureOptions() {
        for (String file : List.of("daemonset.yaml", "sidecar-pod.yaml")) {
            for (Map<String, Object> doc : DeployFiles.yamlDocuments(DeployFiles.filteredKubernetes().resolve(file))) {
                if ("ConfigMap".equals(doc.get("kind"))) {
                    for (Object text : KubernetesManifestsTest.map(doc, "data").values()) {
                        assertConfigIsValid(KubernetesManifestsTest.properties((String) text), file);
                    }
                }
            }
        }
    }

    @Test
    void containerArgumentsAreCaptureOptionsInTheBaseAndEveryOverlay() {
        List<Map<String, Object>> workloads = List.of(KubernetesManifestsTest.daemonSet(),
                KubernetesManifestsTest.overlay("promisc"), KubernetesManifestsTest.overlay("rdma"),
                KubernetesManifestsTest.overlay("afxdp"));
        List<List<String>> argLists = new ArrayList<>();
        for (Map<String, Object> w : workloads) {
            argLists.add(args(KubernetesManifestsTest.capstreamContainer(KubernetesManifestsTest.podSpec(w))));
        }
        argLists.add(args(KubernetesManifestsTest.capstreamContainer(
                KubernetesManifestsTest.map(KubernetesManifestsTest.sidecarPod(), "spec"))));
        for (List<String> args : argLists) {
            assertThat(args.getFirst()).isEqualTo("capture");
            CaptureOptions.parseCapture(args.subList(1, args.size()));
        }
    }

    @Test
    void theAfXdpDropInsExecStartIsTheUnitsPlusAnAfXdpQueue() {
        List<String> exec = SystemdUnitTest.afXdpDropIn().get("ExecStart");
        assertThat(exec).as("reset, then the new command").hasSize(2).first().isEqualTo("");
        assertThat(exec.get(1)).isEqualTo(SystemdUnitTest.single("ExecStart") + " --afxdp eth1:0");
        List<String> args = Arrays.asList(exec.get(1).split(" "));
        CaptureOptions.parseCapture(args.subList(2, args.size()));
    }

    @Test
    void systemdExecStartAndDockerCmdAreCaptureOptions() {
        List<String> exec = Arrays.asList(SystemdUnitTest.single("ExecStart").split(" "));
        assertThat(exec.get(1)).isEqualTo("capture");
        CaptureOptions.parseCapture(exec.subList(2, exec.size()));

        DockerfileInstructions runtime = DockerfileInstructions.parse(
                DeployFiles.moduleDir().resolve("docker/Dockerfile")).finalStage();
        List<String> cmd = DockerfileInstructions.execForm(runtime.all("CMD").getLast());
        assertThat(cmd.getFirst()).isEqualTo("capture");
        CaptureOptions.parseCapture(cmd.subList(1, cmd.size()));
        // the config the CMD names is the example config the image copies there
        assertThat(runtime.all("COPY")).contains("deploy/src/dist/config/capstream.properties " + cmd.getLast());
    }

    @Test
    void aKeyOrFlagThatIsNoOptionIsCaught() {
        Properties typo = new Properties();
        typo.setProperty("interfce", "eth0");
        assertThat(CaptureOptions.unknownKeys(typo)).containsExactly("interfce");
        assertThatThrownBy(() -> CaptureOptions.parseCapture(List.of("--ring-blocks=many")))
                .isInstanceOf(CommandLine.ParameterException.class);
        assertThatThrownBy(() -> CaptureOptions.parseCapture(List.of("--no-such-option")))
                .isInstanceOf(CommandLine.ParameterException.class);
    }

    private static void assertConfigIsValid(Properties config, String where) {
        assertThat(CaptureOptions.unknownKeys(config)).as("keys of %s that are no option of capture", where).isEmpty();
        CaptureOptions.parseCapture(CaptureOptions.asFlags(config));
    }

    @SuppressWarnings("unchecked")
    private static List<String> args(Map<String, Object> container) {
        return (List<String>) (List<?>) KubernetesManifestsTest.list(container, "args");
    }

}
