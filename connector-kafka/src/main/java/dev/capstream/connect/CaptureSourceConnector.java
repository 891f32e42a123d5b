package dev.capstream.connect;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.ConnectorTransactionBoundaries;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * capstream as a Kafka Connect source: captures frames from the worker host's interfaces (AF_PACKET
 * fanout members), RDMA ports or pcap files, one split per task, into a topic as records that
 * mirror capstream's Avro schemas.
 *
 * <p>Live capture is bound to a host: a task captures on whatever host its worker runs on. Run a
 * standalone worker on each capture host; in a distributed Connect cluster tasks land on any worker,
 * which is only right when every worker's host has the interfaces (or each host is a cluster of
 * its own).
 */
public final class CaptureSourceConnector extends SourceConnector {

    private static final Logger LOG = LoggerFactory.getLogger(CaptureSourceConnector.class);

    private Map<String, String> props;
    private CaptureSourceConfig config;

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
        try {
            this.config = CaptureSourceConfig.of(props);
        } catch (ConfigException e) {
            throw new ConnectException(e.getMessage(), e);
        }
        this.props = Map.copyOf(props);
        LOG.info("capstream source connector {} {}: splits {}", props.get("name"), version(),
                SplitPlan.describe(config.splits()));
    }

    @Override
    public Class<? extends Task> taskClass() {
        return CaptureSourceTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        return SplitPlan.taskConfigs(props.get("name"), props, config, maxTasks);
    }

    @Override
    public void stop() {
        // The tasks own the capture; nothing runs here.
    }

    @Override
    public ConfigDef config() {
        return CaptureSourceConfig.sharedConfigDef();
    }

    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        Map<String, String> props = CaptureSourceConfig.withLegacyKeys(connectorConfigs);
        return CrossFieldChecks.validate(props, super.validate(props));
    }

    /** Live capture cannot rewind to an offset, so a transaction could never be replayed. */
    @Override
    public ExactlyOnceSupport exactlyOnceSupport(Map<String, String> connectorConfig) {
        return ExactlyOnceSupport.UNSUPPORTED;
    }

    @Override
    public ConnectorTransactionBoundaries canDefineTransactionBoundaries(Map<String, String> connectorConfig) {
        return ConnectorTransactionBoundaries.UNSUPPORTED;
    }
}
