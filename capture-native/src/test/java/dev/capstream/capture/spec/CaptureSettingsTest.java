package dev.capstream.capture.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstream.capture.SplitAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CaptureSettingsTest {

    private static SettingValues values(Host host, Map<String, Object> given) {
        return CaptureSettings.resolve(host, s -> given.get(s.name()));
    }

    @Test
    void oneMappingSpellsEachSettingPerHostConvention() {
        assertThat(Host.SIDECAR.name(CaptureSettings.RING_BLOCKS)).isEqualTo("--ring-blocks");
        assertThat(Host.CONNECT.name(CaptureSettings.RING_BLOCKS)).isEqualTo("capture.ring.blocks");
        assertThat(Host.FLINK.name(CaptureSettings.RING_BLOCKS)).isEqualTo("ring.blocks");
        assertThat(Host.SIDECAR.name(CaptureSettings.RING_BLOCK_TIMEOUT)).isEqualTo("--ring-block-timeout");
        assertThat(Host.CONNECT.name(CaptureSettings.RING_BLOCK_TIMEOUT)).isEqualTo("capture.ring.block.timeout.ms");
        assertThat(Host.SIDECAR.name(CaptureSettings.INTERFACES)).isEqualTo("--interface");
        assertThat(Host.SIDECAR.name(CaptureSettings.FILTER_BPF)).isEqualTo("--filter-bpf");
        assertThat(Host.CONNECT.name(CaptureSettings.VLAN_RESTORE)).isEqualTo("capture.vlan.restore");
    }

    @Test
    void everySettingIsDocumentedForEveryHostWithItsReferencesSpelledThere() {
        for (Setting<?> s : CaptureSettings.all()) {
            assertThat(s.kinds()).as("split kinds of %s", s.name()).isNotEmpty();
            for (Host host : Host.values()) {
                assertThat(host.documentation(s)).as("%s in %s", s.name(), host).isNotBlank().doesNotContain("{");
            }
        }
        assertThat(Host.CONNECT.documentation(CaptureSettings.FILTER)).contains("capture.filter.bpf");
        assertThat(Host.SIDECAR.documentation(CaptureSettings.FILTER)).contains("--filter-bpf");
    }

    @Test
    void defaultsAreTheCaptureLayersDefaults() {
        assertThat(CaptureSettings.readerOptions(values(Host.FLINK, Map.of()))).isEqualTo(ReaderOptions.defaults());
    }

    @Test
    void textAndTypedValuesAreTheSame() {
        SettingValues text = values(Host.SIDECAR, Map.of("ring.block-size", "256K", "ring.block-timeout", "50",
                "interfaces", "eth0:2,eth1", "rdma", "mlx5_0"));
        SettingValues typed = values(Host.FLINK, Map.of("ring.block-size", 256 << 10, "ring.block-timeout",
                Duration.ofMillis(50), "interfaces", List.of("eth0:2", "eth1"), "rdma", List.of("mlx5_0")));
        assertThat(CaptureSettings.readerOptions(text)).isEqualTo(CaptureSettings.readerOptions(typed));
        assertThat(CaptureSettings.splits(text)).isEqualTo(CaptureSettings.splits(typed)).containsExactly(
                new SplitAddress.AfPacket("eth0", 0, 2), new SplitAddress.AfPacket("eth0", 1, 2),
                SplitAddress.AfPacket.of("eth1"), new SplitAddress.Rdma("mlx5_0", 1));
    }

    @Test
    void aRefusedValueIsNamedInTheHostsOwnSpelling() {
        assertThatThrownBy(() -> values(Host.SIDECAR, Map.of("fanout-group", "-1")))
                .hasMessage("--fanout-group -1: out of range: need 0 to 65535, or leave it out for a group id picked for you");
        assertThatThrownBy(() -> values(Host.CONNECT, Map.of("fanout-group", -1)))
                .hasMessage("Invalid value -1 for configuration capture.fanout.group: out of range: need 0 to 65535, or"
                        + " leave it out for a group id picked for you");
        assertThatThrownBy(() -> values(Host.FLINK, Map.of("fanout-group", 70000)))
                .hasMessage("capture source: 'fanout-group' = '70000': out of range: need 0 to 65535, or leave it out for"
                        + " a group id picked for you");
        assertThatThrownBy(() -> values(Host.FLINK, Map.of("fanout-members", 1024)))
                .hasMessageEndingWith("out of range: need 1 to 256");
        assertThatThrownBy(() -> values(Host.FLINK, Map.of("interfaces", List.of("eth0:1024"))))
                .hasMessageEndingWith("'eth0:1024': 1024 fanout members is out of range: need 1 to 256");
        assertThatThrownBy(() -> CaptureSettings.afPacketOptions(values(Host.CONNECT,
                        Map.of("filter", "udp", "filter.bpf", "1,6 0 0 0"))))
                .hasMessage("capture.filter/capture.filter.bpf: both given: use one");
        assertThatThrownBy(() -> CaptureSettings.afPacketOptions(values(Host.FLINK,
                        Map.of("snaplen", 9000, "ring.block-size", 8192))))
                .hasMessageStartingWith("capture source: 'snaplen/ring.block-size': snaplen 9000 does not fit in a ring block");
    }

    @Test
    void theMemberLimitIsTheOneForInterfacesAndTheirDefault() {
        assertThat(values(Host.FLINK, Map.of("fanout-members", CaptureSettings.MAX_FANOUT_MEMBERS))
                .get(CaptureSettings.FANOUT_MEMBERS)).isEqualTo(256);
        assertThat(InterfaceEntry.parse("eth0:256").members()).isEqualTo(256);
    }

    @Test
    void theTextFormReadsBackToTheSameValues() {
        SettingValues given = values(Host.FLINK, Map.of("ring.block-size", 256 << 10, "ring.block-timeout",
                Duration.ofMillis(50), "interfaces", List.of("eth0:2", "eth1"), "filter.bpf", "1,6 0 0 65535",
                "vlan.restore", false, "fanout-group", 77));
        SettingValues back = SettingValues.fromText(Host.FLINK, CaptureSettings.all(), given.asText());
        assertThat(CaptureSettings.readerOptions(back)).isEqualTo(CaptureSettings.readerOptions(given));
        assertThat(CaptureSettings.splits(back)).isEqualTo(CaptureSettings.splits(given));
    }

    @Test
    void everySettingHasASampleThatChangesWhatTheReadersGet() {
        SettingSamples.Reach defaults = SettingSamples.Reach.of(CaptureSettings.resolve(Host.FLINK,
                s -> s == CaptureSettings.INTERFACES ? List.of(SettingSamples.BASE_INTERFACE) : null));
        for (Setting<?> setting : CaptureSettings.all()) {
            assertThat(SettingSamples.expected(setting)).as("what %s's sample reaches", setting.name())
                    .isNotEqualTo(defaults);
        }
    }
}
