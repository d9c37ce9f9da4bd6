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
     * @throws IOException if the cloud could not be reached or did not accept it; the caller retries
     */
    void report(String deploymentId, Map<String, Object> status) throws IOException;
}
