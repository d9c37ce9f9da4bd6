package io.edgeflow.config.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** A proxy address as curl's https_proxy writes it, whose password is kept apart from the address. */
final class ProxyAddress {
    private ProxyAddress() {
    }

    /**
     * @param proxy a proxy address, {@code [http://][user[:password]@]host[:port]}
     * @return the address without its password and the password (decoded), or null if it holds no password
     */
    static String[] splitPassword(String proxy) {
        String text = proxy.strip();
        URI uri;
        try {
            uri = new URI(text.contains("://") ? text : "http://" + text);
        } catch (URISyntaxException e) {
            return null; // the provisioning bundle reports an unusable address, without the text
        }
        String userInfo = uri.getRawUserInfo();
        int colon = userInfo == null ? -1 : userInfo.indexOf(':');
        if (colon < 0) {
            return null;
        }
        String password = URLDecoder.decode(userInfo.substring(colon + 1), StandardCharsets.UTF_8);
        return new String[] {text.replace(userInfo + "@", userInfo.substring(0, colon) + "@"), password};
    }
}
