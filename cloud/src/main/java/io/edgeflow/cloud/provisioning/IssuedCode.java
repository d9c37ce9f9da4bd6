package io.edgeflow.cloud.provisioning;

import io.edgeflow.cloud.credentials.ProvisioningCode;
import io.edgeflow.cloud.store.CodeRecord;

/**
 * A code just created: the only time its full text exists.
 *
 * @param record what was stored
 * @param code the code; a secret
 */
public record IssuedCode(CodeRecord record, ProvisioningCode code) {
    @Override
    public String toString() {
        return "IssuedCode[" + code.masked() + "]";
    }
}
