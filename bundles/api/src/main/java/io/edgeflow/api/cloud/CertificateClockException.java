package io.edgeflow.api.cloud;

import java.security.cert.CertificateException;

/**
 * The cloud's certificate is refused only because of the device's clock: it is not valid yet, or has expired,
 * by this clock, and the chain verifies otherwise. The message names the clock and how far off it is at least.
 * Thrown (as a cause) by the connections of a {@link CloudEndpoint}, so that its users can tell it apart.
 *
 * @since 1.1
 */
public class CertificateClockException extends CertificateException {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong with the clock, for a person */
    public CertificateClockException(String message) {
        super(message);
    }
}
