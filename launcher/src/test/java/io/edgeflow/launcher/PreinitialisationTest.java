package io.edgeflow.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PreinitialisationTest {
    /**
     * Every step must work on the JVMs the agent supports: a step that fails (a renamed algorithm, a parser the JDK no
     * longer has) would silently stop saving its share of the start-up.
     */
    @Test
    void everyStepWorksOnThisJvm() {
        assertEquals(0, Preinitialisation.run());
    }
}
