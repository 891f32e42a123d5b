package dev.capstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The Kubernetes manifests as shipped (image tag filled in) and as each overlay renders them,
 * validated against the Kubernetes API's JSON schemas by a real schema validator: the npm package
 * kubernetes-models (ajv validators compiled from the API's OpenAPI definitions), pinned by
 * src/test/kubernetes-schema/package-lock.json and run by validate.mjs. Runs where node and npm
 * are installed (this machine kind has both); skipped with the reason elsewhere.
 */
class KubernetesSchemaIT {

    private static Path checker;

    @BeforeAll
    static void installValidator() throws Exception {
        for (String tool : List.of("node", "npm")) {
            assumeTrue(List.of("/usr/bin", "/usr/local/bin", "/bin").stream().anyMatch(d -> Files.isExecutable(Path.of(d, tool))),
                    tool + " is not installed: the schema check runs the npm package kubernetes-models");
        }
        checker = DeployFiles.filteredKubernetes().resolveSibling("kubernetes-schema");
        Files.createDirectories(checker);
        Path source = DeployFiles.moduleDir().resolve("src/test/kubernetes-schema");
        for (String file : List.of("package.json", "package-lock.json", "validate.mjs")) {
            Files.copy(source.resolve(file), checker.resolve(file), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.isDirectory(checker.resolve("node_modules/kubernetes-models"))) {
            try (ChildProcess ci = ChildProcess.run(List.of("npm", "ci", "--no-audit", "--no-fund", "--prefix", checker.toString()),
                    Map.of(), 300)) {
                assertThat(ci.exitCode()).as("npm ci: %s", ci.stderr()).isZero();
            }
        }
    }

    @Test
    void theShippedManifestsAndEveryOverlayAreValidKubernetesObjects() throws Exception {
        List<String> files = new ArrayList<>();
        files.add(DeployFiles.filteredKubernetes().resolve("daemonset.yaml").toString());
        files.add(DeployFiles.filteredKubernetes().resolve("sidecar-pod.yaml").toString());
        for (String overlay : List.of("promisc", "rdma", "afxdp")) {
            Path rendered = checker.resolve("overlay-" + overlay + ".yaml");
            Files.writeString(rendered, new Yaml().dump(KubernetesManifestsTest.overlay(overlay)));
            files.add(rendered.toString());
        }
        Result result = validate(files);
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("valid " + files.get(0) + " DaemonSet capstream")
                .contains("valid " + files.get(1) + " Pod app-with-capstream")
                .contains("DaemonSet capstream").doesNotContain("invalid");
        assertThat(result.output().lines().filter(l -> l.startsWith("valid ")).count()).isGreaterThanOrEqualTo(8);
    }

    @Test
    void theValidatorRejectsAWrongTypeAndAnUnknownKind() throws Exception {
        // The check above can fail: a port as a string, and a kind the API does not have, are caught.
        Path bad = checker.resolve("broken.yaml");
        Files.writeString(bad, DeployFiles.read(DeployFiles.filteredKubernetes().resolve("daemonset.yaml"))
                .replaceFirst("containerPort: (\\d+)", "containerPort: \"port-$1\"")
                + "\n---\napiVersion: v1\nkind: DaemonSet\nmetadata:\n  name: wrong-group\n");
        Result result = validate(List.of(bad.toString()));
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.output()).contains("containerPort must be integer").contains("the API has no v1 DaemonSet");
    }

    private record Result(int exitCode, String output) {}

    private static Result validate(List<String> files) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("node", checker.resolve("validate.mjs").toString()));
        command.addAll(files);
        try (ChildProcess node = ChildProcess.run(command, Map.of(), 120)) {
            return new Result(node.exitCode(), node.stdout() + node.stderr());
        }
    }
}
