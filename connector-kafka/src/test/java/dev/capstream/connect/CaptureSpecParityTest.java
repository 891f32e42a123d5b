package dev.capstream.connect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstream.capture.afpacket.AfPacketOptions;
import dev.capstream.capture.spec.CaptureSettings;
import dev.capstream.capture.spec.Host;
import dev.capstream.capture.spec.Setting;
import dev.capstream.capture.spec.SettingSamples;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The Connect connector's side of the capture spec's parity: every setting is a key of its
 * ConfigDef, and its sample in a connector config reaches what the tasks open (their reader
 * options and splits) exactly as the spec makes it.
 */
class CaptureSpecParityTest {

    @Test
    void everyCaptureSettingIsAKeyOfTheConfigDef() {
        Set<String> keys = CaptureSourceConfig.configDef().names();
        for (Setting<?> setting : CaptureSettings.all()) {
            assertThat(keys).contains(Host.CONNECT.name(setting));
        }
    }

    @Test
    void everySettingsSampleReachesTheTasksAsTheSpecMakesIt() {
        for (Setting<?> setting : CaptureSettings.all()) {
            CaptureSourceConfig config = CaptureSourceConfig.of(props(setting));
            SettingSamples.Reach expected = SettingSamples.expected(setting);
            // A task opens its split with the group id the connector planned for it; the spec's
            // reference names the configured (or kernel-picked) one.
            SettingSamples.Reach tasks = new SettingSamples.Reach(
                    config.readerOptions(expected.options().afPacket().fanoutGroupId()), config.splits());
            assertThat(tasks).as("%s", Host.CONNECT.name(setting)).isEqualTo(expected);
        }
    }

    @Test
    void theFanoutGroupSampleIsTheGroupOfTheFirstInterfacesTasks() {
        Map<String, String> props = props(CaptureSettings.FANOUT_GROUP);
        props.put(CaptureSourceConfig.INTERFACES, "capx0:2");
        List<Map<String, String>> tasks = SplitPlan.taskConfigs("c", props, CaptureSourceConfig.of(props), 2);
        assertThat(tasks).extracting(t -> t.get(CaptureSourceConfig.TASK_FANOUT_GROUP_ID))
                .containsOnly(String.valueOf(SettingSamples.of(CaptureSettings.FANOUT_GROUP)));
        assertThat(AfPacketOptions.AUTO_GROUP_ID).isNotEqualTo(SettingSamples.of(CaptureSettings.FANOUT_GROUP));
    }

    /** The base interface and the setting's sample, as Connect takes them (sizes in bytes, durations in ms). */
    static Map<String, String> props(Setting<?> setting) {
        Map<String, String> props = new HashMap<>(Map.of("name", "c", "topic", "frames"));
        if (setting != CaptureSettings.INTERFACES) {
            props.put(CaptureSourceConfig.INTERFACES, SettingSamples.BASE_INTERFACE);
        }
        Object sample = SettingSamples.of(setting);
        String text = switch (setting.type().kind()) {
            case DURATION -> String.valueOf(((Duration) sample).toMillis());
            case SIZE -> String.valueOf(sample);
            default -> SettingSamples.text(setting);
        };
        props.put(Host.CONNECT.name(setting), text);
        return props;
    }
}
