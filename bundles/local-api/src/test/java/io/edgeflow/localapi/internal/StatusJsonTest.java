package io.edgeflow.localapi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import io.edgeflow.api.provisioning.ProvisioningService;
import io.edgeflow.api.provisioning.ProvisioningState;
import io.edgeflow.api.status.SaasState;
import io.edgeflow.api.status.SaasStatus;
import io.edgeflow.api.status.StatusError;
import io.edgeflow.api.tunnel.TunnelState;
import io.edgeflow.api.vault.CredentialVault;
import io.edgeflow.api.vault.DeviceCredentials;
import io.edgeflow.api.vault.VaultState;
import io.edgeflow.api.vault.VaultStatus;
import io.edgeflow.http.json.JsonServlet;

import org.junit.jupiter.api.Test;

class StatusJsonTest {

    @Test
    void theDocumentedOnlineExampleSerialisesAsDocumented() throws Exception {
        SaasStatus online = new SaasStatus(true, "dev_abc123xyz", SaasState.ONLINE,
                Instant.parse("2026-02-21T12:00:00.123Z"), null);
        String json = new String(JsonServlet.JSON.writePretty(StatusServlet.toJson(online)), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(json.replaceAll("\\s", "")).isEqualTo(
                "{\"connected\":true,\"device_id\":\"dev_abc123xyz\",\"status\":\"online\","
                        + "\"last_heartbeat\":\"2026-02-21T12:00:00Z\",\"error\":null,\"saas_url\":null,"
                        + "\"credentials_expire_at\":null,\"clock_skew_seconds\":null}");
    }

    @Test
    void anErrorIsAnObjectWithCodeAndMessage() {
        Map<String, Object> json = StatusServlet.toJson(new SaasStatus(false, null, SaasState.ERROR, null,
                new StatusError("credentials_unreadable", "The credential vault failed authentication.",
                        Instant.parse("2026-11-28T10:00:00Z"))));
        assertThat(json.get("status")).isEqualTo("error");
        assertThat(json.get("error")).isEqualTo(Map.of("code", "credentials_unreadable", "message",
                "The credential vault failed authentication.", "since", "2026-11-28T10:00:00Z"));
    }

    @Test
    void provisioningsOwnStateSaysWhetherSaasIsOnAndWhere() {
        assertThat(servlet(false, VaultStatus.empty()).currentStatus().state()).isEqualTo(SaasState.DISABLED);
        StatusServlet servlet = servlet(false, VaultStatus.empty());
        servlet.provisioning = provisioning(true);
        assertThat(servlet.currentStatus().state()).isEqualTo(SaasState.UNPROVISIONED);
        assertThat(servlet.currentStatus().saasUrl()).isEqualTo("saas.edgx.cloud:443");
    }

    @Test
    void withoutProvisioningTheVaultAndTheTunnelDecide() {
        StatusServlet servlet = new StatusServlet();
        servlet.vault = new FixedVault(new VaultStatus(VaultState.STORED, "dev_abc123xyz", null, false, null));
        assertThat(servlet.currentStatus().state()).isEqualTo(SaasState.PROVISIONED);
        Instant beat = Instant.parse("2026-12-03T10:00:00Z");
        servlet.tunnel = () -> new TunnelState(TunnelState.Phase.ONLINE, beat, beat, null);
        assertThat(servlet.currentStatus()).isEqualTo(
                new SaasStatus(true, "dev_abc123xyz", SaasState.ONLINE, beat, null, null, null, null));
        servlet.vault = null;
        assertThat(servlet.currentStatus().error().code()).as("no vault runs").isEqualTo("vault_io_error");
    }

    @Test
    void storedCredentialsShowTheirDeviceIdAndExpiryAndTheDeviceIsProvisioned() {
        StatusServlet servlet = servlet(true, new VaultStatus(VaultState.STORED, "dev_abc123xyz",
                Instant.parse("2027-02-21T00:00:00Z"), false, null));

        Map<String, Object> json = StatusServlet.toJson(servlet.currentStatus());
        assertThat(json.get("status")).isEqualTo("provisioned");
        assertThat(json.get("device_id")).isEqualTo("dev_abc123xyz");
        assertThat(json.get("credentials_expire_at")).isEqualTo("2027-02-21T00:00:00Z");
        assertThat(json.get("saas_url")).isEqualTo("saas.edgx.cloud:443");
        assertThat(json.get("connected")).isEqualTo(false);
        assertThat(json.get("error")).isNull();

        servlet.provisioning = provisioning(false);
        assertThat(StatusServlet.toJson(servlet.currentStatus())).containsEntry("status", "disabled")
                .containsEntry("device_id", "dev_abc123xyz");
    }

    @Test
    void anEmptyVaultIsUnprovisioned() {
        assertThat(servlet(true, VaultStatus.empty()).currentStatus()).isEqualTo(
                new SaasStatus(false, null, SaasState.UNPROVISIONED, null, null, "saas.edgx.cloud:443", null, null));
        assertThat(servlet(false, VaultStatus.empty()).currentStatus().state()).isEqualTo(SaasState.DISABLED);
    }

    @Test
    void aVaultThatFailsAuthenticationIsAnErrorWithCredentialsUnreadable() {
        StatusServlet servlet = servlet(true, VaultStatus.corrupt("the vault was written on another machine"));

        Map<String, Object> json = StatusServlet.toJson(servlet.currentStatus());
        assertThat(json.get("status")).isEqualTo("error");
        assertThat(json.get("device_id")).isNull();
        @SuppressWarnings("unchecked")
        Map<String, Object> error = (Map<String, Object>) json.get("error");
        assertThat(error.get("code")).isEqualTo("credentials_unreadable");
        assertThat((String) error.get("message")).contains("cannot be read")
                .contains("the vault was written on another machine").contains("Provision the device again");
        // since: when the error was first seen, kept while it lasts
        assertThat(error.get("since")).isNotNull();
        Instant first = servlet.currentStatus().error().since();
        assertThat(servlet.currentStatus().error().since()).isEqualTo(first);

        // switched off, the state says so, and the error is still there to see
        servlet.provisioning = provisioning(false);
        assertThat(servlet.currentStatus().state()).isEqualTo(SaasState.DISABLED);
        assertThat(servlet.currentStatus().error().code()).isEqualTo("credentials_unreadable");
    }

    @Test
    void aVaultThatCannotBeReadIsAnIoError() {
        SaasStatus status = servlet(true, VaultStatus.unavailable("permission denied")).currentStatus();

        assertThat(status.state()).isEqualTo(SaasState.ERROR);
        assertThat(status.error().code()).isEqualTo("vault_io_error");
        assertThat(status.error().message()).contains("permission denied");
    }

    @Test
    void aVaultThatThrowsIsReportedNotPassedOnAsA500() {
        StatusServlet servlet = servlet(true, null);
        servlet.vault = new FixedVault(null) {
            @Override
            public VaultStatus status() {
                throw new IllegalStateException("token removed");
            }
        };

        SaasStatus status = servlet.currentStatus();
        assertThat(status.state()).isEqualTo(SaasState.ERROR);
        assertThat(status.error().code()).isEqualTo("vault_io_error");
        assertThat(status.error().message()).contains("IllegalStateException").doesNotContain("token removed");
    }

    private static StatusServlet servlet(boolean enabled, VaultStatus vaultStatus) {
        StatusServlet servlet = new StatusServlet();
        servlet.provisioning = provisioning(enabled);
        servlet.vault = vaultStatus == null ? null : new FixedVault(vaultStatus);
        return servlet;
    }

    /** @return a vault that holds the credentials of this device, without expiry */
    static CredentialVault storedVault(String deviceId) {
        return new FixedVault(new VaultStatus(VaultState.STORED, deviceId, null, false, null));
    }

    /** A vault that only reports a status; the status API never reads or writes credentials. */
    private static class FixedVault implements CredentialVault {
        private final VaultStatus status;

        FixedVault(VaultStatus status) {
            this.status = status;
        }

        @Override
        public VaultStatus status() {
            return status;
        }

        @Override
        public Optional<DeviceCredentials> load() {
            throw new AssertionError("the status API must not load credentials");
        }

        @Override
        public void store(DeviceCredentials credentials) {
            throw new AssertionError();
        }

        @Override
        public void clear() {
            throw new AssertionError();
        }

        @Override
        public Optional<String> pendingRequestId() {
            throw new AssertionError();
        }

        @Override
        public void storePendingRequestId(String requestId) {
            throw new AssertionError();
        }

        @Override
        public void markConfirmed(String deviceId) {
        }

        @Override
        public void withdrawConfirmation() {
        }

        @Override
        public void clearPendingRequestId() {
            throw new AssertionError();
        }
    }

    /** Provisioning idle (or SaaS disabled) with the default cloud, as its bundle reports it. */
    static ProvisioningService provisioning(boolean enabled) {
        ProvisioningState state = new ProvisioningState(enabled ? ProvisioningState.Phase.IDLE
                : ProvisioningState.Phase.DISABLED, "saas.edgx.cloud:443", null, null, null);
        return new ProvisioningService() {
            @Override
            public DeviceCredentials provision(String provisioningCode) {
                throw new AssertionError("the status API must not provision");
            }

            @Override
            public ProvisioningState state() {
                return state;
            }
        };
    }

    @Test
    void aRefusedConfigurationValueIsTheErrorWhileTheLinkHasNone() {
        io.edgeflow.api.status.StatusError refused = new io.edgeflow.api.status.StatusError("invalid_configuration",
                "io.edgeflow.tunnel: heartbeat_interval_seconds = 0 is out of range (1..3600); running with 30",
                java.time.Instant.parse("2026-12-03T10:00:00Z"));
        io.edgeflow.api.status.ConfigurationProblems none = java.util.List::of;
        io.edgeflow.api.status.ConfigurationProblems tunnel = () -> java.util.List.of(refused);
        io.edgeflow.api.status.ConfigurationProblems broken = () -> {
            throw new IllegalStateException("stopping");
        };
        SaasStatus online = new SaasStatus(true, "dev_x", SaasState.ONLINE, null, null, "saas.edgx.cloud:443", null, 0L);
        SaasStatus shown = StatusServlet.compose(online, java.util.List.of(none, broken, tunnel));
        assertThat(shown.state()).isEqualTo(SaasState.ONLINE);
        assertThat(shown.connected()).isTrue();
        assertThat(shown.error()).isEqualTo(refused);
        assertThat(StatusServlet.toJson(shown).get("error")).asString().contains("invalid_configuration",
                "io.edgeflow.tunnel", "heartbeat_interval_seconds");
        // the link's own error comes first
        io.edgeflow.api.status.StatusError down = new io.edgeflow.api.status.StatusError("cloud_unreachable", "no");
        SaasStatus offline = new SaasStatus(false, "dev_x", SaasState.OFFLINE, null, down, null, null, null);
        assertThat(StatusServlet.compose(offline, java.util.List.of(tunnel)).error()).isEqualTo(down);
        assertThat(StatusServlet.compose(online, java.util.List.of(none)).error()).isNull();

        // the servlet composes what is bound
        StatusServlet servlet = servlet(false, VaultStatus.empty());
        servlet.configurations = java.util.List.of(tunnel);
        assertThat(servlet.currentStatus().error()).isEqualTo(refused);
        assertThat(servlet.currentStatus().state()).isEqualTo(SaasState.DISABLED);
    }
}
