package dev.capstream.capture.xdp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class VmlinuxBtfTest {

    /** A BTF blob with an INT, a STRUCT of two members, a FUNC_PROTO of one param, then FUNCs "a" and "rx". */
    @Test
    void skipsEachKindsTrailingDataAndNumbersTypesFromOne() {
        byte[] strings = "\0int\0s\0a\0rx\0".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer types = ByteBuffer.allocate(1024).order(ByteOrder.nativeOrder());
        type(types, 1, 1, 0, 4).putInt(32);                     // [1] INT "int", 4 bytes of encoding
        type(types, 5, 4, 2, 8).putInt(0).putInt(1).putInt(0)    // [2] STRUCT "s", 2 members of 12 bytes
                .putInt(0).putInt(1).putInt(32);
        type(types, 0, 13, 1, 1).putInt(0).putInt(1);           // [3] FUNC_PROTO, 1 param of 8 bytes
        type(types, 7, 12, 0, 3);                               // [4] FUNC "a"
        type(types, 9, 12, 0, 3);                               // [5] FUNC "rx"
        int typeLength = types.position();
        ByteBuffer btf = ByteBuffer.allocate(24 + typeLength + strings.length).order(ByteOrder.nativeOrder());
        btf.putShort((short) 0xeB9F).put((byte) 1).put((byte) 0).putInt(24)
                .putInt(0).putInt(typeLength).putInt(typeLength).putInt(strings.length);
        btf.put(types.array(), 0, typeLength).put(strings);

        assertThat(VmlinuxBtf.functionId(btf, "rx")).hasValue(5);
        assertThat(VmlinuxBtf.functionId(btf, "a")).hasValue(4);
        assertThat(VmlinuxBtf.functionId(btf, "s")).as("a struct is not a function").isEmpty();
        assertThat(VmlinuxBtf.functionId(btf, "r")).as("a prefix is not the name").isEmpty();
    }

    @Test
    void findsTheRxTimestampKfuncInThisKernelsBtf() {
        assumeTrue(Files.isReadable(VmlinuxBtf.VMLINUX), "no " + VmlinuxBtf.VMLINUX + " (CONFIG_DEBUG_INFO_BTF)");
        assertThat(VmlinuxBtf.functionId(RedirectProgram.RX_TIMESTAMP_KFUNC)).isPresent();
        assertThat(VmlinuxBtf.functionId("no_such_function_in_any_kernel")).isEmpty();
    }

    private static ByteBuffer type(ByteBuffer b, int nameOff, int kind, int vlen, int sizeOrType) {
        return b.putInt(nameOff).putInt(kind << 24 | vlen).putInt(sizeOrType);
    }
}
