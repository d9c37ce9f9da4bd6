package io.edgeflow.vault.internal;

import java.time.Instant;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Objects;

import io.edgeflow.api.provisioning.DeviceIdentity;

import org.osgi.annotation.bundle.Capability;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * Registers {@link DeviceIdentity} while the vault holds credentials that provisioning marked as confirmed,
 * and registers it anew when they change, so a component holding a static reference (the tunnel) restarts with
 * the new identity. Registered by hand (whether it exists depends on the vault's contents), so declared here as
 * a capability: resolvers that honour service requirements (Karaf's, bnd's) would otherwise refuse the tunnel.
 */
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=io.edgeflow.api.provisioning.DeviceIdentity",
        uses = DeviceIdentity.class)
public final class IdentityPublisher {
    private final BundleContext context;
    private ServiceRegistration<DeviceIdentity> registration;
    private Identity published;

    /** @param context the context to register with; null in unit tests, which look at {@link #current()} */
    public IdentityPublisher(BundleContext context) {
        this.context = context;
    }

    /**
     * @param deviceId the Device ID
     * @param expiresAt when its key expires, or null
     * @return true if the identity changed
     */
    synchronized boolean publish(String deviceId, Instant expiresAt) {
        Identity wanted = new Identity(deviceId, expiresAt);
        if (wanted.equals(published)) {
            return false;
        }
        withdraw();
        published = wanted;
        if (context != null) {
            Dictionary<String, Object> properties = new Hashtable<>();
            properties.put(DeviceIdentity.DEVICE_ID_PROPERTY, deviceId);
            registration = context.registerService(DeviceIdentity.class, wanted, properties);
        }
        return true;
    }

    /** Unregisters the identity, if registered. */
    synchronized void withdraw() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException e) {
                // already gone with the bundle
            }
            registration = null;
        }
        published = null;
    }

    /** @return the identity registered now, or null */
    synchronized DeviceIdentity current() {
        return published;
    }

    /** The registered service: a value. */
    record Identity(String deviceId, Instant credentialsExpireAt) implements DeviceIdentity {
        Identity {
            Objects.requireNonNull(deviceId, "deviceId");
        }
    }
}
