package dev.capstream.sidecar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstream.capture.spec.CaptureSettings;
import dev.capstream.capture.spec.Host;
import dev.capstream.capture.spec.Setting;
import dev.capstream.capture.spec.SettingSamples;
import dev.capstream.capture.spec.ValueType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The sidecar's side of the capture spec's parity: every setting is an option of {@code capture},
 * and its sample given on the command line reaches the reader options and splits exactly as the
 * spec makes them ({@link SettingSamples#expected}).
 */
class CaptureSpecParityTest {

    @Test
    void everyCaptureSettingIsAnOptionOfCapture() {
        assertThat(new CaptureCommand().captureOptions().settings()).containsExactlyElementsOf(CaptureSettings.all());
    }

    @Test
    void everySettingsSampleReachesTheReaderAsTheSpecMakesIt() {
        for (Setting<?> setting : CaptureSettings.all()) {
            CaptureCommand command = new CaptureCommand();
            new CommandLine(command).parseArgs(args(setting).toArray(String[]::new));
            assertThat(SettingSamples.Reach.of(command.capture.values())).as("%s", Host.SIDECAR.name(setting))
                    .isEqualTo(SettingSamples.expected(setting));
        }
    }

    /** The base interface and the setting's sample, as a user types them. */
    static List<String> args(Setting<?> setting) {
        List<String> args = new ArrayList<>(List.of("--topic", "t"));
        if (setting != CaptureSettings.INTERFACES) {
            args.addAll(List.of("--interface", SettingSamples.BASE_INTERFACE));
        }
        String name = Host.SIDECAR.name(setting);
        Object sample = SettingSamples.of(setting);
        if (setting.type().kind() == ValueType.Kind.BOOLEAN) {
            args.add((Boolean) sample ? name : "--no-" + name.substring(2));
        } else if (sample instanceof List<?> list) {
            list.forEach(item -> args.addAll(List.of(name, String.valueOf(item))));
        } else {
            args.addAll(List.of(name, SettingSamples.text(setting)));
        }
        return args;
    }
}
