package dev.capstream.flink.source;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * What one {@code pcap-files} entry stands for: a file; a directory's {@code *.pcap},
 * {@code *.pcapng} and {@code *.cap} files; or, when the entry's last name has {@code *}, {@code ?}
 * or {@code [}, the files of its directory that match it as a glob ({@code /data/monday-*.pcapng}).
 */
final class PcapFileEntries {

    private PcapFileEntries() {
    }

    static boolean isGlob(String entry) {
        Path name = Path.of(entry).getFileName();
        return name != null && name.toString().chars().anyMatch(c -> c == '*' || c == '?' || c == '[');
    }

    /** The files the entry stands for now, sorted; a plain file stands for itself. */
    static List<Path> expand(String entry) {
        if (isGlob(entry)) {
            Path glob = Path.of(entry);
            Path dir = glob.getParent() == null ? Path.of(".") : glob.getParent();
            PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob.getFileName());
            return list(dir, f -> matcher.matches(f.getFileName()));
        }
        Path path = Path.of(entry);
        if (Files.isDirectory(path)) {
            return list(path, f -> {
                String name = f.getFileName().toString().toLowerCase(Locale.ROOT);
                return name.endsWith(".pcap") || name.endsWith(".pcapng") || name.endsWith(".cap");
            });
        }
        return List.of(path);
    }

    private static List<Path> list(Path dir, java.util.function.Predicate<Path> wanted) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(Files::isRegularFile).filter(wanted).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the capture files in " + dir + ": " + e.getMessage(), e);
        }
    }
}
