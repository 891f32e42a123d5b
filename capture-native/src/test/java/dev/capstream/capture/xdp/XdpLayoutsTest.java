package dev.capstream.capture.xdp;

import java.io.IOException;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.capstream.capture.xdp.XdpLayouts.offsetOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every AF_XDP and bpf(2) struct against the kernel ABI, twice: the numbers {@code gcc} printed for
 * the 6.1 UAPI headers (x86-64), written out; and, where gcc and linux-libc-dev are installed, a C
 * probe compiled now against {@code <linux/if_xdp.h>} and {@code <linux/bpf.h>} that prints
 * {@code sizeof}/{@code offsetof} of every field the layouts name, and the constants.
 */
class XdpLayoutsTest {

    private static final List<GroupLayout> LAYOUTS = List.of(XdpLayouts.SOCKADDR_XDP, XdpLayouts.XDP_UMEM_REG,
            XdpLayouts.XDP_RING_OFFSET, XdpLayouts.XDP_MMAP_OFFSETS, XdpLayouts.XDP_DESC, XdpLayouts.XDP_STATISTICS,
            XdpLayouts.XDP_OPTIONS, XdpLayouts.XDP_MD, XdpLayouts.BPF_INSN, XdpLayouts.ATTR_MAP_CREATE,
            XdpLayouts.ATTR_MAP_ELEM, XdpLayouts.ATTR_PROG_LOAD, XdpLayouts.ATTR_LINK_CREATE);

    @Test
    void afXdpStructsHaveTheKernelsSizesAndOffsets() {
        assertThat(XdpLayouts.SOCKADDR_XDP.byteSize()).isEqualTo(16);
        assertThat(offsetOf(XdpLayouts.SOCKADDR_XDP, "sxdp_ifindex")).isEqualTo(4);
        assertThat(offsetOf(XdpLayouts.SOCKADDR_XDP, "sxdp_queue_id")).isEqualTo(8);
        assertThat(offsetOf(XdpLayouts.SOCKADDR_XDP, "sxdp_shared_umem_fd")).isEqualTo(12);
        assertThat(XdpLayouts.XDP_UMEM_REG.byteSize()).isEqualTo(32);
        assertThat(offsetOf(XdpLayouts.XDP_UMEM_REG, "chunk_size")).isEqualTo(16);
        assertThat(offsetOf(XdpLayouts.XDP_UMEM_REG, "flags")).isEqualTo(24);
        assertThat(XdpLayouts.XDP_MMAP_OFFSETS.byteSize()).isEqualTo(128);
        assertThat(offsetOf(XdpLayouts.XDP_MMAP_OFFSETS, "fr")).isEqualTo(64);
        assertThat(offsetOf(XdpLayouts.XDP_MMAP_OFFSETS, "cr", "flags")).isEqualTo(120);
        assertThat(XdpLayouts.XDP_DESC.byteSize()).isEqualTo(16);
        assertThat(offsetOf(XdpLayouts.XDP_DESC, "len")).isEqualTo(8);
        assertThat(XdpLayouts.XDP_STATISTICS.byteSize()).isEqualTo(48);
        assertThat(offsetOf(XdpLayouts.XDP_STATISTICS, "rx_ring_full")).isEqualTo(24);
        assertThat(offsetOf(XdpLayouts.XDP_STATISTICS, "rx_fill_ring_empty_descs")).isEqualTo(32);
        assertThat(XdpLayouts.XDP_OPTIONS.byteSize()).isEqualTo(4);
        assertThat(offsetOf(XdpLayouts.XDP_MD, "rx_queue_index")).isEqualTo(16);
        assertThat(offsetOf(XdpLayouts.XDP_MD, "data_meta")).isEqualTo(8);
        assertThat(XdpLayouts.XDP_MD.byteSize()).isEqualTo(24);
    }

    @Test
    void bpfAttrVariantsHaveTheKernelsOffsets() {
        for (GroupLayout attr : List.of(XdpLayouts.ATTR_MAP_CREATE, XdpLayouts.ATTR_MAP_ELEM,
                XdpLayouts.ATTR_PROG_LOAD, XdpLayouts.ATTR_LINK_CREATE)) {
            assertThat(attr.byteSize()).as(attr.toString()).isEqualTo(144);
        }
        assertThat(offsetOf(XdpLayouts.ATTR_MAP_CREATE, "max_entries")).isEqualTo(12);
        assertThat(offsetOf(XdpLayouts.ATTR_MAP_CREATE, "map_name")).isEqualTo(28);
        assertThat(offsetOf(XdpLayouts.ATTR_MAP_ELEM, "key")).isEqualTo(8);
        assertThat(offsetOf(XdpLayouts.ATTR_MAP_ELEM, "flags")).isEqualTo(24);
        assertThat(offsetOf(XdpLayouts.ATTR_PROG_LOAD, "log_buf")).isEqualTo(32);
        assertThat(offsetOf(XdpLayouts.ATTR_PROG_LOAD, "prog_name")).isEqualTo(48);
        assertThat(offsetOf(XdpLayouts.ATTR_PROG_LOAD, "expected_attach_type")).isEqualTo(68);
        assertThat(offsetOf(XdpLayouts.ATTR_PROG_LOAD, "prog_flags")).isEqualTo(44);
        assertThat(offsetOf(XdpLayouts.ATTR_PROG_LOAD, "prog_ifindex")).isEqualTo(64);
        assertThat(offsetOf(XdpLayouts.ATTR_LINK_CREATE, "link_create.attach_type")).isEqualTo(8);
        assertThat(offsetOf(XdpLayouts.ATTR_LINK_CREATE, "link_create.flags")).isEqualTo(12);
        assertThat(XdpLayouts.BPF_INSN.byteSize()).isEqualTo(8);
        assertThat(offsetOf(XdpLayouts.BPF_INSN, "imm")).isEqualTo(4);
    }

    @Test
    void everyLayoutAndConstantMatchesTheInstalledHeaders(@TempDir Path dir) throws Exception {
        Path gcc = Path.of("/usr/bin/gcc");
        assumeTrue(Files.isExecutable(gcc), "gcc is not installed");
        assumeTrue(Files.exists(Path.of("/usr/include/linux/if_xdp.h")), "linux-libc-dev is not installed");
        Map<String, Long> c = runProbe(gcc, dir);

        for (GroupLayout l : LAYOUTS) {
            long cSize = c.get("sizeof " + l.name().orElseThrow());
            if (l.name().orElseThrow().startsWith("union bpf_attr")) {
                // Newer headers grow the union; the kernel takes any prefix whose tail is zero.
                assertThat(l.byteSize()).as(l.name().orElseThrow()).isLessThanOrEqualTo(cSize);
            } else {
                assertThat(l.byteSize()).as(l.name().orElseThrow()).isEqualTo(cSize);
            }
            for (MemoryLayout m : l.memberLayouts()) {
                if (m instanceof PaddingLayout || m.name().orElseThrow().equals("regs")) {
                    continue;
                }
                String key = "offsetof " + l.name().orElseThrow() + " " + m.name().orElseThrow();
                assertThat(offsetOf(l, m.name().orElseThrow())).as(key).isEqualTo(c.get(key));
            }
        }
        Map<String, Long> constants = new HashMap<>();
        constants.put("AF_XDP", (long) XdpConstants.AF_XDP);
        constants.put("SOL_XDP", (long) XdpConstants.SOL_XDP);
        constants.put("XDP_MMAP_OFFSETS", (long) XdpConstants.XDP_MMAP_OFFSETS);
        constants.put("XDP_RX_RING", (long) XdpConstants.XDP_RX_RING);
        constants.put("XDP_UMEM_REG", (long) XdpConstants.XDP_UMEM_REG);
        constants.put("XDP_UMEM_FILL_RING", (long) XdpConstants.XDP_UMEM_FILL_RING);
        constants.put("XDP_UMEM_COMPLETION_RING", (long) XdpConstants.XDP_UMEM_COMPLETION_RING);
        constants.put("XDP_STATISTICS", (long) XdpConstants.XDP_STATISTICS);
        constants.put("XDP_OPTIONS", (long) XdpConstants.XDP_OPTIONS);
        constants.put("XDP_PGOFF_RX_RING", XdpConstants.XDP_PGOFF_RX_RING);
        constants.put("XDP_UMEM_PGOFF_FILL_RING", XdpConstants.XDP_UMEM_PGOFF_FILL_RING);
        constants.put("XDP_COPY", (long) XdpConstants.XDP_COPY);
        constants.put("XDP_ZEROCOPY", (long) XdpConstants.XDP_ZEROCOPY);
        constants.put("XDP_USE_NEED_WAKEUP", (long) XdpConstants.XDP_USE_NEED_WAKEUP);
        constants.put("XDP_RING_NEED_WAKEUP", (long) XdpConstants.XDP_RING_NEED_WAKEUP);
        constants.put("XDP_OPTIONS_ZEROCOPY", (long) XdpConstants.XDP_OPTIONS_ZEROCOPY);
        constants.put("BPF_MAP_CREATE", (long) XdpConstants.BPF_MAP_CREATE);
        constants.put("BPF_MAP_UPDATE_ELEM", (long) XdpConstants.BPF_MAP_UPDATE_ELEM);
        constants.put("BPF_PROG_LOAD", (long) XdpConstants.BPF_PROG_LOAD);
        constants.put("BPF_LINK_CREATE", (long) XdpConstants.BPF_LINK_CREATE);
        constants.put("BPF_MAP_TYPE_XSKMAP", (long) XdpConstants.BPF_MAP_TYPE_XSKMAP);
        constants.put("BPF_PROG_TYPE_XDP", (long) XdpConstants.BPF_PROG_TYPE_XDP);
        constants.put("BPF_XDP", (long) XdpConstants.BPF_XDP);
        constants.put("BPF_PSEUDO_MAP_FD", (long) XdpConstants.BPF_PSEUDO_MAP_FD);
        constants.put("BPF_FUNC_redirect_map", (long) XdpConstants.BPF_FUNC_REDIRECT_MAP);
        constants.put("BPF_FUNC_xdp_adjust_meta", (long) XdpConstants.BPF_FUNC_XDP_ADJUST_META);
        constants.put("BPF_PSEUDO_KFUNC_CALL", (long) XdpConstants.BPF_PSEUDO_KFUNC_CALL);
        constants.put("XDP_PASS", (long) XdpConstants.XDP_PASS);
        constants.put("XDP_FLAGS_SKB_MODE", (long) XdpConstants.XDP_FLAGS_SKB_MODE);
        constants.put("XDP_FLAGS_DRV_MODE", (long) XdpConstants.XDP_FLAGS_DRV_MODE);
        constants.put("MAP_POPULATE", (long) XdpConstants.MAP_POPULATE);
        constants.put("BPF_LDX|BPF_MEM|BPF_W", (long) RedirectProgram.LDX_MEM_W);
        constants.put("BPF_LD|BPF_DW|BPF_IMM", (long) RedirectProgram.LD_IMM_DW);
        constants.put("BPF_ALU64|BPF_MOV|BPF_K", (long) RedirectProgram.ALU64_MOV_K);
        constants.put("BPF_JMP|BPF_CALL", (long) RedirectProgram.JMP_CALL);
        constants.put("BPF_JMP|BPF_EXIT", (long) RedirectProgram.JMP_EXIT);
        constants.put("BPF_ALU64|BPF_MOV|BPF_X", (long) RedirectProgram.ALU64_MOV_X);
        constants.put("BPF_ALU64|BPF_ADD|BPF_K", (long) RedirectProgram.ALU64_ADD_K);
        constants.put("BPF_ST|BPF_MEM|BPF_DW", (long) RedirectProgram.ST_MEM_DW);
        constants.put("BPF_STX|BPF_MEM|BPF_DW", (long) RedirectProgram.STX_MEM_DW);
        constants.put("BPF_LDX|BPF_MEM|BPF_DW", (long) RedirectProgram.LDX_MEM_DW);
        constants.put("BPF_JMP|BPF_JNE|BPF_K", (long) RedirectProgram.JMP_JNE_K);
        constants.put("BPF_JMP|BPF_JGT|BPF_X", (long) RedirectProgram.JMP_JGT_X);
        constants.forEach((name, value) -> assertThat(value).as(name).isEqualTo(c.get("const " + name)));
    }

    private static Map<String, Long> runProbe(Path gcc, Path dir) throws IOException, InterruptedException {
        StringBuilder src = new StringBuilder("""
                #include <stdio.h>
                #include <stddef.h>
                #include <sys/socket.h>
                #include <sys/mman.h>
                #include <linux/if_xdp.h>
                #include <linux/if_link.h>
                #include <linux/bpf.h>
                #ifndef AF_XDP
                #define AF_XDP 44
                #endif
                int main(void) {
                """);
        for (GroupLayout l : LAYOUTS) {
            String type = l.name().orElseThrow();
            src.append("printf(\"sizeof ").append(type).append(" %zu\\n\", sizeof(").append(type).append("));\n");
            for (MemoryLayout m : l.memberLayouts()) {
                if (m instanceof PaddingLayout || m.name().orElseThrow().equals("regs")) {
                    continue;
                }
                String f = m.name().orElseThrow();
                src.append("printf(\"offsetof ").append(type).append(' ').append(f).append(" %zu\\n\", offsetof(")
                        .append(type).append(", ").append(f).append("));\n");
            }
        }
        for (String k : List.of("AF_XDP", "SOL_XDP", "XDP_MMAP_OFFSETS", "XDP_RX_RING", "XDP_UMEM_REG",
                "XDP_UMEM_FILL_RING", "XDP_UMEM_COMPLETION_RING", "XDP_STATISTICS", "XDP_OPTIONS", "XDP_PGOFF_RX_RING",
                "XDP_UMEM_PGOFF_FILL_RING", "XDP_COPY", "XDP_ZEROCOPY", "XDP_USE_NEED_WAKEUP", "XDP_RING_NEED_WAKEUP",
                "XDP_OPTIONS_ZEROCOPY", "BPF_MAP_CREATE", "BPF_MAP_UPDATE_ELEM", "BPF_PROG_LOAD", "BPF_LINK_CREATE",
                "BPF_MAP_TYPE_XSKMAP", "BPF_PROG_TYPE_XDP", "BPF_XDP", "BPF_PSEUDO_MAP_FD", "BPF_FUNC_redirect_map",
                "XDP_PASS", "XDP_FLAGS_SKB_MODE", "XDP_FLAGS_DRV_MODE", "MAP_POPULATE", "BPF_LDX|BPF_MEM|BPF_W",
                "BPF_LD|BPF_DW|BPF_IMM", "BPF_ALU64|BPF_MOV|BPF_K", "BPF_JMP|BPF_CALL", "BPF_JMP|BPF_EXIT",
                "BPF_FUNC_xdp_adjust_meta", "BPF_PSEUDO_KFUNC_CALL", "BPF_ALU64|BPF_MOV|BPF_X", "BPF_ALU64|BPF_ADD|BPF_K",
                "BPF_ST|BPF_MEM|BPF_DW", "BPF_STX|BPF_MEM|BPF_DW", "BPF_LDX|BPF_MEM|BPF_DW", "BPF_JMP|BPF_JNE|BPF_K",
                "BPF_JMP|BPF_JGT|BPF_X")) {
            src.append("printf(\"const ").append(k).append(" %lld\\n\", (long long)(").append(k).append("));\n");
        }
        src.append("return 0; }\n");
        Path c = dir.resolve("probe.c");
        Path exe = dir.resolve("probe");
        Files.writeString(c, src);
        run(List.of(gcc.toString(), "-D_GNU_SOURCE", "-o", exe.toString(), c.toString()), dir);
        Map<String, Long> values = new HashMap<>();
        for (String line : run(List.of(exe.toString()), dir).split("\n")) {
            int space = line.lastIndexOf(' ');
            values.put(line.substring(0, space), Long.parseLong(line.substring(space + 1)));
        }
        return values;
    }

    private static String run(List<String> command, Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ":\n" + out).isZero();
        return out;
    }
}
