package org.eclipse.kura.configuration;

/**
 * Stand-in for Eclipse Kura's marker interface of the same name (org.eclipse.kura.api, package version 1.2.0 in
 * Kura 5.0 to 5.4), which is not on Maven Central: an empty interface, as Kura's is. Kura's configuration service
 * lists in its UI the services registered under this name that carry {@code service.pid} and
 * {@code kura.service.pid}. Compile-time only: never shipped (see this module's pom).
 */
public interface ConfigurableComponent {
}
