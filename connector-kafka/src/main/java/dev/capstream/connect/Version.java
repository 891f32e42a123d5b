package dev.capstream.connect;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The build's version, from the resource Maven filters at build time. */
final class Version {

    private static final String VERSION = load();

    private Version() {}

    static String get() {
        return VERSION;
    }

    private static String load() {
        // Read through this class's loader: inside a worker that is the plugin's own class loader.
        try (InputStream in = Version.class.getResourceAsStream("/capstream-version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown").strip();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
