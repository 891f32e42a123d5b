package dev.capstream.capture.pcap;

import dev.capstream.capture.CaptureException;
import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.SplitReader;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;

/**
 * Opens pcap and pcapng files as bounded splits. Pure Java: no libpcap, no privileges.
 *
 * <p>The reader hands over frames in blocks of views over its buffer, with
 * {@link dev.capstream.capture.TimestampSource#FILE} timestamps; {@code interfaceIndex()} is the
 * file's interface number (pcapng sections numbered on), whose name and link type the reader's
 * {@link SplitReader#interfaceName(int)} and {@link SplitReader#linkType(int)} give. When the file
 * is read to its end, the reader is {@link SplitReader#finished()}.
 */
public final class PcapFiles {

    private PcapFiles() {}

    /** Opens the file with {@link PcapReadOptions#defaults()} (as fast as possible). */
    public static SplitReader open(SplitAddress.PcapFile address) {
        return open(address, PcapReadOptions.defaults());
    }

    /**
     * Opens the file and reads its header, so a file that is no capture fails here.
     *
     * @throws PcapFormatException when the header is malformed (the message names the offset)
     * @throws CaptureException when the file cannot be read
     */
    public static SplitReader open(SplitAddress.PcapFile address, PcapReadOptions options) {
        var path = address.path();
        if (Files.isDirectory(path)) {
            throw new CaptureException("pcap file " + path + " is a directory; name a .pcap or .pcapng file");
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new CaptureException("pcap file " + path + " does not exist", e);
        } catch (AccessDeniedException e) {
            throw new CaptureException("pcap file " + path + " is not readable by this user (permission denied)", e);
        } catch (IOException e) {
            throw new CaptureException("cannot open pcap file " + path + ": " + e.getMessage(), e);
        }
        return PcapFileReader.open(address, channel, options);
    }
}
