package io.edgeflow.inventory.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class MetatypeRangesTest {
    private static Map<String, Map<String, AttributeValues.Range>> read(String xml) throws Exception {
        Map<String, Map<String, AttributeValues.Range>> ranges = new HashMap<>();
        MetatypeRanges.read(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)), ranges);
        return ranges;
    }

    @Test
    void readsMinAndMaxAsBndWritesThem() throws Exception {
        // the shape bnd generates (bundles/tunnel's OSGI-INF/metatype/...TunnelConfiguration.xml)
        String xml = """
                <?xml version="1.0" encoding="UTF-8" standalone="no"?>
                <metatype:MetaData xmlns:metatype="http://www.osgi.org/xmlns/metatype/v1.4.0" localization="x">
                  <OCD id="io.edgeflow.tunnel" name="EdgeFlow tunnel">
                    <AD id="heartbeat_interval_seconds" type="Integer" default="30" min="1" max="3600"/>
                    <AD id="backoff_base_ms" type="Integer" default="1000" min="1"/>
                    <AD id="url" type="String" default=""/>
                  </OCD>
                  <Designate pid="io.edgeflow.tunnel"><Object ocdref="io.edgeflow.tunnel"/></Designate>
                </metatype:MetaData>
                """;
        Map<String, AttributeValues.Range> tunnel = read(xml).get("io.edgeflow.tunnel");
        assertThat(tunnel).containsOnlyKeys("heartbeat_interval_seconds", "backoff_base_ms");
        assertThat(tunnel.get("heartbeat_interval_seconds")).isEqualTo(new AttributeValues.Range("1", "3600"));
        assertThat(tunnel.get("backoff_base_ms")).isEqualTo(new AttributeValues.Range("1", null));
    }

    @Test
    void refusesADoctype() {
        String xml = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
                + "<MetaData><OCD id=\"a\"><AD id=\"b\" min=\"&e;\"/></OCD></MetaData>";
        assertThatThrownBy(() -> read(xml)).isInstanceOf(org.xml.sax.SAXException.class);
    }
}
