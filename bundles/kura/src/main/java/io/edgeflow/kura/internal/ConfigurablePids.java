package io.edgeflow.kura.internal;

import java.util.ArrayList;
import java.util.List;

import org.osgi.framework.Bundle;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * The PIDs of one bundle that Kura's configuration UI can show. Kura 5's ConfigurationService (its
 * ComponentMetaTypeBundleTracker and ComponentUtil) asks the MetaTypeService for a bundle's PIDs, then parses the
 * bundle entry {@code OSGI-INF/metatype/<pid>.xml} itself and takes the OCD whose id is the PID: a metatype in a file
 * of another name, or under another OCD id, is invisible to it even though the MetaTypeService serves it.
 *
 * @param listed the PIDs Kura can show, in the metatype's order
 * @param unreadable the PIDs with a metatype that Kura cannot read, each with the reason
 */
record ConfigurablePids(List<String> listed, List<String> unreadable) {
    static final String METATYPE_DIR = "OSGI-INF/metatype/";

    static ConfigurablePids of(Bundle bundle, MetaTypeInformation info) {
        List<String> listed = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        String[] pids = info == null ? null : info.getPids();
        for (String pid : pids == null ? new String[0] : pids) {
            String file = METATYPE_DIR + pid + ".xml";
            ObjectClassDefinition ocd = ocd(info, pid);
            if (bundle.getEntry(file) == null) {
                unreadable.add(pid + " (no " + file + ")");
            } else if (ocd == null || !pid.equals(ocd.getID())) {
                unreadable.add(pid + " (its OCD id is " + (ocd == null ? "missing" : ocd.getID()) + ", not the PID)");
            } else {
                listed.add(pid);
            }
        }
        return new ConfigurablePids(List.copyOf(listed), List.copyOf(unreadable));
    }

    private static ObjectClassDefinition ocd(MetaTypeInformation info, String pid) {
        try {
            return info.getObjectClassDefinition(pid, null);
        } catch (IllegalArgumentException noSuchPid) {
            return null;
        }
    }
}
