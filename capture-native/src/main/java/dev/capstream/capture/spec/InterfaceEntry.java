package dev.capstream.capture.spec;

import dev.capstream.capture.SplitAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One entry of the {@link CaptureSettings#INTERFACES} setting: {@code IF}, captured with the
 * default number of fanout members, or {@code IF:N}, with N.
 *
 * @param name the interface
 * @param members fanout members, 0 when the entry names none (the default applies)
 */
public record InterfaceEntry(String name, int members) {

    /**
     * Parses {@code IF} or {@code IF:N}.
     *
     * @throws IllegalArgumentException naming the entry and the fix
     */
    public static InterfaceEntry parse(String item) {
        String text = item.strip();
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            SplitAddress.AfPacket.of(text); // checks the name: empty, longer than Linux allows
            return new InterfaceEntry(text, 0);
        }
        String name = text.substring(0, colon).strip();
        int members;
        try {
            members = Integer.parseInt(text.substring(colon + 1).strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "': the part after ':' must be the number of fanout members,"
                    + " e.g. eth0:4");
        }
        checkMembers("'" + text + "': " + members + " fanout members", members);
        SplitAddress.AfPacket.of(name);
        return new InterfaceEntry(name, members);
    }

    /** Checks every entry and that no interface is named twice. */
    static void checkAll(List<String> items) {
        Set<String> seen = new HashSet<>();
        for (String item : items) {
            InterfaceEntry entry = parse(item);
            if (!seen.add(entry.name())) {
                throw new IllegalArgumentException("interface " + entry.name() + " is named twice; name it once, with IF:N"
                        + " for N fanout members");
            }
        }
    }

    static void checkMembers(String what, int members) {
        if (members < 1 || members > CaptureSettings.MAX_FANOUT_MEMBERS) {
            throw new IllegalArgumentException((what == null ? "out of range" : what + " is out of range") + ": need 1 to "
                    + CaptureSettings.MAX_FANOUT_MEMBERS);
        }
    }

    /** The members of this entry: its own count, else {@code defaultMembers}. */
    public int membersOr(int defaultMembers) {
        return members == 0 ? defaultMembers : members;
    }

    /** One split address per fanout member. */
    public List<SplitAddress> splits(int defaultMembers) {
        int n = membersOr(defaultMembers);
        List<SplitAddress> splits = new ArrayList<>(n);
        for (int m = 0; m < n; m++) {
            splits.add(new SplitAddress.AfPacket(name, m, n));
        }
        return splits;
    }
}
