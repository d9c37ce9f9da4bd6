package io.edgeflow.update.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The cloud side of a deployment: downloading artifacts and reporting states. {@link CloudLink} is the real one.
 */
interface Cloud {

    /**
     * Downloads an artifact into a file, resuming a partial file with {@code Range}.
     *
     * @param op the install or update
     * @param part the partial file (appended to); complete when this returns
     * @param maxBytes the most bytes accepted
     * @throws ArtifactRejected if the artifact is larger than allowed or than the operation says
     * @throws IOException if the download failed; a retry resumes from what is in {@code part}
     */
    void download(Operation op, Path part, long maxBytes) throws ArtifactRejected, IOException;

    /**
     * Reports a deployment's state.
     *
     * @param deploymentId the deployment
     * @param status {@code {"state", "reason", "failed"}}
     * @throws Refused if the cloud answered that it will never accept this report (for example the deployment is
     *         gone); the caller does not send it again
     * @throws IOException if the cloud could not be reached or did not accept it for now; the caller retries
     */
    void report(String deploymentId, Map<String, Object> status) throws IOException;

    /** The cloud's answer to a report it will never accept: 400, 404, 409, 410 or 422. */
    final class Refused extends IOException {
        private static final long serialVersionUID = 1L;

        /** @param status the cloud's HTTP status */
        Refused(int status) {
            super("the cloud refused it (HTTP " + status + ")");
        }

        /** @return true if an answer with this status means the same report will never be accepted */
        static boolean isFinal(int status) {
            return status == 400 || status == 404 || status == 409 || status == 410 || status == 422;
        }
    }
}
