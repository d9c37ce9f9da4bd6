package io.edgeflow.provisioning.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import io.edgeflow.api.facts.HardwareFacts;
import io.edgeflow.api.facts.HardwareFactsService;
import io.edgeflow.api.facts.NetworkFacts;
import io.edgeflow.api.facts.NetworkFactsService;

/**
 * The facts a registration reports, with the field names of docs/protocol.md (those of the product
 * documentation's tables). A fact bundle that is not running, or fails, leaves its object empty: the cloud
 * takes a registration without facts.
 */
final class DeviceFacts {
    private DeviceFacts() {
    }

    static Map<String, Object> hardware(HardwareFactsService service) {
        Map<String, Object> json = new LinkedHashMap<>();
        if (service == null) {
            return json;
        }
        HardwareFacts facts;
        try {
            facts = service.hardwareFacts();
        } catch (RuntimeException e) {
            return json;
        }
        putIfSet(json, "board_model", facts.boardModel());
        putIfSet(json, "cpu_cores", facts.cpuCores());
        putIfSet(json, "ram_mb", facts.ramMb());
        putIfSet(json, "os", facts.os());
        putIfSet(json, "arch", facts.arch());
        putIfSet(json, "kernel", facts.kernel());
        return json;
    }

    static Map<String, Object> network(NetworkFactsService service) {
        Map<String, Object> json = new LinkedHashMap<>();
        if (service == null) {
            return json;
        }
        NetworkFacts facts;
        try {
            facts = service.networkFacts();
        } catch (RuntimeException e) {
            return json;
        }
        putIfSet(json, "hostname", facts.hostname());
        putIfSet(json, "ip_address", facts.ipAddress());
        putIfSet(json, "mac_address", facts.macAddress());
        putIfSet(json, "connection_type", facts.connectionType());
        return json;
    }

    private static void putIfSet(Map<String, Object> json, String name, Object value) {
        if (value != null) {
            json.put(name, value);
        }
    }
}
