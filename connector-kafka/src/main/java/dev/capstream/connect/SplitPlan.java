package dev.capstream.connect;

import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.afpacket.AfPacketOptions;
import dev.capstream.capture.spec.InterfaceEntry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.errors.ConnectException;

/**
 * Which task captures what: one split per task, in the order of {@link CaptureSourceConfig#splits()}.
 * The members of one interface share a PACKET_FANOUT group whose id every task works out the same
 * way (from the connector's name and the interface, or the configured first id), so members started
 * by different tasks, even after a restart, land in the same group.
 */
final class SplitPlan {

    private SplitPlan() {}

    /** The task configs: the connector's props plus the task's split and fanout group id. */
    static List<Map<String, String>> taskConfigs(String connectorName, Map<String, String> props,
            CaptureSourceConfig config, int maxTasks) {
        List<SplitAddress> splits = config.splits();
        CrossFieldChecks.Problem tooFew = CrossFieldChecks.tasksMax(maxTasks, splits);
        if (tooFew != null) {
            throw new ConnectException("connector " + connectorName + ": " + tooFew.message());
        }
        List<String> interfaces = config.interfaces().stream().map(InterfaceEntry::name).toList();
        List<Map<String, String>> tasks = new ArrayList<>(splits.size());
        for (SplitAddress split : splits) {
            Map<String, String> task = new LinkedHashMap<>(props);
            task.put(CaptureSourceConfig.TASK_SPLIT, split.toString());
            task.put(CaptureSourceConfig.TASK_FANOUT_GROUP_ID,
                    String.valueOf(fanoutGroupId(connectorName, split, interfaces, config.fanoutGroupBase())));
            tasks.add(task);
        }
        return tasks;
    }

    /**
     * The fanout group of a split: the kernel's choice for a split that joins no group (one member,
     * or not AF_PACKET), else the configured first id plus the interface's position, or one derived
     * from the connector name and the interface.
     */
    static int fanoutGroupId(String connectorName, SplitAddress split, List<String> interfaces, int base) {
        if (!(split instanceof SplitAddress.AfPacket a) || a.members() == 1) {
            return AfPacketOptions.AUTO_GROUP_ID;
        }
        int position = interfaces.indexOf(a.interfaceName());
        if (base != CaptureSourceConfig.DERIVED_GROUP_ID) {
            return base + Math.max(0, position);
        }
        return derivedGroupId(connectorName, a.interfaceName());
    }

    /** A stable id in 0..65535: String.hashCode is the same in every JVM. */
    static int derivedGroupId(String connectorName, String interfaceName) {
        long h = (connectorName + "\u0000" + interfaceName).hashCode() * 0x9E3779B97F4A7C15L;
        return (int) ((h ^ (h >>> 32) ^ (h >>> 16)) & 0xFFFF);
    }

    /** E.g. "eth0 x 4 members, rdma:mlx5_0:1", for messages. */
    static String describe(List<SplitAddress> splits) {
        Map<String, Integer> members = new LinkedHashMap<>();
        List<String> others = new ArrayList<>();
        for (SplitAddress s : splits) {
            if (s instanceof SplitAddress.AfPacket a) {
                members.merge(a.interfaceName(), 1, Integer::sum);
            } else {
                others.add(s.toString());
            }
        }
        List<String> parts = new ArrayList<>();
        members.forEach((iface, n) -> parts.add(n == 1 ? iface : iface + " x " + n + " members"));
        parts.addAll(others);
        return String.join(", ", parts);
    }
}
