package dev.capstream.flink.deserializer;

import dev.capstream.capture.InterfaceTable;

/**
 * Where a split's frames come from: what every record of one split shares, and the table that
 * names each frame's interface (a pcapng file may hold several).
 *
 * @param host the capturing host's name
 * @param splitId the capture address's id, e.g. {@code afpacket:eth0#0/2} or {@code pcap:/data/a.pcap}
 * @param interfaces names and link types by {@code Frame.interfaceIndex()}; only valid in the
 *     fetcher thread, while the split is being polled
 */
public record FrameOrigin(String host, String splitId, InterfaceTable interfaces) {
}
