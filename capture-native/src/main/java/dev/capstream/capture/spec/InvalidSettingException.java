package dev.capstream.capture.spec;

/**
 * A setting's value is not accepted. The message names the setting as the host spells it, the
 * value and the reason; hosts that report problems their own way (Connect's validate endpoint)
 * take {@link #reason()} alone.
 */
public final class InvalidSettingException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String name;
    private final String value;
    private final String reason;

    InvalidSettingException(Host host, String name, String value, String reason, Throwable cause) {
        super(host.problem(name, value, reason), cause);
        this.name = name;
        this.value = value;
        this.reason = reason;
    }

    /** The setting (or settings, joined by '/') as the host spells it. */
    public String name() {
        return name;
    }

    public String value() {
        return value;
    }

    /** What is wrong and what is accepted, without the name or value. */
    public String reason() {
        return reason;
    }
}
