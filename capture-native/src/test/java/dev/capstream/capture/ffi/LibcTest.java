package dev.capstream.capture.ffi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Calls that need no privileges, to prove the bindings and the errno capture work. */
class LibcTest {

    @Test
    void loopbackHasAnIndexAndAnUnknownNameHasNone() {
        assertThat(Libc.ifNameToIndex("lo")).isPositive();
        assertThat(Libc.ifNameToIndex("nosuchif0")).isZero();
    }

    @Test
    void failedCallReportsItsErrnoByName() {
        assertThatThrownBy(() -> Libc.open("/nonexistent/capstream", LinuxConstants.O_RDONLY))
                .isInstanceOfSatisfying(NativeCallException.class, e -> {
                    assertThat(e.errno()).isEqualTo(2);
                    assertThat(e.errnoName()).isEqualTo("ENOENT");
                    assertThat(e.getMessage()).startsWith("open(/nonexistent/capstream): ENOENT (No such file or directory)");
                });
    }

    @Test
    void closingABadDescriptorIsEbadf() {
        assertThatThrownBy(() -> Libc.close(-1, "test"))
                .isInstanceOfSatisfying(NativeCallException.class, e -> assertThat(e.errnoName()).isEqualTo("EBADF"));
    }

    @Test
    void pollWithZeroTimeoutOnAnIgnoredDescriptorReturnsAtOnce() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(StructLayouts.POLLFD);
            StructLayouts.POLLFD_FD.set(fds, 0L, -1); // negative fds are ignored by poll(2)
            StructLayouts.POLLFD_EVENTS.set(fds, 0L, LinuxConstants.POLLIN);
            assertThat(Libc.poll(fds, 1, 0, null)).isZero();
        }
    }

    @Test
    void pageSizeIsAPowerOfTwo() {
        assertThat(Integer.bitCount(Libc.pageSize())).isEqualTo(1);
    }
}
