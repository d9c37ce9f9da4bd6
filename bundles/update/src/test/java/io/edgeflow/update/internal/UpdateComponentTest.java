package io.edgeflow.update.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.edgeflow.update.internal.DeploymentEngine.Acceptance;
import io.edgeflow.update.internal.DeploymentEngine.Outcome;

import org.junit.jupiter.api.Test;

/** The contract's answers to POST /api/v1/deployments, and the data directory. */
class UpdateComponentTest {
    final DeploymentRecord record = DeploymentRecord.accepted(DeploymentRequest.fromJson(TestArtifacts.deployment(
            "dep_1", 5, List.of(TestArtifacts.uninstall("io.edgeflow.extra"))), 60), Instant.EPOCH);

    @Test
    void eachOutcomeHasTheContractsStatusAndBody() {
        assertThat(UpdateComponent.answer(new Acceptance(Outcome.ACCEPTED, record, null)))
                .isEqualTo(new Deployments.Answer(202, Map.of("id", "dep_1", "state", "downloading")));
        Deployments.Answer known = UpdateComponent.answer(new Acceptance(Outcome.KNOWN, record, null));
        assertThat(known.status()).isEqualTo(200);
        assertThat(known.body()).containsEntry("id", "dep_1").containsKeys("state", "updated_at", "reason", "failed",
                "operations");
        Deployments.Answer busy = UpdateComponent.answer(new Acceptance(Outcome.IN_PROGRESS, null, "dep_0"));
        assertThat(busy.status()).isEqualTo(409);
        assertThat(busy.body()).containsEntry("error", "deployment_in_progress");
        assertThat((String) busy.body().get("message")).contains("dep_0");
        Deployments.Answer disabled = UpdateComponent.answer(new Acceptance(Outcome.DISABLED, null, null));
        assertThat(disabled.status()).isEqualTo(403);
        assertThat(disabled.body()).containsEntry("error", "updates_disabled");
        assertThat((String) disabled.body().get("message")).contains("EDGEFLOW_UPDATE_TRUSTED_KEYS");
    }

    @Test
    void malformedDeploymentsNameTheField() {
        assertThatThrownBy(() -> DeploymentRequest.fromJson(Map.of("id", "dep_1", "operations", List.of(Map.of(
                "action", "update", "symbolic_name", "a.b", "version", "1.0.0", "sha256", "XYZ", "size", 10,
                "signatures", List.of()))), 60)).hasMessageContaining("operations[1].sha256");
        assertThatThrownBy(() -> DeploymentRequest.fromJson(Map.of("id", "dep 1", "operations", List.of()), 60))
                .hasMessageContaining("id");
        assertThatThrownBy(() -> DeploymentRequest.fromJson(Map.of("id", "dep_1", "operations", List.of()), 60))
                .hasMessageContaining("operations");
        assertThatThrownBy(() -> DeploymentRequest.fromJson(Map.of("id", "dep_1", "health_timeout_seconds", 0,
                "operations", List.of(TestArtifacts.uninstall("a.b"))), 60))
                .hasMessageContaining("health_timeout_seconds");
        assertThatThrownBy(() -> DeploymentRequest.fromJson(Map.of("id", "dep_1", "operations", List.of(
                TestArtifacts.uninstall("a.b"), TestArtifacts.uninstall("a.b"))), 60))
                .hasMessageContaining("more than once");
    }

    @Test
    void theDataDirectoryIsTheConfiguredOneElseTheLaunchersElseTheDefault() {
        assertThat(UpdateComponent.dataDir("/srv/ef", "/tmp/l")).isEqualTo(Path.of("/srv/ef"));
        assertThat(UpdateComponent.dataDir(" ", "/tmp/l")).isEqualTo(Path.of("/tmp/l"));
        assertThat(UpdateComponent.dataDir(null, null)).isEqualTo(Path.of("/var/lib/edgeflow"));
        assertThatThrownBy(() -> UpdateComponent.dataDir("relative", null)).hasMessageContaining("data_dir");
    }
}
