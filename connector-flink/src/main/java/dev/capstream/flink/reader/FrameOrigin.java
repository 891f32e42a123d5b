package dev.capstream.flink.reader;

/**
 * Where a split's frames come from: the constant part of every record of one split.
 *
 * @param host the capturing host's name
 * @param splitId the capture address's id, e.g. {@code afpacket:eth0#0/2} or {@code pcap:/data/a.pcap}
 * @param interfaceName the interface (for files: the interface the file names)
 * @param linkType the pcap DLT of the frames' link layer
 */
public record FrameOrigin(String host, String splitId, String interfaceName, int linkType) {
}
