package io.edgeflow.localapi.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.servlet.Servlet;

import io.edgeflow.api.facts.HardwareFacts;
import io.edgeflow.api.facts.HardwareFactsService;
import io.edgeflow.api.facts.NetworkFacts;
import io.edgeflow.api.facts.NetworkFactsService;
import io.edgeflow.api.facts.NetworkInterfaceFacts;
import io.edgeflow.http.json.JsonServlet;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * Serves {@code GET /api/v1/device/facts}: {@code {"hardware": {...}, "network": {...}}}, the facts the
 * device reports when it is provisioned, with the field names the cloud uses. Each fact bundle can be
 * stopped or replaced on its own; while one is not running its section is null.
 */
@Component(service = Servlet.class, configurationPid = LocalApiConfiguration.HTTP_PID)
@HttpWhiteboardServletName("io.edgeflow.localapi.device-facts")
@HttpWhiteboardServletPattern("/api/v1/device/facts")
public final class DeviceFactsServlet extends JsonServlet {
    private static final long serialVersionUID = 1L;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile HardwareFactsService hardware;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile NetworkFactsService network;

    /** Creates the servlet; DS binds the fact services as they come and go. */
    public DeviceFactsServlet() {
        // the references are dynamic: field injection, see above
    }

    DeviceFactsServlet(HardwareFactsService hardware, NetworkFactsService network) {
        this.hardware = hardware;
        this.network = network;
    }

    @Override
    protected Map<String, Handler> handlers() {
        return Map.of("GET", request -> new Reply(200, toJson(hardware, network)));
    }

    static Map<String, Object> toJson(HardwareFactsService hardware, NetworkFactsService network) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("hardware", hardware == null ? null : toJson(hardware.hardwareFacts()));
        json.put("network", network == null ? null : toJson(network.networkFacts()));
        return json;
    }

    static Map<String, Object> toJson(HardwareFacts facts) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("board_model", facts.boardModel());
        json.put("board_model_source", facts.boardModelSource());
        json.put("cpu_cores", facts.cpuCores());
        json.put("ram_mb", facts.ramMb());
        json.put("os", facts.os());
        json.put("arch", facts.arch());
        json.put("kernel", facts.kernel());
        json.put("serial", facts.serial());
        json.put("warnings", facts.warnings());
        return json;
    }

    static Map<String, Object> toJson(NetworkFacts facts) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("hostname", facts.hostname());
        json.put("ip_address", facts.ipAddress());
        json.put("mac_address", facts.macAddress());
        json.put("connection_type", facts.connectionType());
        List<Map<String, Object>> interfaces = new ArrayList<>();
        for (NetworkInterfaceFacts i : facts.interfaces()) {
            Map<String, Object> iface = new LinkedHashMap<>();
            iface.put("name", i.name());
            iface.put("mac", i.mac());
            iface.put("type", i.type());
            iface.put("up", i.up());
            iface.put("addresses", i.addresses());
            interfaces.add(iface);
        }
        json.put("interfaces", interfaces);
        json.put("warnings", facts.warnings());
        return json;
    }
}
