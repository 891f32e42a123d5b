package dev.capstream.flink.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstream.avro.CapturedFrame;
import dev.capstream.flink.deserializer.CapturedFrameTypeInfo;
import dev.capstream.flink.deserializer.FrameDeserializer;
import dev.capstream.flink.split.CaptureSplit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptureSourceBuilderTest {

    @TempDir
    Path dir;

    @Test
    void liveCaptureMakesOneSplitPerHostInterfaceAndMember() {
        CaptureSource source = CaptureSource.builder().hosts("h1", "h2").interfaces("eth0", "eth1")
                .fanoutMembers(3).build();

        assertThat(source.getBoundedness()).isEqualTo(Boundedness.CONTINUOUS_UNBOUNDED);
        assertThat(source.spec().splits()).hasSize(12)
                .extracting(CaptureSplit::splitId)
                .contains("h1/afpacket:eth0#0/3", "h2/afpacket:eth1#2/3")
                .doesNotHaveDuplicates();
        assertThat(source.getProducedType()).isEqualTo(CapturedFrameTypeInfo.INSTANCE);
    }

    @Test
    void afXdpQueuesMakeOneSplitPerHostAndQueueBesideTheInterfaces() {
        CaptureSource source = CaptureSource.builder().hosts("h1", "h2").interfaces("eth0")
                .afxdpQueues("eth1", "eth1:1").build();

        assertThat(source.getBoundedness()).isEqualTo(Boundedness.CONTINUOUS_UNBOUNDED);
        assertThat(source.spec().splits()).extracting(CaptureSplit::splitId).containsExactlyInAnyOrder(
                "h1/afpacket:eth0", "h2/afpacket:eth0", "h1/afxdp:eth1:0", "h2/afxdp:eth1:0",
                "h1/afxdp:eth1:1", "h2/afxdp:eth1:1");
        assertThat(source.spec().splits()).filteredOn(s -> s.kind() == CaptureSplit.Kind.AFXDP)
                .allMatch(s -> s.address() instanceof dev.capstream.capture.SplitAddress.AfXdp);
        assertThatThrownBy(() -> CaptureSource.builder().hosts("h1").afxdpQueues("eth1:x").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad queue");
    }

    @Test
    void filesMakeABoundedSourceWithOneSplitEach() throws Exception {
        Path a = Files.createFile(dir.resolve("a.pcap"));
        Path b = Files.createFile(dir.resolve("b.pcapng"));

        CaptureSource source = CaptureSource.builder().pcapFiles(a, b).build();

        assertThat(source.getBoundedness()).isEqualTo(Boundedness.BOUNDED);
        assertThat(source.spec().splits()).extracting(CaptureSplit::splitId).containsExactly("pcap:" + a, "pcap:" + b);
    }

    @Test
    void aDirectoryStandsForTheCaptureFilesInItWhenTheJobStarts() throws Exception {
        Path a = Files.createFile(dir.resolve("a.pcapng"));
        CaptureSource source = CaptureSource.builder().pcapFiles(dir).build();
        Path b = Files.createFile(dir.resolve("B.CAP"));
        Files.createFile(dir.resolve("notes.txt"));

        assertThat(source.spec().splits()).extracting(CaptureSplit::file).containsExactlyInAnyOrder(a, b);
    }

    @Test
    void aGlobStandsForTheFilesItMatches() throws Exception {
        Path a = Files.createFile(dir.resolve("mon-1.pcapng"));
        Path b = Files.createFile(dir.resolve("mon-2.pcapng"));
        Files.createFile(dir.resolve("tue-1.pcapng"));

        CaptureSource source = CaptureSource.builder().pcapFiles(dir.resolve("mon-*.pcapng")).build();

        assertThat(source.spec().splits()).extracting(CaptureSplit::file).containsExactly(a, b);
    }

    @Test
    void anEmptyPcapDirectoryIsRefusedAtBuild() throws Exception {
        Files.createFile(dir.resolve("notes.txt"));

        assertThatThrownBy(() -> CaptureSource.builder().pcapFiles(dir).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pcap directory '" + dir + "' holds no capture files")
                .hasMessageContaining("would read nothing");
    }

    @Test
    void aGlobMatchingNothingIsRefusedAtBuild() throws Exception {
        Files.createFile(dir.resolve("tue-1.pcapng"));

        assertThatThrownBy(() -> CaptureSource.builder().pcapFiles(dir.resolve("mon-*.pcapng")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pcap glob '" + dir.resolve("mon-*.pcapng") + "' matches no file");
    }

    @Test
    void sqlStyleOptionsConfigureTheSameSource() {
        Configuration options = Configuration.fromMap(Map.of(
                "hosts", "h1;h2", "interfaces", "eth0", "fanout-members", "2",
                "ring.block-size", "256kb", "ring.block-count", "8", "poll-timeout", "50 ms"));

        CaptureSourceSpec spec = CaptureSource.builder().configure(options).spec();

        assertThat(spec.hosts()).containsExactly("h1", "h2");
        assertThat(spec.splits()).hasSize(4);
        assertThat(spec.readerSettings().ringBlockSize()).isEqualTo(256 * 1024);
        assertThat(spec.readerSettings().ringBlockCount()).isEqualTo(8);
        assertThat(spec.readerSettings().pollTimeoutMillis()).isEqualTo(50);
    }

    @Test
    void nothingToReadIsRefusedWithBothWaysToFixIt() {
        assertThatThrownBy(() -> CaptureSource.builder().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'interfaces' for live capture")
                .hasMessageContaining("'pcap-files'");
    }

    @Test
    void interfacesWithoutHostsCaptureWhereverReadersRun() {
        CaptureSourceSpec spec = CaptureSource.builder().interfaces("eth0", "eth1").fanoutMembers(2).build().spec();

        assertThat(spec.capturesWhereReadersRun()).isTrue();
        assertThat(spec.splits()).as("made per reader host when readers register").isEmpty();
        assertThat(spec.liveSplitsOf("vm")).extracting(CaptureSplit::splitId).containsExactly(
                "vm/afpacket:eth0#0/2", "vm/afpacket:eth0#1/2", "vm/afpacket:eth1#0/2", "vm/afpacket:eth1#1/2");
        assertThat(spec.enumeratorSettings().splitsPerHost()).isNotNull();
    }

    @Test
    void hostsWaitTimeoutIsAnOptionAndMustBePositive() {
        Configuration options = Configuration.fromMap(Map.of(
                "hosts", "h1", "interfaces", "eth0", "hosts.wait-timeout", "5 s"));
        assertThat(CaptureSource.builder().configure(options).spec().enumeratorSettings().hostWaitTimeout())
                .isEqualTo(Duration.ofSeconds(5));
        assertThat(CaptureSource.builder().hosts("h").interfaces("eth0").build().spec().hostWaitTimeout())
                .isEqualTo(Duration.ofMinutes(3));
        assertThatThrownBy(() -> CaptureSource.builder().hosts("h").interfaces("eth0")
                        .hostsWaitTimeout(Duration.ZERO).build())
                .hasMessageContaining("'hosts.wait-timeout' is PT0S: it must be positive");
    }

    @Test
    void liveAndFilesTogetherAreRefused() throws Exception {
        Path a = Files.createFile(dir.resolve("a.pcap"));
        assertThatThrownBy(() -> CaptureSource.builder().hosts("h").interfaces("eth0").pcapFiles(a).build())
                .hasMessageContaining("one source cannot be both");
    }

    @Test
    void badInterfaceNamesAndDuplicatesAreRefused() {
        assertThatThrownBy(() -> CaptureSource.builder().hosts("h").interfaces("an-interface-name-too-long").build())
                .hasMessageContaining("'interfaces'")
                .hasMessageContaining("longer than Linux allows");
        assertThatThrownBy(() -> CaptureSource.builder().hosts("h", "h").interfaces("eth0").build())
                .hasMessageContaining("names 'h' twice");
        assertThatThrownBy(() -> CaptureSource.builder().hosts("h", " ").interfaces("eth0").build())
                .hasMessageContaining("empty entry");
        assertThatThrownBy(() -> CaptureSource.builder().hosts("").interfaces("eth0").build())
                .hasMessageContaining("leave 'hosts' unset");
    }

    @Test
    void fanoutMembersOutOfRangeAreRefused() {
        assertThatThrownBy(() -> CaptureSource.builder().hosts("h").interfaces("eth0").fanoutMembers(0).build())
                .hasMessage("capture source: 'fanout-members' = '0': out of range: need 1 to 256");
        assertThatThrownBy(() -> CaptureSource.builder().hosts("h").interfaces("eth0").fanoutMembers(257).build())
                .as("the kernel's limit, as in the sidecar and Connect").hasMessageEndingWith("need 1 to 256");
    }

    @Test
    void aBadRingIsRefusedWhereTheJobIsBuilt() {
        assertThatThrownBy(() -> CaptureSource.builder().hosts("h").interfaces("eth0")
                        .ring(MemorySize.parse("100kb"), 4).build())
                .hasMessageContaining("'ring.block-size'")
                .hasMessageContaining("not a power of two");
        assertThatThrownBy(() -> CaptureSource.builder().hosts("h").interfaces("eth0")
                        .pollTimeout(Duration.ZERO).build())
                .hasMessageContaining("poll timeout 0 ms is out of range");
    }

    @Test
    void aMissingFileIsRefusedWithItsPath() {
        assertThatThrownBy(() -> CaptureSource.builder().pcapFiles(dir.resolve("gone.pcap")).build())
                .hasMessageContaining("gone.pcap' does not exist");
    }

    @Test
    void aDeserializerChoosesTheRecordTypeOfTheSameSource() throws Exception {
        CaptureSourceBuilder builder = CaptureSource.builder().interfaces("eth0").fanoutMembers(2);

        AbstractCaptureSource<byte[]> bytes = builder.build(FrameDeserializer.bytes());
        AbstractCaptureSource<CapturedFrame> frames = builder.build(FrameDeserializer.capturedFrames());

        assertThat(bytes.getProducedType()).isEqualTo(PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
        assertThat(frames.getProducedType()).isEqualTo(CapturedFrameTypeInfo.INSTANCE);
        assertThat(bytes.spec().splits()).isEqualTo(builder.build().spec().splits());
        assertThat(bytes.getBoundedness()).isEqualTo(Boundedness.CONTINUOUS_UNBOUNDED);
        // the source travels with the job graph, its deserializer with it
        AbstractCaptureSource<byte[]> shipped = InstantiationUtil.clone(bytes);
        assertThat(shipped.getProducedType()).isEqualTo(PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
    }

    @Test
    void aNullDeserializerIsRefusedNamingTheBuiltIns() {
        assertThatThrownBy(() -> CaptureSource.builder().interfaces("eth0").build((FrameDeserializer<byte[]>) null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("FrameDeserializer.bytes()");
    }

    @Test
    void optionsAreCheckedWhateverTheRecordType() {
        assertThatThrownBy(() -> CaptureSource.builder().build(FrameDeserializer.bytes()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nothing to read");
    }
}
