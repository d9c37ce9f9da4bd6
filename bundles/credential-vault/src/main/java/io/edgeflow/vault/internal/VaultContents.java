package io.edgeflow.vault.internal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Arrays;
import java.util.BitSet;

import io.edgeflow.api.vault.DeviceCredentials;
import io.edgeflow.api.vault.VaultException;
import io.edgeflow.vault.internal.UnreadableVaultException.Problem;

/**
 * What a vault holds, and its plaintext encoding (the part that is encrypted). The encoding is a
 * sequence of fields, each {@code tag (1 byte) | length (2 bytes, big-endian) | value}:
 * <pre>
 * tag value
 *   1 Device ID, UTF-8
 *   2 API key, UTF-8
 *   3 expiry: epoch seconds (8 bytes) and nanoseconds (4 bytes)
 *   4 cloud URL, UTF-8
 *   5 request_id of a registration waiting to be confirmed, ASCII
 * </pre>
 * Device ID and API key come together or not at all. A field appears at most once. Unknown tags are
 * skipped, so a later minor revision can add optional fields without a new format version.
 * <p>
 * Holds the credentials it was given (not a copy); {@link #destroy()} wipes them.
 */
final class VaultContents {
    static final int TAG_DEVICE_ID = 1;
    static final int TAG_API_KEY = 2;
    static final int TAG_EXPIRES_AT = 3;
    static final int TAG_SAAS_URL = 4;
    static final int TAG_PENDING_REQUEST_ID = 5;

    static final int MAX_DEVICE_ID = 256;
    static final int MAX_API_KEY = 1024;
    static final int MAX_SAAS_URL = 2048;
    static final int MAX_REQUEST_ID = 256;

    static final VaultContents EMPTY = new VaultContents(null, null);

    private final DeviceCredentials credentials;
    private final String pendingRequestId;

    /**
     * @param credentials the credentials, or null; this object takes them over
     * @param pendingRequestId the pending request id, or null
     */
    VaultContents(DeviceCredentials credentials, String pendingRequestId) {
        this.credentials = credentials;
        this.pendingRequestId = pendingRequestId;
    }

    /** @return the credentials (not a copy), or null */
    DeviceCredentials credentials() {
        return credentials;
    }

    /** @return the pending request id, or null */
    String pendingRequestId() {
        return pendingRequestId;
    }

    boolean isEmpty() {
        return credentials == null && pendingRequestId == null;
    }

    VaultContents withCredentials(DeviceCredentials newCredentials) {
        return new VaultContents(newCredentials, pendingRequestId);
    }

    VaultContents withPendingRequestId(String requestId) {
        return new VaultContents(credentials, requestId);
    }

    /** Wipes the API key held by these contents. */
    void destroy() {
        if (credentials != null) {
            credentials.destroy();
        }
    }

    @Override
    public String toString() {
        // The credentials mask their key; the request id is not shown.
        return "VaultContents[credentials=" + credentials + ", pendingRequest=" + (pendingRequestId != null) + "]";
    }

    /**
     * Checks credentials before they are stored.
     *
     * @param credentials the credentials
     * @throws VaultException {@code invalid_credentials}, naming the field but never the API key
     */
    static void validate(DeviceCredentials credentials) throws VaultException {
        String deviceId = credentials.deviceId();
        if (deviceId.isBlank() || deviceId.length() > MAX_DEVICE_ID || !printableAscii(deviceId)) {
            throw new VaultException(VaultException.INVALID_CREDENTIALS,
                    "the Device ID must be 1 to " + MAX_DEVICE_ID + " printable ASCII characters");
        }
        char[] key = credentials.apiKey();
        try {
            if (key.length == 0 || key.length > MAX_API_KEY) {
                throw new VaultException(VaultException.INVALID_CREDENTIALS,
                        "the API key must be 1 to " + MAX_API_KEY + " characters");
            }
            for (char c : key) {
                if (Character.isISOControl(c) || Character.isSurrogate(c)) {
                    throw new VaultException(VaultException.INVALID_CREDENTIALS,
                            "the API key contains control characters or unpaired surrogates");
                }
            }
        } finally {
            Arrays.fill(key, '\0');
        }
        String url = credentials.saasUrl();
        if (url != null && (url.length() > MAX_SAAS_URL || url.chars().anyMatch(Character::isISOControl))) {
            throw new VaultException(VaultException.INVALID_CREDENTIALS,
                    "the cloud URL must be at most " + MAX_SAAS_URL + " characters without control characters");
        }
    }

    /**
     * Checks a request id before it is stored.
     *
     * @param requestId the id
     * @throws VaultException {@code invalid_credentials}
     */
    static void validateRequestId(String requestId) throws VaultException {
        if (requestId == null || requestId.isEmpty() || requestId.length() > MAX_REQUEST_ID
                || !printableAscii(requestId)) {
            throw new VaultException(VaultException.INVALID_CREDENTIALS,
                    "the request id must be 1 to " + MAX_REQUEST_ID + " printable ASCII characters");
        }
    }

    private static boolean printableAscii(String s) {
        return s.chars().allMatch(c -> c > 0x20 && c < 0x7F);
    }

    /**
     * @return the plaintext encoding; the caller wipes it
     */
    byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        byte[] key = null;
        try {
            if (credentials != null) {
                field(out, TAG_DEVICE_ID, credentials.deviceId().getBytes(StandardCharsets.UTF_8));
                key = utf8(credentials);
                field(out, TAG_API_KEY, key);
                Instant expiry = credentials.expiresAt();
                if (expiry != null) {
                    field(out, TAG_EXPIRES_AT, ByteBuffer.allocate(12).putLong(expiry.getEpochSecond())
                            .putInt(expiry.getNano()).array());
                }
                if (credentials.saasUrl() != null) {
                    field(out, TAG_SAAS_URL, credentials.saasUrl().getBytes(StandardCharsets.UTF_8));
                }
            }
            if (pendingRequestId != null) {
                field(out, TAG_PENDING_REQUEST_ID, pendingRequestId.getBytes(StandardCharsets.US_ASCII));
            }
            return out.toByteArray();
        } finally {
            VaultKeys.wipe(key);
            // ByteArrayOutputStream grows by copying; its last buffer is wiped here, earlier ones
            // (a few hundred bytes at most) are left to the garbage collector.
            wipe(out);
        }
    }

    /**
     * @param plaintext the decrypted encoding; not kept, the caller wipes it
     * @return the contents
     * @throws UnreadableVaultException {@link Problem#MALFORMED} if the encoding is broken
     */
    static VaultContents decode(byte[] plaintext) throws UnreadableVaultException {
        ByteBuffer in = ByteBuffer.wrap(plaintext);
        BitSet seen = new BitSet(256);
        String deviceId = null;
        char[] apiKey = null;
        Instant expiresAt = null;
        String saasUrl = null;
        String requestId = null;
        try {
            while (in.hasRemaining()) {
                if (in.remaining() < 3) {
                    throw malformed("a field header is cut short");
                }
                int tag = in.get() & 0xFF;
                int length = in.getShort() & 0xFFFF;
                if (length > in.remaining()) {
                    throw malformed("field " + tag + " is longer than the contents");
                }
                if (seen.get(tag)) {
                    throw malformed("field " + tag + " appears twice");
                }
                seen.set(tag);
                int start = in.position();
                in.position(start + length);
                switch (tag) {
                    case TAG_DEVICE_ID -> deviceId = text(plaintext, start, length, tag);
                    case TAG_API_KEY -> apiKey = chars(plaintext, start, length);
                    case TAG_EXPIRES_AT -> expiresAt = instant(plaintext, start, length);
                    case TAG_SAAS_URL -> saasUrl = text(plaintext, start, length, tag);
                    case TAG_PENDING_REQUEST_ID -> requestId = text(plaintext, start, length, tag);
                    default -> {
                        // an optional field of a later minor revision: skipped
                    }
                }
            }
            if ((deviceId == null) != (apiKey == null)) {
                throw malformed("it holds a Device ID without an API key, or the reverse");
            }
            DeviceCredentials credentials = deviceId == null ? null
                    : new DeviceCredentials(deviceId, apiKey, expiresAt, saasUrl);
            return new VaultContents(credentials, requestId);
        } finally {
            if (apiKey != null) {
                Arrays.fill(apiKey, '\0');
            }
        }
    }

    private static void field(ByteArrayOutputStream out, int tag, byte[] value) {
        if (value.length > 0xFFFF) {
            throw new IllegalArgumentException("field " + tag + " is longer than 65535 bytes");
        }
        out.write(tag);
        out.write(value.length >>> 8);
        out.write(value.length & 0xFF);
        out.write(value, 0, value.length);
    }

    /** Encodes the API key without ever making it a String. */
    private static byte[] utf8(DeviceCredentials credentials) {
        char[] key = credentials.apiKey();
        ByteBuffer encoded = null;
        try {
            encoded = StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(key));
            byte[] bytes = new byte[encoded.remaining()];
            encoded.get(bytes);
            return bytes;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("the API key is not valid Unicode");
        } finally {
            Arrays.fill(key, '\0');
            if (encoded != null && encoded.hasArray()) {
                Arrays.fill(encoded.array(), (byte) 0);
            }
        }
    }

    /** Decodes the API key without ever making it a String. */
    private static char[] chars(byte[] bytes, int start, int length) throws UnreadableVaultException {
        CharBuffer decoded = null;
        try {
            decoded = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, start, length));
            char[] chars = new char[decoded.remaining()];
            decoded.get(chars);
            return chars;
        } catch (CharacterCodingException e) {
            throw malformed("the API key is not valid UTF-8");
        } finally {
            if (decoded != null && decoded.hasArray()) {
                Arrays.fill(decoded.array(), '\0');
            }
        }
    }

    private static String text(byte[] bytes, int start, int length, int tag) throws UnreadableVaultException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, start, length))
                    .toString();
        } catch (CharacterCodingException e) {
            throw malformed("field " + tag + " is not valid UTF-8");
        }
    }

    private static Instant instant(byte[] bytes, int start, int length) throws UnreadableVaultException {
        if (length != 12) {
            throw malformed("the expiry field has " + length + " bytes, expected 12");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes, start, length);
        try {
            return Instant.ofEpochSecond(b.getLong(), b.getInt());
        } catch (DateTimeException | ArithmeticException e) {
            throw malformed("the expiry is out of range");
        }
    }

    private static UnreadableVaultException malformed(String detail) {
        return new UnreadableVaultException(Problem.MALFORMED,
                "the vault authenticates but its contents are malformed: " + detail);
    }

    /** Overwrites the buffer of a ByteArrayOutputStream by writing zeros over it from the start. */
    private static void wipe(ByteArrayOutputStream out) {
        int size = out.size();
        out.reset();
        out.write(new byte[size], 0, size);
        out.reset();
    }
}
