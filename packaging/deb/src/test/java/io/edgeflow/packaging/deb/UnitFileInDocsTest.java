package io.edgeflow.packaging.deb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** docs/running.md shows the systemd unit the package installs, word for word: one unit, not two that drift apart. */
class UnitFileInDocsTest {

    @Test
    void runningMdShowsThePackagedUnit() throws Exception {
        String unit = Files.readString(Path.of("src/deb/edgeflow.service"));
        String doc = Files.readString(Path.of("../../docs/running.md"));
        Matcher block = Pattern.compile("```ini\\n(# EdgeFlow gateway agent\\..*?)```", Pattern.DOTALL).matcher(doc);
        assertThat(block.find()).as("docs/running.md has an ```ini block starting with the unit's first line").isTrue();
        assertThat(block.group(1)).isEqualTo(unit);
    }
}
