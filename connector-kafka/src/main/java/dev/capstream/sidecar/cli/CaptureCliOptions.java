package dev.capstream.sidecar.cli;

import dev.capstream.capture.spec.CaptureSettings;
import dev.capstream.capture.spec.Host;
import dev.capstream.capture.spec.InvalidSettingException;
import dev.capstream.capture.spec.Setting;
import dev.capstream.capture.spec.SettingValues;
import dev.capstream.capture.spec.SplitKind;
import dev.capstream.capture.spec.ValueType;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The capture options of a command, made from {@link CaptureSettings}: one picocli option per
 * setting that applies to the command's split kinds, spelled as {@link Host#SIDECAR} spells it
 * (and so also a {@code --config} key, the name without dashes). The command holds one and is
 * annotated {@code @Command(modelTransformer = CaptureCliOptions.Install.class)}; its values are
 * parsed and checked by the spec when the command asks for {@link #values()}.
 */
public final class CaptureCliOptions {

    /** Implemented by commands with capture options. */
    public interface Holder {
        CaptureCliOptions captureOptions();
    }

    /** Adds the holder's capture options to its command when picocli builds the command's model. */
    public static final class Install implements CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec command) {
            if (command.userObject() instanceof Holder holder) {
                holder.captureOptions().addTo(command);
            }
            return command;
        }
    }

    private final Set<SplitKind> kinds;
    private final List<Setting<?>> settings;
    private final Map<Setting<?>, Object> raw = new HashMap<>();

    /** The options of the settings that apply to any of these split kinds. */
    public CaptureCliOptions(SplitKind first, SplitKind... more) {
        this.kinds = EnumSet.of(first, more);
        this.settings = CaptureSettings.all().stream().filter(s -> s.kinds().stream().anyMatch(kinds::contains)).toList();
    }

    /** The settings these options carry, in declaration order. */
    public List<Setting<?>> settings() {
        return settings;
    }

    void addTo(CommandSpec command) {
        for (Setting<?> setting : settings) {
            command.addOption(option(setting));
        }
    }

    private OptionSpec option(Setting<?> setting) {
        String doc = Host.SIDECAR.documentation(setting);
        String shown = setting.shownDefault();
        OptionSpec.Builder b = OptionSpec.builder(Host.SIDECAR.name(setting))
                .description(shown.isEmpty() ? doc : doc + " (default: " + shown + ")")
                .getter(new CommandLine.Model.IGetter() {
                    @Override
                    @SuppressWarnings("unchecked")
                    public <T> T get() {
                        return (T) raw.get(setting);
                    }
                })
                .setter(new CommandLine.Model.ISetter() {
                    @Override
                    public <T> T set(T value) {
                        @SuppressWarnings("unchecked")
                        T old = (T) raw.put(setting, value);
                        return old;
                    }
                });
        return switch (setting.type().kind()) {
            case BOOLEAN -> {
                boolean defaultOn = Boolean.TRUE.equals(setting.defaultValue());
                yield b.type(boolean.class).arity("0..1").negatable(defaultOn)
                        .defaultValue(String.valueOf(defaultOn)).fallbackValue("true").build();
            }
            case LIST -> b.type(List.class).auxiliaryTypes(String.class).splitRegex(",").converters(checked(setting))
                    .paramLabel(setting.label()).initialValue(new ArrayList<String>()).build();
            default -> b.type(String.class).paramLabel(setting.label()).converters(checked(setting))
                    .completionCandidates(setting.type().words().isEmpty() ? null : setting.type().words()).build();
        };
    }

    /** Checks each value as picocli reads it, so a bad one is a usage error like any other option's. */
    private static CommandLine.ITypeConverter<String> checked(Setting<?> setting) {
        return text -> {
            try {
                setting.value(Host.SIDECAR, text);
                return text;
            } catch (InvalidSettingException e) {
                // Main reports the spec's own line (the cause) rather than picocli's wrapping of it.
                CommandLine.TypeConversionException conversion = new CommandLine.TypeConversionException(e.getMessage());
                conversion.initCause(e);
                throw conversion;
            }
        };
    }

    /**
     * The parsed and checked values.
     *
     * @throws dev.capstream.capture.spec.InvalidSettingException naming the option, e.g.
     *     "--snaplen 10: snaplen 10 is out of range: ..."
     */
    public SettingValues values() {
        return SettingValues.resolve(Host.SIDECAR, settings, raw::get);
    }

    /** The raw interface arguments given, for commands that fall back to something else without them. */
    public boolean given(Setting<?> setting) {
        Object value = raw.get(setting);
        return value != null && !(value instanceof List<?> list && list.isEmpty())
                && !(setting.type().kind() == ValueType.Kind.BOOLEAN && value.equals(setting.defaultValue()));
    }
}
