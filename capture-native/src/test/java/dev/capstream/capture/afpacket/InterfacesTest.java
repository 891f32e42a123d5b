package dev.capstream.capture.afpacket;

import dev.capstream.capture.CaptureException;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InterfacesTest {

    @Test
    void ethernetAndLoopbackAreEthernetFrames() {
        assertThat(Interfaces.linkTypeOf("eth0", 1)).isEqualTo(1);
        assertThat(Interfaces.linkTypeOf("lo", 772)).isEqualTo(1);
    }

    @Test
    void interfacesWithoutLinkHeaderGiveRawIp() {
        assertThat(Interfaces.linkTypeOf("tun0", 65534)).isEqualTo(101);
    }

    @Test
    void otherLinkTypesAreRefusedByName() {
        assertThatThrownBy(() -> Interfaces.linkTypeOf("wlan0mon", 803))
                .isInstanceOf(CaptureException.class)
                .hasMessageStartingWith("interface 'wlan0mon' has link type 803 (ARPHRD_IEEE80211_RADIOTAP), which capstream cannot capture yet");
    }

    @Test
    void loopbackLinkTypeIsReadFromSysfs() {
        assertThat(Interfaces.linkType("lo")).isEqualTo(1);
    }

    @Test
    void unknownInterfaceMessageListsTheHostsInterfaces() {
        assertThatThrownBy(() -> Interfaces.indexOf("nosuch0"))
                .isInstanceOf(CaptureException.class)
                .hasMessageStartingWith("interface 'nosuch0' not found on this host; interfaces here: ")
                .hasMessageContaining("lo");
    }
}
