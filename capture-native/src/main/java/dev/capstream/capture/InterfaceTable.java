package dev.capstream.capture;

/**
 * Names and link types of the interfaces a split's frames come from, looked up by
 * {@link Frame#interfaceIndex()}. A live reader has one interface; a pcapng file may have several,
 * numbered by the file itself.
 *
 * <p>Lookups return values the table holds (no allocation), so encoders may call them per frame.
 * Only the polling thread may call them while the reader is being polled: a file reader learns
 * interfaces as it reads.
 */
public interface InterfaceTable {

    /** Name of the interface with this index, e.g. {@code eth0}; never null. */
    String interfaceName(int interfaceIndex);

    /** Link type of the interface with this index, as a pcap LINKTYPE/DLT number (1 = Ethernet). */
    int linkType(int interfaceIndex);
}
