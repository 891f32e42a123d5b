package dev.capstream.flink.split;

import dev.capstream.capture.SplitAddress;
import java.nio.file.Path;
import java.util.Objects;
import org.apache.flink.api.connector.source.SourceSplit;

/**
 * One capture reader as a Flink split: either a fanout member on a live interface of one host, or
 * a pcap/pcapng file that any reader may replay.
 *
 * <p>Immutable. Besides its address a split carries where to resume: the sequence number of its
 * next frame and the kernel drops counted before the last checkpoint, so that a restored split
 * keeps both series continuous. A live ring cannot rewind, so for live splits this is bookkeeping
 * only; a file split skips the frames before {@link #nextSequence()} when it is reopened.
 */
public final class CaptureSplit implements SourceSplit {

    /** What a split reads. */
    public enum Kind {
        /** An AF_PACKET fanout member on a live interface of one host (unbounded). */
        LIVE,
        /** A pcap or pcapng file (bounded). */
        FILE,
        /** An RDMA port's sniffer on one host (unbounded). */
        RDMA
    }

    /** Fanout group value meaning: the capture engine picks the group (per interface and process). */
    public static final int ENGINE_FANOUT_GROUP = -1;

    private final Kind kind;
    private final String host;
    private final String interfaceName;
    private final int fanoutGroup;
    private final int member;
    private final int members;
    private final String file;
    private final long nextSequence;
    private final long kernelDropsBefore;

    private CaptureSplit(Kind kind, String host, String interfaceName, int fanoutGroup, int member, int members,
            String file, long nextSequence, long kernelDropsBefore) {
        if (nextSequence < 0 || kernelDropsBefore < 0) {
            throw new IllegalArgumentException("split position must not be negative: next sequence " + nextSequence
                    + ", kernel drops " + kernelDropsBefore);
        }
        this.kind = kind;
        this.host = host;
        this.interfaceName = interfaceName;
        this.fanoutGroup = fanoutGroup;
        this.member = member;
        this.members = members;
        this.file = file;
        this.nextSequence = nextSequence;
        this.kernelDropsBefore = kernelDropsBefore;
    }

    /**
     * A fanout member on a live interface.
     *
     * @param host the host whose task manager must read it (as Flink reports the task manager's
     *     location)
     * @param fanoutGroup the PACKET_FANOUT group the members of this interface share, or
     *     {@link #ENGINE_FANOUT_GROUP} to let the capture engine choose one per process
     */
    public static CaptureSplit live(String host, String interfaceName, int fanoutGroup, int member, int members) {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("a live split needs a host name");
        }
        if (fanoutGroup < ENGINE_FANOUT_GROUP || fanoutGroup > 0xFFFF) {
            throw new IllegalArgumentException("fanout group " + fanoutGroup
                    + " is out of range: need 0 to 65535, or -1 for the capture engine's own choice");
        }
        // validates the interface name and the member range
        new SplitAddress.AfPacket(interfaceName, member, members);
        return new CaptureSplit(Kind.LIVE, host, interfaceName, fanoutGroup, member, members, null, 0, 0);
    }

    /**
     * An RDMA port's sniffer on a host. The device is kept as the split's interface name and the
     * port as its member, so the split has the same shape (and serialized form) as a live one.
     */
    public static CaptureSplit rdma(String host, SplitAddress.Rdma port) {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("an RDMA split needs a host name");
        }
        return new CaptureSplit(Kind.RDMA, host, port.device(), ENGINE_FANOUT_GROUP, port.port(), 1, null, 0, 0);
    }

    /** A pcap or pcapng file, read once from start to end. */
    public static CaptureSplit file(Path path) {
        Objects.requireNonNull(path, "path");
        if (path.toString().isBlank()) {
            throw new IllegalArgumentException("pcap file path is empty");
        }
        return new CaptureSplit(Kind.FILE, null, null, 0, 0, 1, path.toString(), 0, 0);
    }

    /** The same split, to resume at {@code nextSequence} with {@code kernelDropsBefore} already counted. */
    public CaptureSplit resumingAt(long nextSequence, long kernelDropsBefore) {
        return new CaptureSplit(kind, host, interfaceName, fanoutGroup, member, members, file, nextSequence,
                kernelDropsBefore);
    }

    /**
     * Unique within a source: {@code HOST/afpacket:IFACE#MEMBER/MEMBERS} for live splits (the host
     * first, since every host has its own {@code eth0}), {@code pcap:PATH} for files.
     */
    @Override
    public String splitId() {
        return host != null ? host + "/" + address() : address().toString();
    }

    /** The capture address a reader opens for this split. */
    public SplitAddress address() {
        return switch (kind) {
            case LIVE -> new SplitAddress.AfPacket(interfaceName, member, members);
            case RDMA -> new SplitAddress.Rdma(interfaceName, member);
            case FILE -> new SplitAddress.PcapFile(Path.of(file));
        };
    }

    public Kind kind() {
        return kind;
    }

    public boolean isBounded() {
        return kind == Kind.FILE;
    }

    /** The host that must read a live or RDMA split; null for a file split (any host). */
    public String host() {
        return host;
    }

    /** The live interface; null for a file split. */
    public String interfaceName() {
        return interfaceName;
    }

    public int fanoutGroup() {
        return fanoutGroup;
    }

    public int member() {
        return member;
    }

    public int members() {
        return members;
    }

    /** The file of a file split; null for a live split. */
    public Path file() {
        return file == null ? null : Path.of(file);
    }

    /** Sequence number of the split's next frame (0 for a fresh split). */
    public long nextSequence() {
        return nextSequence;
    }

    /** Kernel drops counted on this split before it was last checkpointed. */
    public long kernelDropsBefore() {
        return kernelDropsBefore;
    }

    String rawFile() {
        return file;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CaptureSplit s && kind == s.kind && fanoutGroup == s.fanoutGroup && member == s.member
                && members == s.members && nextSequence == s.nextSequence
                && kernelDropsBefore == s.kernelDropsBefore && Objects.equals(host, s.host)
                && Objects.equals(interfaceName, s.interfaceName) && Objects.equals(file, s.file);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, host, interfaceName, fanoutGroup, member, members, file, nextSequence,
                kernelDropsBefore);
    }

    @Override
    public String toString() {
        return kind == Kind.LIVE
                ? "CaptureSplit[" + splitId() + ", fanout group " + fanoutGroup + ", next " + nextSequence + "]"
                : "CaptureSplit[" + splitId() + ", next " + nextSequence + "]";
    }
}
