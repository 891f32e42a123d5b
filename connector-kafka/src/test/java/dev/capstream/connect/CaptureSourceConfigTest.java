package dev.capstream.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstream.pipeline.RecordKeying;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.errors.ConnectException;
import org.junit.jupiter.api.Test;

class CaptureSourceConfigTest {

    private static Map<String, String> props(String... kv) {
        Map<String, String> m = new HashMap<>(Map.of("name", "cap", "topic", "frames", "capture.interfaces", "eth0"));
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static Map<String, List<String>> errors(Map<String, String> props) {
        Map<String, List<String>> out = new HashMap<>();
        for (ConfigValue v : new CaptureSourceConnector().validate(props).configValues()) {
            if (!v.errorMessages().isEmpty()) {
                out.put(v.name(), v.errorMessages());
            }
        }
        return out;
    }

    @Test
    void everyOptionHasDocumentationAGroupAndADisplayName() {
        for (ConfigDef.ConfigKey key : CaptureSourceConfig.configDef().configKeys().values()) {
            assertThat(key.documentation).as(key.name).isNotBlank();
            assertThat(key.group).as(key.name).isNotBlank();
            assertThat(key.displayName).as(key.name).isNotBlank();
            assertThat(key.validator != null || key.type == ConfigDef.Type.BOOLEAN || key.type == ConfigDef.Type.PASSWORD
                    || key.name.startsWith("registry.ssl") || key.name.startsWith("registry.oauth.client")
                    || key.name.equals("registry.oauth.scope")).as("validator of %s", key.name).isTrue();
        }
    }

    @Test
    void theRegistryTakesAClientCertificateAndOAuthThroughTheSharedKeys() {
        Map<String, String> p = props("value.format", "bytes", "registry.url", "https://registry:8081",
                "registry.ssl.certificate.location", "/etc/client.pem", "registry.ssl.key.location", "/etc/client.key.pem",
                "registry.oauth.token.endpoint.url", "https://idp/token", "registry.oauth.client.id", "connect",
                "registry.oauth.client.secret", "s3cret");
        assertThat(errors(p)).isEmpty();
        var settings = CaptureSourceConfig.of(p).registrySettings();
        assertThat(settings.identity()).isInstanceOf(dev.capstream.registry.RegistrySettings.Identity.PemFiles.class);
        assertThat(settings.auth()).isInstanceOf(dev.capstream.registry.RegistrySettings.Auth.OAuth.class);
        assertThat(settings.auth().toString()).doesNotContain("s3cret");

        Map<String, String> half = props("value.format", "bytes", "registry.url", "https://registry:8081",
                "registry.ssl.certificate.location", "/etc/client.pem");
        assertThat(errors(half).get("registry.url").getFirst()).contains("registry.ssl.key.location");
    }

    @Test
    void aGoodConfigValidatesClean() {
        assertThat(errors(props("tasks.max", "1"))).isEmpty();
    }

    @Test
    void validateNamesTheFieldOfEachProblem() {
        assertThat(errors(props("capture.fanout.mode", "roundrobin")).get("capture.fanout.mode").getFirst())
                .contains("not one of hash, lb, cpu, rnd, qm");
        assertThat(errors(props("capture.fanout.members", "0")).get("capture.fanout.members").getFirst())
                .contains("out of range: need 1 to 256");
        assertThat(errors(props("capture.interfaces", "eth0:0")).get("capture.interfaces").getFirst())
                .contains("0 fanout members is out of range");
        assertThat(errors(props("record.mode", "batch", "record.key", "flow")).get("record.key").getFirst())
                .contains("cannot be keyed by flow");
        assertThat(errors(props("value.format", "bytes")).get("registry.url").getFirst())
                .contains("needs a schema registry");
        assertThat(errors(props("value.format", "bytes", "value.bytes.framing", "single-object"))).isEmpty();
        assertThat(errors(props("capture.interfaces", "")).get("capture.interfaces").getFirst())
                .contains("nothing to capture");
        assertThat(errors(props("capture.splits", "tape:/x")).get("capture.splits").getFirst())
                .contains("expected afpacket:IFACE");
        assertThat(errors(props("capture.interfaces", "eth0:4", "tasks.max", "2")).get("tasks.max").getFirst())
                .contains("tasks.max=2 is less than the 4 capture splits");
        assertThat(errors(props("backpressure.low.water", "0.9"))).containsKey("backpressure.low.water");
        assertThat(errors(props("capture.ring.block.size", "5000")).get("capture.ring.block.size").getFirst())
                .contains("power of two");
    }

    @Test
    void batchModeAloneIsValidAndKeysBySplitWhileFrameModeKeysByFlow() {
        assertThat(errors(props("record.mode", "batch"))).isEmpty();
        assertThat(CaptureSourceConfig.of(props("record.mode", "batch")).keying()).isEqualTo(RecordKeying.SPLIT);
        assertThat(CaptureSourceConfig.of(props()).keying()).isEqualTo(RecordKeying.FLOW);
        assertThat(CaptureSourceConfig.of(props("record.mode", "batch", "record.key", "none")).keying())
                .isEqualTo(RecordKeying.NONE);
    }

    @Test
    void oneBadFieldDoesNotHideAnotherFieldsCrossFieldProblem() {
        Map<String, List<String>> e = errors(props("capture.fanout.mode", "x", "record.mode", "batch", "record.key", "flow"));
        assertThat(e).containsKeys("capture.fanout.mode", "record.key");
    }

    @Test
    void eachSplitIsOneTaskAndTheMembersOfAnInterfaceShareAGroup() {
        Map<String, String> p = props("capture.interfaces", "eth0:2,eth1", "capture.splits", "pcap:/tmp/x.pcap");
        CaptureSourceConnector connector = new CaptureSourceConnector();
        connector.start(p);
        List<Map<String, String>> tasks = connector.taskConfigs(10);
        assertThat(tasks).extracting(t -> t.get(CaptureSourceConfig.TASK_SPLIT))
                .containsExactly("afpacket:eth0#0/2", "afpacket:eth0#1/2", "afpacket:eth1", "pcap:/tmp/x.pcap");
        String group = tasks.get(0).get(CaptureSourceConfig.TASK_FANOUT_GROUP_ID);
        assertThat(tasks.get(1).get(CaptureSourceConfig.TASK_FANOUT_GROUP_ID)).isEqualTo(group);
        assertThat(Integer.parseInt(group)).isBetween(0, 0xFFFF)
                .isEqualTo(SplitPlan.derivedGroupId("cap", "eth0"));
        assertThat(tasks.get(2).get(CaptureSourceConfig.TASK_FANOUT_GROUP_ID)).isEqualTo("-1");
        assertThatThrownBy(() -> connector.taskConfigs(3)).isInstanceOf(ConnectException.class)
                .hasMessageContaining("tasks.max=3 is less than the 4 capture splits (eth0 x 2 members, eth1, pcap:/tmp/x.pcap)");
    }

    @Test
    void eachAfXdpQueueIsASplitAndATaskOfItsOwn() {
        CaptureSourceConnector connector = new CaptureSourceConnector();
        connector.start(props("capture.interfaces", "", "capture.afxdp", "eth0,eth0:1", "capture.splits", "afxdp:eth1:2"));
        assertThat(connector.taskConfigs(10)).extracting(t -> t.get(CaptureSourceConfig.TASK_SPLIT))
                .containsExactly("afxdp:eth0:0", "afxdp:eth0:1", "afxdp:eth1:2");
        assertThat(errors(props("capture.interfaces", "", "capture.afxdp", "eth0:0", "capture.splits", "afxdp:eth0:0"))
                .get("capture.splits").getFirst()).contains("is also in capture.afxdp");
        assertThat(errors(props("capture.interfaces", "", "capture.splits", "afxdp:eth0:x")).get("capture.splits").getFirst())
                .contains("bad queue: expected afxdp:IFACE or afxdp:IFACE:QUEUE");
    }

    @Test
    void anExplicitGroupIdNumbersTheInterfacesFromIt() {
        CaptureSourceConnector connector = new CaptureSourceConnector();
        connector.start(props("capture.interfaces", "eth0:2,eth1:2", "capture.fanout.group.id", "700"));
        assertThat(connector.taskConfigs(4)).extracting(t -> t.get(CaptureSourceConfig.TASK_FANOUT_GROUP_ID))
                .containsExactly("700", "700", "701", "701");
    }

    @Test
    void theConnectorRefusesToStartOnACrossFieldProblem() {
        assertThatThrownBy(() -> new CaptureSourceConnector().start(props("value.format", "bytes")))
                .isInstanceOf(ConnectException.class).hasMessageContaining("registry.url");
    }

    @Test
    void exactlyOnceIsNotSupported() {
        CaptureSourceConnector c = new CaptureSourceConnector();
        assertThat(c.exactlyOnceSupport(props())).isEqualTo(org.apache.kafka.connect.source.ExactlyOnceSupport.UNSUPPORTED);
        assertThat(c.canDefineTransactionBoundaries(props()))
                .isEqualTo(org.apache.kafka.connect.source.ConnectorTransactionBoundaries.UNSUPPORTED);
        assertThat(c.version()).isNotEqualTo("unknown");
    }
}
