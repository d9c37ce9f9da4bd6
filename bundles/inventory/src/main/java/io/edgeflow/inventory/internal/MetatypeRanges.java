package io.edgeflow.inventory.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import org.osgi.framework.Bundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * The {@code min} and {@code max} of each attribute, read from a bundle's metatype XML
 * ({@code OSGI-INF/metatype/*.xml}): the metatype service's Java API has no getter for them (only
 * {@code validate}, which applies them), and the inventory shows them. By OCD id, then attribute id.
 */
final class MetatypeRanges {
    private static final Logger LOG = LoggerFactory.getLogger(MetatypeRanges.class);

    private MetatypeRanges() {
    }

    /**
     * @param bundle the bundle whose metatype to read
     * @return ranges by OCD id and attribute id; only attributes with a {@code min} or {@code max}
     */
    static Map<String, Map<String, AttributeValues.Range>> of(Bundle bundle) {
        Map<String, Map<String, AttributeValues.Range>> ranges = new HashMap<>();
        Enumeration<URL> entries = bundle.findEntries("OSGI-INF/metatype", "*.xml", false);
        if (entries == null) {
            return ranges;
        }
        for (URL url : Collections.list(entries)) {
            try (InputStream in = url.openStream()) {
                read(in, ranges);
            } catch (IOException | SAXException | ParserConfigurationException | RuntimeException e) {
                // the metatype service reports a broken file itself; here only the ranges go missing
                LOG.debug("Metatype {} of bundle {} not read for its ranges: {}", url.getPath(),
                        bundle.getSymbolicName(), e.toString());
            }
        }
        return ranges;
    }

    /**
     * Reads one metatype document into {@code ranges}.
     *
     * @param in the XML
     * @param ranges where the ranges go
     */
    static void read(InputStream in, Map<String, Map<String, AttributeValues.Range>> ranges)
            throws IOException, SAXException, ParserConfigurationException {
        Document document = parser().parse(in);
        NodeList all = document.getElementsByTagName("*");
        for (int i = 0; i < all.getLength(); i++) {
            Element ocd = (Element) all.item(i);
            if (!"OCD".equals(localName(ocd))) {
                continue;
            }
            String ocdId = ocd.getAttribute("id");
            for (Node child = ocd.getFirstChild(); child != null; child = child.getNextSibling()) {
                if (child instanceof Element ad && "AD".equals(localName(ad))) {
                    String min = ad.getAttribute("min");
                    String max = ad.getAttribute("max");
                    if (!min.isEmpty() || !max.isEmpty()) {
                        ranges.computeIfAbsent(ocdId, k -> new HashMap<>()).put(ad.getAttribute("id"),
                                new AttributeValues.Range(min.isEmpty() ? null : min, max.isEmpty() ? null : max));
                    }
                }
            }
        }
    }

    private static String localName(Element e) {
        String name = e.getTagName();
        int colon = name.indexOf(':');
        return colon < 0 ? name : name.substring(colon + 1);
    }

    private static DocumentBuilder parser() throws ParserConfigurationException {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newDefaultInstance();
        // the JDK's own parser (no lookup through the context class loader); a bundle's own file, but still:
        // no DTDs, no external entities
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        factory.setExpandEntityReferences(false);
        factory.setXIncludeAware(false);
        return factory.newDocumentBuilder();
    }
}
