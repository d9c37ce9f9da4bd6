package io.edgeflow.tunnel.internal;

import java.time.Duration;

/** Carries out the cloud's requests on the device's local API. */
interface LocalApi {
    /**
     * @param request the request, already checked
     * @param timeout how long it may take in all
     * @param maxBodyBytes largest answer body accepted
     * @return the local API's answer, whatever its status
     * @throws LocalApiException if there is no answer
     */
    LocalResponse execute(LocalRequest request, Duration timeout, int maxBodyBytes) throws LocalApiException;
}
