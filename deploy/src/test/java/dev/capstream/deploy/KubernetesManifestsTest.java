package dev.capstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The Kubernetes manifests Maven filtered (target/kubernetes), parsed: the DaemonSet and the
 * sidecar pod hold exactly the privileges the README claims, probe the sidecar's real health
 * endpoint, run the image of this version, and the overlays add what they say and no more.
 */
class KubernetesManifestsTest {

    private static final Path K8S = DeployFiles.filteredKubernetes();

    @Test
    void daemonSetUsesTheNodeNetworkWithOnlyNetRawAndDropsEverythingElse() {
        Map<String, Object> pod = podSpec(daemonSet());
        assertThat(pod.get("hostNetwork")).isEqualTo(true);
        assertThat(pod.get("dnsPolicy")).isEqualTo("ClusterFirstWithHostNet");
        Map<String, Object> security = map(capstreamContainer(pod), "securityContext");
        assertThat(list(map(security, "capabilities"), "drop")).containsExactly("ALL");
        assertThat(list(map(security, "capabilities"), "add")).containsExactly("NET_RAW");
        assertThat(security.get("readOnlyRootFilesystem")).isEqualTo(true);
        assertThat(security).doesNotContainKey("privileged");
        Map<String, Object> podSecurity = map(pod, "securityContext");
        assertThat(podSecurity.get("runAsNonRoot")).isEqualTo(true);
        assertThat((Integer) podSecurity.get("runAsUser")).isEqualTo(imageUid());
        assertThat(list(pod, "volumes")).noneMatch(v -> ((Map<?, ?>) v).containsKey("hostPath"));
    }

    @Test
    void probesAskTheSidecarsHealthEndpointOnItsDefaultMetricsPort() throws Exception {
        int metricsPort = captureMetricsPort();
        for (Map<String, Object> container : List.of(capstreamContainer(podSpec(daemonSet())),
                capstreamContainer(map(sidecarPod(), "spec")))) {
            for (String probe : List.of("livenessProbe", "readinessProbe")) {
                Map<String, Object> get = map(map(container, probe), "httpGet");
                assertThat(get.get("path")).as(probe).isEqualTo("/health");
                assertThat(get.get("port")).as(probe).isEqualTo(metricsPort);
            }
            // the config the container runs with leaves the endpoint where the probes look
            Properties config = configFor(container);
            assertThat(config.getProperty("metrics-port", String.valueOf(metricsPort)))
                    .isEqualTo(String.valueOf(metricsPort));
        }
    }

    @Test
    void imageTagIsTheProjectVersionFilledInByMaven() {
        String expected = "capstream:" + DeployFiles.projectVersion();
        assertThat(capstreamContainer(podSpec(daemonSet())).get("image")).isEqualTo(expected);
        assertThat(capstreamContainer(map(sidecarPod(), "spec")).get("image")).isEqualTo(expected);
        // the sources hold the placeholder, so the tag cannot drift from the version
        for (String source : List.of("daemonset.yaml", "sidecar-pod.yaml")) {
            assertThat(DeployFiles.read(DeployFiles.moduleDir().resolve("kubernetes").resolve(source)))
                    .contains("image: \"capstream:${project.version}\"");
        }
    }

    @Test
    void configComesFromAConfigMapMountedWhereTheArgumentsLookForIt() {
        Map<String, Object> pod = podSpec(daemonSet());
        Map<String, Object> container = capstreamContainer(pod);
        List<Object> args = list(container, "args");
        assertThat(args).startsWith("capture", "--config");
        Path configPath = Path.of((String) args.get(2));
        Map<?, ?> mount = list(container, "volumeMounts").stream().map(m -> (Map<?, ?>) m)
                .filter(m -> configPath.getParent().toString().equals(m.get("mountPath"))).findFirst().orElseThrow();
        assertThat(mount.get("readOnly")).isEqualTo(true);
        Map<?, ?> volume = list(pod, "volumes").stream().map(v -> (Map<?, ?>) v)
                .filter(v -> v.get("name").equals(mount.get("name"))).findFirst().orElseThrow();
        String configMapName = (String) ((Map<?, ?>) volume.get("configMap")).get("name");
        Map<String, Object> configMap = document(K8S.resolve("daemonset.yaml"), "ConfigMap");
        assertThat(map(configMap, "metadata").get("name")).isEqualTo(configMapName);
        assertThat(map(configMap, "data")).containsKey(configPath.getFileName().toString());
    }

    @Test
    void memoryCoversTheHeapAndTheRingsTheConfigAsksFor() {
        Map<String, Object> container = capstreamContainer(podSpec(daemonSet()));
        long limit = quantity((String) map(map(container, "resources"), "limits").get("memory"));
        long request = quantity((String) map(map(container, "resources"), "requests").get("memory"));
        assertThat(request).as("request = limit: the rings are not reclaimable").isEqualTo(limit);
        String javaOpts = list(container, "env").stream().map(e -> (Map<?, ?>) e)
                .filter(e -> e.get("name").equals("JAVA_OPTS")).map(e -> (String) e.get("value")).findFirst().orElseThrow();
        long heap = quantity(javaOpts.replaceAll(".*-Xmx(\\d+[kKmMgG]).*", "$1"));
        Properties config = configFor(container);
        long ring = quantity(config.getProperty("ring-block-size")) * Long.parseLong(config.getProperty("ring-blocks"));
        assertThat(limit).as("heap %d + rings %d + 200 MiB non-heap", heap, ring)
                .isGreaterThanOrEqualTo(heap + ring + (200L << 20));
    }

    @Test
    void promiscOverlayAddsTheFlagAndNoCapability() {
        Map<String, Object> patched = overlay("promisc");
        Map<String, Object> container = capstreamContainer(podSpec(patched));
        assertThat(list(container, "args")).endsWith("--promisc");
        assertThat(list(map(map(container, "securityContext"), "capabilities"), "add")).containsExactly("NET_RAW");
    }

    @Test
    void rdmaOverlayAddsIpcLockAndTheVerbsDevicesOnly() {
        Map<String, Object> pod = podSpec(overlay("rdma"));
        Map<String, Object> container = capstreamContainer(pod);
        Map<String, Object> security = map(container, "securityContext");
        assertThat(list(map(security, "capabilities"), "add")).containsExactly("NET_RAW", "IPC_LOCK");
        assertThat(list(map(security, "capabilities"), "drop")).containsExactly("ALL");
        // root with two capabilities and no_new_privs: the image's java has only NET_RAW as a file capability
        assertThat(security.get("allowPrivilegeEscalation")).isEqualTo(false);
        assertThat(security.get("runAsUser")).isEqualTo(0);
        assertThat(list(container, "args")).containsSequence("--rdma", "mlx5_0:1");
        assertThat(list(pod, "volumes")).anySatisfy(v -> assertThat(((Map<?, ?>) v).get("hostPath"))
                .isEqualTo(Map.of("path", "/dev/infiniband", "type", "Directory")));
        assertThat(list(container, "volumeMounts")).anySatisfy(m -> assertThat(((Map<?, ?>) m).get("mountPath"))
                .isEqualTo("/dev/infiniband"));
    }

    @Test
    void afXdpOverlayAddsTheQueueAndBpfNetAdminIpcLockOnHostNetworkOnly() {
        Map<String, Object> pod = podSpec(overlay("afxdp"));
        Map<String, Object> container = capstreamContainer(pod);
        Map<String, Object> security = map(container, "securityContext");
        assertThat(list(map(security, "capabilities"), "add")).containsExactly("NET_RAW", "BPF", "NET_ADMIN", "IPC_LOCK");
        assertThat(list(map(security, "capabilities"), "drop")).containsExactly("ALL");
        // root with four capabilities and no_new_privs: the image's java has only NET_RAW as a file capability
        assertThat(security.get("allowPrivilegeEscalation")).isEqualTo(false);
        assertThat(security.get("runAsUser")).isEqualTo(0);
        assertThat(security).doesNotContainKey("privileged");
        assertThat(pod.get("hostNetwork")).isEqualTo(true);
        assertThat(list(container, "args")).containsSequence("--afxdp", "eth1:0");
        assertThat(list(pod, "volumes")).as("no new volume").isEqualTo(list(podSpec(daemonSet()), "volumes"));
    }

    @Test
    void sidecarPodSharesTheAppsNetworkWithOnlyNetRaw() {
        Map<String, Object> spec = map(sidecarPod(), "spec");
        assertThat(spec).doesNotContainKey("hostNetwork");
        Map<String, Object> capstream = capstreamContainer(spec);
        assertThat(capstream.get("restartPolicy")).as("a native sidecar").isEqualTo("Always");
        Map<String, Object> security = map(capstream, "securityContext");
        assertThat(list(map(security, "capabilities"), "add")).containsExactly("NET_RAW");
        assertThat(list(map(security, "capabilities"), "drop")).containsExactly("ALL");
        assertThat(security.get("runAsUser")).isEqualTo(imageUid());
        assertThat(list(spec, "containers")).as("the app beside it").hasSize(1);
        assertThat(configFor(capstream).getProperty("interface")).isEqualTo("eth0");
    }

    @Test
    void aPatchIntoAPathTheBaseDoesNotHaveFails() {
        // the overlay check above can fail: a patch path that is not in the base is an error
        assertThatThrownBy(() -> JsonPatch.apply(daemonSet(), List.of(Map.of("op", "add",
                "path", "/spec/template/spec/containers/3/args/-", "value", "x"))))
                .isInstanceOf(RuntimeException.class);
    }

    // ---- helpers

    static Map<String, Object> daemonSet() {
        return document(K8S.resolve("daemonset.yaml"), "DaemonSet");
    }

    static Map<String, Object> sidecarPod() {
        return document(K8S.resolve("sidecar-pod.yaml"), "Pod");
    }

    /** The DaemonSet with the overlay's patches applied (the overlay's only resource is the base). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> overlay(String name) {
        Path kustomization = K8S.resolve("overlays").resolve(name).resolve("kustomization.yaml");
        Map<String, Object> k = DeployFiles.yamlDocuments(kustomization).getFirst();
        assertThat(list(k, "resources")).containsExactly("../..");
        Map<String, Object> result = daemonSet();
        for (Object p : list(k, "patches")) {
            Map<String, Object> patch = (Map<String, Object>) p;
            assertThat(map(patch, "target")).containsEntry("kind", "DaemonSet").containsEntry("name", "capstream");
            List<Map<String, Object>> ops = new Yaml(new LoaderOptions()).load((String) patch.get("patch"));
            result = JsonPatch.apply(result, ops);
        }
        return result;
    }

    static Map<String, Object> document(Path file, String kind) {
        return DeployFiles.yamlDocuments(file).stream().filter(d -> kind.equals(d.get("kind"))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " in " + file));
    }

    static Map<String, Object> podSpec(Map<String, Object> workload) {
        return map(map(map(workload, "spec"), "template"), "spec");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> capstreamContainer(Map<String, Object> podSpec) {
        for (String list : List.of("containers", "initContainers")) {
            if (podSpec.get(list) instanceof List<?> containers) {
                for (Object c : containers) {
                    if ("capstream".equals(((Map<?, ?>) c).get("name"))) {
                        return (Map<String, Object>) c;
                    }
                }
            }
        }
        throw new AssertionError("no container named capstream in " + podSpec.keySet());
    }

    /** The --config file the container's arguments name, from the ConfigMap mounted there. */
    static Properties configFor(Map<String, Object> container) {
        List<Object> args = list(container, "args");
        Path path = Path.of((String) args.get(args.indexOf("--config") + 1));
        for (Path file : List.of(K8S.resolve("daemonset.yaml"), K8S.resolve("sidecar-pod.yaml"))) {
            for (Map<String, Object> doc : DeployFiles.yamlDocuments(file)) {
                if ("ConfigMap".equals(doc.get("kind")) && file.equals(fileOf(container))) {
                    return properties((String) map(doc, "data").get(path.getFileName().toString()));
                }
            }
        }
        throw new AssertionError("no ConfigMap for " + path);
    }

    private static Path fileOf(Map<String, Object> container) {
        return container.containsKey("restartPolicy") ? K8S.resolve("sidecar-pod.yaml") : K8S.resolve("daemonset.yaml");
    }

    static Properties properties(String text) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return p;
    }

    static int captureMetricsPort() throws ReflectiveOperationException {
        Field f = Class.forName("dev.capstream.sidecar.cli.PipelineOptions").getDeclaredField("CAPTURE_METRICS_PORT");
        f.setAccessible(true);
        return f.getInt(null);
    }

    /** The numeric user the image runs as (its last USER instruction). */
    static int imageUid() {
        List<String> users = DockerfileInstructions.parse(DeployFiles.moduleDir().resolve("docker/Dockerfile")).all("USER");
        return Integer.parseInt(users.getLast().split(":")[0]);
    }

    /** 576Mi, 1M, 256m, 64K ... in bytes. */
    static long quantity(String q) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)([KMGkmg]?)(i?)").matcher(q.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a size: " + q);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2).toUpperCase(java.util.Locale.ROOT)) {
            case "K" -> n << 10;
            case "M" -> n << 20;
            case "G" -> n << 30;
            default -> n;
        };
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<String, Object> parent, String key) {
        Object v = parent.get(key);
        if (!(v instanceof Map)) {
            throw new AssertionError("no map '" + key + "' in " + parent.keySet());
        }
        return (Map<String, Object>) v;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Map<String, Object> parent, String key) {
        Object v = parent.get(key);
        if (!(v instanceof List<?>)) {
            throw new AssertionError("no list '" + key + "' in " + parent.keySet());
        }
        return (List<Object>) v;
    }
}
