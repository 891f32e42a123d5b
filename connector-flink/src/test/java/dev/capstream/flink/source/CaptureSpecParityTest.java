package dev.capstream.flink.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstream.capture.spec.CaptureSettings;
import dev.capstream.capture.spec.Host;
import dev.capstream.capture.spec.Setting;
import dev.capstream.capture.spec.SettingSamples;
import dev.capstream.flink.split.CaptureSplit;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/**
 * The Flink source's side of the capture spec's parity: every setting is a ConfigOption (and so
 * an SQL key), and its sample, set through the builder or as a {@code WITH} key, reaches the
 * readers (their options and the splits) exactly as the spec makes it.
 */
class CaptureSpecParityTest {

    @Test
    void everyCaptureSettingIsAnOptionOfTheSourceAndTheSqlConnector() {
        Set<String> keys = CaptureSourceOptions.all().stream().map(ConfigOption::key).collect(Collectors.toSet());
        Set<String> sql = new dev.capstream.flink.table.CaptureTableFactory().optionalOptions().stream()
                .map(ConfigOption::key).collect(Collectors.toSet());
        for (Setting<?> setting : CaptureSettings.all()) {
            assertThat(keys).contains(Host.FLINK.name(setting));
            assertThat(sql).contains(Host.FLINK.name(setting));
        }
    }

    @Test
    void everySettingsSampleSetThroughTheBuilderReachesTheReaders() {
        for (Setting<?> setting : CaptureSettings.all()) {
            CaptureSourceBuilder builder = base(setting);
            set(builder, setting);
            assertThat(reach(builder.spec())).as("%s", Host.FLINK.name(setting)).isEqualTo(SettingSamples.expected(setting));
        }
    }

    @Test
    void everySettingsSampleAsAWithKeyReachesTheReaders() {
        for (Setting<?> setting : CaptureSettings.all()) {
            Configuration with = new Configuration();
            with.setString(Host.FLINK.name(setting), sqlText(setting));
            CaptureSourceBuilder builder = base(setting).configure(with);
            assertThat(reach(builder.spec())).as("'%s'", Host.FLINK.name(setting))
                    .isEqualTo(SettingSamples.expected(setting));
        }
    }

    private static CaptureSourceBuilder base(Setting<?> setting) {
        CaptureSourceBuilder builder = CaptureSource.builder().hosts("h1");
        return setting == CaptureSettings.INTERFACES ? builder : builder.interfaces(SettingSamples.BASE_INTERFACE);
    }

    @SuppressWarnings("unchecked")
    private static <T> void set(CaptureSourceBuilder builder, Setting<T> setting) {
        builder.set(setting, (T) SettingSamples.of(setting));
    }

    /** What the readers get: the options every split is opened with, and the splits' addresses on the host. */
    private static SettingSamples.Reach reach(CaptureSourceSpec spec) {
        return new SettingSamples.Reach(spec.readerSettings().readerOptions(),
                spec.splits().stream().map(CaptureSplit::address).toList());
    }

    /** The sample as an SQL WITH value: lists separated by ';', sizes in bytes, durations with a unit. */
    @SuppressWarnings("unchecked")
    private static String sqlText(Setting<?> setting) {
        Object sample = SettingSamples.of(setting);
        return switch (setting.type().kind()) {
            case LIST -> String.join(";", (List<String>) sample);
            case DURATION -> ((Duration) sample).toMillis() + " ms";
            case SIZE -> String.valueOf(sample);
            default -> SettingSamples.text(setting);
        };
    }
}
