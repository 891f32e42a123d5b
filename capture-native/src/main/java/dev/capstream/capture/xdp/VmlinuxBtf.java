package dev.capstream.capture.xdp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * The kernel's own type information ({@code /sys/kernel/btf/vmlinux}, raw BTF as
 * {@code include/uapi/linux/btf.h} describes it), read only to find a kfunc's BTF id: a kfunc call
 * instruction names its function by that id. Types are numbered from 1 in the order they appear;
 * each is a 12-byte {@code struct btf_type} followed by data whose size depends on its kind.
 */
final class VmlinuxBtf {

    static final Path VMLINUX = Path.of("/sys/kernel/btf/vmlinux");

    private static final int MAGIC = 0xeB9F;
    private static final int KIND_FUNC = 12;

    private VmlinuxBtf() {}

    /** The BTF id of the kernel function {@code name}, empty when this kernel has none (or no BTF). */
    static OptionalInt functionId(String name) {
        byte[] raw;
        try {
            raw = Files.readAllBytes(VMLINUX);
        } catch (IOException e) {
            return OptionalInt.empty(); // CONFIG_DEBUG_INFO_BTF is off: no kfunc can be named
        }
        return functionId(ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder()), name);
    }

    /** As {@link #functionId(String)}, over raw BTF. */
    static OptionalInt functionId(ByteBuffer btf, String name) {
        if (btf.limit() < 24 || (btf.getShort(0) & 0xffff) != MAGIC) {
            return OptionalInt.empty();
        }
        int headerLength = btf.getInt(4);
        int typeStart = headerLength + btf.getInt(8);
        int typeEnd = typeStart + btf.getInt(12);
        int stringStart = headerLength + btf.getInt(16);
        byte[] wanted = name.getBytes(StandardCharsets.US_ASCII);
        int id = 1;
        for (int at = typeStart; at + 12 <= typeEnd; id++) {
            int nameOff = btf.getInt(at);
            int info = btf.getInt(at + 4);
            int kind = (info >>> 24) & 0x1f;
            int vlen = info & 0xffff;
            if (kind == KIND_FUNC && nameIs(btf, stringStart + nameOff, wanted)) {
                return OptionalInt.of(id);
            }
            at += 12 + trailingBytes(kind, vlen);
        }
        return OptionalInt.empty();
    }

    /** Bytes of kind-specific data after a {@code struct btf_type}. */
    static int trailingBytes(int kind, int vlen) {
        return switch (kind) {
            case 1, 14, 17 -> 4;            // INT (encoding), VAR (linkage), DECL_TAG (component_idx)
            case 3 -> 12;                   // ARRAY: struct btf_array
            case 4, 5, 15, 19 -> 12 * vlen; // STRUCT/UNION members, DATASEC var infos, ENUM64 values
            case 6, 13 -> 8 * vlen;         // ENUM values, FUNC_PROTO params
            default -> 0;                   // PTR, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC, FLOAT, TYPE_TAG
        };
    }

    private static boolean nameIs(ByteBuffer btf, int at, byte[] wanted) {
        if (at + wanted.length >= btf.limit()) {
            return false;
        }
        for (int i = 0; i < wanted.length; i++) {
            if (btf.get(at + i) != wanted[i]) {
                return false;
            }
        }
        return btf.get(at + wanted.length) == 0;
    }
}
