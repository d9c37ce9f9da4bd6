package io.edgeflow.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;

import org.junit.jupiter.api.Test;
import org.osgi.framework.Version;

import io.edgeflow.launcher.RestartRule.Action;
import io.edgeflow.launcher.RestartRule.Installed;

class RestartRuleTest {
    private static final String OLD_JAR = "digest-of-the-old-jar";
    private static final String NEW_JAR = "digest-of-the-new-jar";

    private static ShippedBundle shipped(String version, String digest) {
        return new ShippedBundle("io.edgeflow.x", Version.parseVersion(version), digest, 10, false,
                () -> new ByteArrayInputStream(new byte[0]));
    }

    /** What the launcher recorded when it installed 1.0.0 of the old jar as bundle 7 at time 1000. */
    private static LauncherState.Entry recorded() {
        return new LauncherState.Entry(Version.parseVersion("1.0.0"), OLD_JAR, 7, 1000);
    }

    private static Installed asLeft() {
        return new Installed(7, Version.parseVersion("1.0.0"), 1000);
    }

    private static Installed updatedAtRunTime(String version) {
        return new Installed(7, Version.parseVersion(version), 2000);
    }

    @Test
    void aFirstStartInstallsAndARestartChangesNothing() {
        assertThat(RestartRule.decide(shipped("1.0.0", OLD_JAR), null, null)).isEqualTo(Action.INSTALL);
        assertThat(RestartRule.decide(shipped("1.0.0", OLD_JAR), recorded(), asLeft())).isEqualTo(Action.NOTHING);
    }

    @Test
    void whatWasChangedAtRunTimeStaysSoWithTheSameJar() {
        assertThat(RestartRule.decide(shipped("1.0.0", OLD_JAR), recorded(), updatedAtRunTime("2.0.0")))
                .isEqualTo(Action.NOTHING);
        assertThat(RestartRule.decide(shipped("1.0.0", OLD_JAR), recorded(), updatedAtRunTime("0.5.0")))
                .isEqualTo(Action.NOTHING);
        assertThat(RestartRule.decide(shipped("1.0.0", OLD_JAR), recorded(), null))
                .isEqualTo(Action.STAY_UNINSTALLED);
        // uninstalled and installed again at run time: another bundle id
        assertThat(RestartRule.decide(shipped("1.0.0", OLD_JAR), recorded(), new Installed(40,
                Version.parseVersion("1.0.0"), 1000))).isEqualTo(Action.NOTHING);
    }

    @Test
    void aNewJarReplacesItsBundlesUnlessOneWasUpdatedAtRunTimeToAHigherVersion() {
        assertThat(RestartRule.decide(shipped("1.1.0", NEW_JAR), recorded(), asLeft())).isEqualTo(Action.UPDATE);
        assertThat(RestartRule.decide(shipped("1.0.0", NEW_JAR), recorded(), asLeft())).isEqualTo(Action.UPDATE);
        assertThat(RestartRule.decide(shipped("1.1.0", NEW_JAR), recorded(), updatedAtRunTime("2.0.0")))
                .isEqualTo(Action.KEEP_NEWER);
        assertThat(RestartRule.decide(shipped("1.1.0", NEW_JAR), recorded(), updatedAtRunTime("1.0.5")))
                .isEqualTo(Action.UPDATE);
        assertThat(RestartRule.decide(shipped("1.1.0", NEW_JAR), recorded(), updatedAtRunTime("1.1.0")))
                .isEqualTo(Action.UPDATE);
        assertThat(RestartRule.decide(shipped("1.1.0", NEW_JAR), recorded(), null))
                .isEqualTo(Action.STAY_UNINSTALLED);
    }

    @Test
    void anOlderJarDowngradesOnlyWhatItShippedItselfAndSaysSo() {
        assertThat(RestartRule.decide(shipped("0.9.0", NEW_JAR), recorded(), asLeft())).isEqualTo(Action.DOWNGRADE);
        assertThat(RestartRule.decide(shipped("0.9.0", NEW_JAR), recorded(), updatedAtRunTime("1.0.0")))
                .isEqualTo(Action.KEEP_NEWER);
    }

    @Test
    void withoutARecordTheHigherVersionWins() {
        // storage from another launcher (bnd's), or a record that could not be read
        assertThat(RestartRule.decide(shipped("1.0.0", NEW_JAR), null, asLeft())).isEqualTo(Action.UPDATE);
        assertThat(RestartRule.decide(shipped("1.0.0", NEW_JAR), null, updatedAtRunTime("2.0.0")))
                .isEqualTo(Action.KEEP_NEWER);
    }
}
