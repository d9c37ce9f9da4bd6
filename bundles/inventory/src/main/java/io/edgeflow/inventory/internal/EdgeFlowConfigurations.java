package io.edgeflow.inventory.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import io.edgeflow.http.json.JsonServlet;

import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * EdgeFlow's configuration as the local API shows and changes it: every PID under {@code io.edgeflow.} that a
 * bundle's metatype describes or that Config Admin holds, with its metatype and its current values (secrets only
 * as set or not, see {@link SecretProperties}), and changes to it checked against the metatype before anything is
 * written.
 */
final class EdgeFlowConfigurations {
    /** The PIDs shown and changed: EdgeFlow's own. */
    static final String PID_PREFIX = "io.edgeflow.";
    private static final Pattern PID = Pattern.compile("io\\.edgeflow\\.[A-Za-z0-9._~-]{1,200}");
    private static final String FILTER = "(|(" + Constants.SERVICE_PID + "=" + PID_PREFIX + "*)("
            + ConfigurationAdmin.SERVICE_FACTORYPID + "=" + PID_PREFIX + "*))";
    /** Properties Config Admin sets itself; never shown as the configuration's own, never set through the API. */
    private static final Set<String> ADMIN_PROPERTIES = Set.of(Constants.SERVICE_PID,
            ConfigurationAdmin.SERVICE_FACTORYPID, ConfigurationAdmin.SERVICE_BUNDLELOCATION);

    /**
     * What a bundle's metatype says about one PID (or factory PID).
     *
     * @param pid the PID or factory PID
     * @param factory true for a factory PID
     * @param bundle the bundle whose metatype describes it
     * @param ocd its object class definition
     * @param ranges the min/max of its attributes, by attribute id
     */
    record Designation(String pid, boolean factory, Bundle bundle, ObjectClassDefinition ocd,
            Map<String, AttributeValues.Range> ranges) {
    }

    /**
     * The result of a change.
     *
     * @param view the PID as it is now
     * @param changed false if the values were already the ones sent (nothing was written)
     */
    record Update(Map<String, Object> view, boolean changed) {
    }

    private record CachedRanges(long lastModified, Map<String, Map<String, AttributeValues.Range>> ranges) {
    }

    private final ConfigurationAdmin admin;
    private final MetaTypeService metatype;
    private final Supplier<Bundle[]> bundles;
    private final Function<Bundle, Map<String, Map<String, AttributeValues.Range>>> rangeReader;
    private final Map<Long, CachedRanges> ranges = new ConcurrentHashMap<>();

    /**
     * @param admin Config Admin
     * @param metatype the metatype service
     * @param bundles the installed bundles (whose metatype describes PIDs)
     */
    EdgeFlowConfigurations(ConfigurationAdmin admin, MetaTypeService metatype, Supplier<Bundle[]> bundles) {
        this(admin, metatype, bundles, MetatypeRanges::of);
    }

    /**
     * @param rangeReader reads a bundle's ranges by OCD id and attribute id ({@link MetatypeRanges#of(Bundle)})
     */
    EdgeFlowConfigurations(ConfigurationAdmin admin, MetaTypeService metatype, Supplier<Bundle[]> bundles,
            Function<Bundle, Map<String, Map<String, AttributeValues.Range>>> rangeReader) {
        this.admin = admin;
        this.metatype = metatype;
        this.bundles = bundles;
        this.rangeReader = rangeReader;
    }

    /** @return true if the text can name an EdgeFlow PID */
    static boolean isEdgeFlowPid(String pid) {
        return pid != null && PID.matcher(pid).matches();
    }

    /**
     * @return every EdgeFlow PID, sorted: {@code {"pid", "factory_pid", "name", "description", "bundle",
     *         "configured", "attributes", "other_properties"}}
     * @throws IOException if Config Admin cannot list its configurations
     */
    List<Map<String, Object>> all() throws IOException {
        Map<String, Designation> designations = designations();
        Map<String, Configuration> configurations = configurations();
        Set<String> pids = new TreeSet<>(configurations.keySet());
        designations.values().stream().filter(d -> !d.factory()).forEach(d -> pids.add(d.pid()));
        List<Map<String, Object>> views = new ArrayList<>();
        for (String pid : pids) {
            views.add(view(pid, configurations.get(pid), designations));
        }
        return views;
    }

    /**
     * @param pid the PID
     * @return the view of one PID, or null if it is not an EdgeFlow PID that a metatype describes or Config Admin
     *         holds
     * @throws IOException if Config Admin cannot list its configurations
     */
    Map<String, Object> one(String pid) throws IOException {
        if (!isEdgeFlowPid(pid)) {
            return null;
        }
        Map<String, Designation> designations = designations();
        Configuration configuration = configurations().get(pid);
        Designation designation = designations.get(pid);
        if (configuration == null && (designation == null || designation.factory())) {
            return null;
        }
        return view(pid, configuration, designations);
    }

    /**
     * Checks every property against the metatype, then applies all of them at once with
     * {@link Configuration#updateIfDifferent(Dictionary)}; a property that is not valid changes nothing. The other
     * properties of the configuration keep their values (secrets included); a property sent as null is removed,
     * so that its default applies. One change at a time, so that two callers never merge into the same old
     * properties and lose one of their changes.
     *
     * @param pid the PID
     * @param changes the properties to set, as read from JSON
     * @return the new view, or null if the PID is not known ({@link #one(String)})
     * @throws InvalidValueException for a property the metatype does not know or a value it does not accept
     * @throws IOException if Config Admin cannot read or write the configuration
     */
    synchronized Update update(String pid, Map<String, Object> changes) throws InvalidValueException, IOException {
        if (!isEdgeFlowPid(pid)) {
            return null;
        }
        Map<String, Designation> designations = designations();
        Configuration existing = configurations().get(pid);
        Designation designation = designationFor(pid, existing, designations);
        if (existing == null && (designation == null || designation.factory())) {
            return null;
        }
        if (designation == null) {
            String first = changes.keySet().stream().sorted().findFirst().orElse(null);
            if (first != null) {
                throw new InvalidValueException("unknown_property", first, "Configuration " + pid
                        + " has no metatype, so none of its properties can be set through the local API.");
            }
        }
        Map<String, AttributeDefinition> ads = attributes(designation);
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<String, Object> change : new TreeMap<>(changes).entrySet()) {
            String property = change.getKey();
            AttributeDefinition ad = ads.get(property);
            if (ad == null) {
                throw new InvalidValueException("unknown_property", property, "Property '"
                        + JsonServlet.printable(property) + "' is not part of " + pid + "'s metatype. "
                        + "Nothing was changed.");
            }
            values.put(property, change.getValue() == null ? null
                    : AttributeValues.toConfigurationValue(pid, ad, designation.ranges().getOrDefault(property,
                            AttributeValues.Range.NONE), change.getValue()));
        }
        Configuration configuration = existing != null ? existing : admin.getConfiguration(pid, "?");
        Dictionary<String, Object> current = configuration.getProperties();
        Hashtable<String, Object> properties = new Hashtable<>();
        if (current != null) {
            for (String key : Collections.list(current.keys())) {
                properties.put(key, current.get(key));
            }
        }
        values.forEach((key, value) -> {
            if (value == null) {
                properties.remove(key);
            } else {
                properties.put(key, value);
            }
        });
        boolean changed = configuration.updateIfDifferent(properties);
        Map<String, Object> view = view(pid, configuration, designations);
        return new Update(view, changed);
    }

    private Map<String, Object> view(String pid, Configuration configuration, Map<String, Designation> designations) {
        Designation designation = designationFor(pid, configuration, designations);
        Dictionary<String, Object> properties = configuration == null ? null : configuration.getProperties();
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("pid", pid);
        view.put("factory_pid", configuration == null ? null : configuration.getFactoryPid());
        ObjectClassDefinition ocd = designation == null ? null : designation.ocd();
        view.put("name", ocd == null ? null : ocd.getName());
        view.put("description", ocd == null ? null : ocd.getDescription());
        view.put("bundle", designation == null ? null : designation.bundle().getSymbolicName());
        view.put("configured", properties != null);
        List<Map<String, Object>> attributes = new ArrayList<>();
        Map<String, AttributeDefinition> ads = attributes(designation);
        for (AttributeDefinition ad : ads.values()) {
            attributes.add(attribute(ad, designation.ranges().get(ad.getID()),
                    properties == null ? null : properties.get(ad.getID())));
        }
        view.put("attributes", attributes);
        List<Map<String, Object>> others = new ArrayList<>();
        if (properties != null) {
            for (String key : new TreeSet<>(Collections.list(properties.keys()))) {
                if (!ads.containsKey(key) && !ADMIN_PROPERTIES.contains(key)) {
                    Map<String, Object> other = new LinkedHashMap<>();
                    other.put("id", key);
                    boolean secret = SecretProperties.isSecretName(key);
                    other.put("secret", secret);
                    if (secret) {
                        other.put("set", isSet(properties.get(key)));
                    } else {
                        other.put("value", AttributeValues.toJson(properties.get(key)));
                    }
                    others.add(other);
                }
            }
        }
        view.put("other_properties", others);
        return view;
    }

    private static Map<String, Object> attribute(AttributeDefinition ad, AttributeValues.Range range, Object value) {
        boolean secret = SecretProperties.isSecret(ad.getID(), ad);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", ad.getID());
        json.put("name", ad.getName());
        json.put("description", ad.getDescription());
        json.put("type", AttributeValues.typeName(ad.getType()));
        json.put("cardinality", ad.getCardinality());
        if (!secret) {
            json.put("default", AttributeValues.defaultJson(ad));
        }
        String[] optionValues = ad.getOptionValues();
        if (optionValues != null && optionValues.length > 0) {
            String[] labels = ad.getOptionLabels();
            List<Map<String, Object>> options = new ArrayList<>();
            for (int i = 0; i < optionValues.length; i++) {
                Map<String, Object> option = new LinkedHashMap<>();
                option.put("value", optionValues[i]);
                option.put("label", labels != null && i < labels.length ? labels[i] : optionValues[i]);
                options.add(option);
            }
            json.put("options", options);
        }
        if (range != null && range.min() != null) {
            json.put("min", range.min());
        }
        if (range != null && range.max() != null) {
            json.put("max", range.max());
        }
        json.put("secret", secret);
        if (secret) {
            json.put("set", isSet(value));
        } else {
            json.put("value", AttributeValues.toJson(value));
        }
        return json;
    }

    /** A secret counts as set when it has a value that is not empty. */
    private static boolean isSet(Object value) {
        if (value == null) {
            return false;
        }
        if (value instanceof String s) {
            return !s.isEmpty();
        }
        if (value instanceof char[] c) {
            return c.length > 0;
        }
        if (value.getClass().isArray()) {
            return java.lang.reflect.Array.getLength(value) > 0;
        }
        if (value instanceof java.util.Collection<?> c) {
            return !c.isEmpty();
        }
        return true;
    }

    private static Map<String, AttributeDefinition> attributes(Designation designation) {
        Map<String, AttributeDefinition> ads = new LinkedHashMap<>();
        if (designation == null) {
            return ads;
        }
        AttributeDefinition[] all = designation.ocd().getAttributeDefinitions(ObjectClassDefinition.ALL);
        if (all != null) {
            for (AttributeDefinition ad : all) {
                ads.put(ad.getID(), ad);
            }
        }
        return ads;
    }

    private static Designation designationFor(String pid, Configuration configuration,
            Map<String, Designation> designations) {
        if (configuration != null && configuration.getFactoryPid() != null) {
            Designation factory = designations.get(configuration.getFactoryPid());
            return factory != null && factory.factory() ? factory : null;
        }
        Designation designation = designations.get(pid);
        return designation != null && !designation.factory() ? designation : null;
    }

    /** @return EdgeFlow's configurations by PID */
    private Map<String, Configuration> configurations() throws IOException {
        Configuration[] found;
        try {
            found = admin.listConfigurations(FILTER);
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException("the filter is a constant: " + FILTER, e);
        }
        Map<String, Configuration> byPid = new TreeMap<>();
        if (found != null) {
            for (Configuration c : found) {
                if (isEdgeFlowPid(c.getPid())) {
                    byPid.put(c.getPid(), c);
                }
            }
        }
        return byPid;
    }

    /** @return what the installed bundles' metatype says about EdgeFlow PIDs, by PID or factory PID */
    Map<String, Designation> designations() {
        Map<String, Designation> designations = new TreeMap<>();
        Set<Long> seen = new java.util.HashSet<>();
        for (Bundle bundle : bundles.get()) {
            seen.add(bundle.getBundleId());
            if (bundle.getState() == Bundle.UNINSTALLED) {
                continue;
            }
            MetaTypeInformation information;
            try {
                information = metatype.getMetaTypeInformation(bundle);
            } catch (RuntimeException e) {
                continue; // a bundle going away while we look
            }
            if (information == null) {
                continue;
            }
            add(designations, bundle, information, information.getPids(), false);
            add(designations, bundle, information, information.getFactoryPids(), true);
        }
        ranges.keySet().retainAll(seen);
        return designations;
    }

    private void add(Map<String, Designation> designations, Bundle bundle, MetaTypeInformation information,
            String[] pids, boolean factory) {
        if (pids == null) {
            return;
        }
        for (String pid : pids) {
            if (!isEdgeFlowPid(pid) || designations.containsKey(pid)) {
                continue;
            }
            ObjectClassDefinition ocd;
            try {
                ocd = information.getObjectClassDefinition(pid, null);
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (ocd != null) {
                Map<String, AttributeValues.Range> attributeRanges = rangesOf(bundle).getOrDefault(ocd.getID(),
                        Map.of());
                designations.put(pid, new Designation(pid, factory, bundle, ocd, attributeRanges));
            }
        }
    }

    private Map<String, Map<String, AttributeValues.Range>> rangesOf(Bundle bundle) {
        long lastModified = bundle.getLastModified();
        CachedRanges cached = ranges.get(bundle.getBundleId());
        if (cached == null || cached.lastModified() != lastModified) {
            cached = new CachedRanges(lastModified, rangeReader.apply(bundle));
            ranges.put(bundle.getBundleId(), cached);
        }
        return cached.ranges();
    }
}
