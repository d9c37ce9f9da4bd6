package io.edgeflow.vault.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.edgeflow.vault.internal.UnreadableVaultException.Problem;

/** The bytes of a vault file: what is written, and that every damage to it is recognised. */
class VaultFileTest {
    private final VaultKeys keys = VaultKeys.derive(TestCredentials.keyFileBytes(1), TestCredentials.MACHINE_ID);
    private final SecureRandom random = new SecureRandom();

    @AfterEach
    void destroyKeys() {
        keys.destroy();
    }

    private byte[] plaintext() {
        return new VaultContents(TestCredentials.credentials(), "req_7f3a9c").encode();
    }

    private byte[] sealed() {
        return VaultFile.seal(keys, plaintext(), random);
    }

    @Test
    void roundTrip() throws Exception {
        byte[] plaintext = plaintext();
        byte[] file = VaultFile.seal(keys, plaintext, random);

        assertThat(VaultFile.open(keys, file)).isEqualTo(plaintext);
        VaultContents contents = VaultContents.decode(VaultFile.open(keys, file));
        assertThat(contents.credentials().deviceId()).isEqualTo(TestCredentials.DEVICE_ID);
        assertThat(contents.credentials().apiKey()).isEqualTo(TestCredentials.API_KEY.toCharArray());
        assertThat(contents.credentials().expiresAt()).isEqualTo(TestCredentials.EXPIRES_AT);
        assertThat(contents.credentials().saasUrl()).isEqualTo(TestCredentials.SAAS_URL);
        assertThat(contents.pendingRequestId()).isEqualTo("req_7f3a9c");
    }

    @Test
    void headerHasMagicVersionNoFlagsAndTheLengthOfWhatFollows() {
        byte[] file = sealed();
        ByteBuffer b = ByteBuffer.wrap(file);

        assertThat(Arrays.copyOf(file, 8)).isEqualTo(new byte[] {(byte) 0x89, 'E', 'F', 'V', 'A', 'U', 'L', 'T'});
        assertThat(b.getShort(8)).isEqualTo((short) 1);
        assertThat(b.getShort(10)).isZero();
        assertThat(b.getInt(40)).isEqualTo(file.length - VaultFile.HEADER_BYTES);
        assertThat(file.length).isEqualTo(VaultFile.HEADER_BYTES + plaintext().length + VaultFile.TAG_BYTES);
    }

    @Test
    void everyWriteHasAFreshNonceAndDifferentCiphertext() {
        byte[] first = sealed();
        byte[] second = sealed();

        assertThat(Arrays.copyOfRange(first, 28, 40)).isNotEqualTo(Arrays.copyOfRange(second, 28, 40));
        assertThat(Arrays.copyOfRange(first, 44, first.length))
                .isNotEqualTo(Arrays.copyOfRange(second, 44, second.length));
    }

    @Test
    void neitherTheApiKeyNorTheDeviceIdAppearInTheFile() {
        String file = new String(sealed(), StandardCharsets.ISO_8859_1);

        assertThat(file).doesNotContain(TestCredentials.API_KEY_MIDDLE).doesNotContain("efk_")
                .doesNotContain(TestCredentials.DEVICE_ID);
    }

    @Test
    void aFileWrittenWithAnotherKeyFileIsReportedAsWrongKey() {
        byte[] file = sealed();
        VaultKeys other = VaultKeys.derive(TestCredentials.keyFileBytes(2), TestCredentials.MACHINE_ID);
        try {
            assertThat(problemOpening(other, file)).isEqualTo(Problem.WRONG_KEY);
        } finally {
            other.destroy();
        }
    }

    @Test
    void aFileWrittenOnAnotherMachineIsReportedAsWrongMachine() {
        byte[] file = sealed();
        VaultKeys otherMachine = VaultKeys.derive(TestCredentials.keyFileBytes(1),
                "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
        try {
            assertThat(problemOpening(otherMachine, file)).isEqualTo(Problem.WRONG_MACHINE);
        } finally {
            otherMachine.destroy();
        }
    }

    @Test
    void aFlippedBitInEveryByteOfEveryRegionIsDetected() {
        byte[] file = sealed();
        int tagStart = file.length - VaultFile.TAG_BYTES;
        int checked = 0;
        for (int i = 0; i < file.length; i++) {
            Set<Problem> expected;
            if (i < 8) {
                expected = EnumSet.of(Problem.FOREIGN_FORMAT);
            } else if (i < 10) {
                expected = EnumSet.of(Problem.UNSUPPORTED_VERSION);
            } else if (i < 12) {
                expected = EnumSet.of(Problem.UNSUPPORTED_FLAGS);
            } else if (i < 20) {
                expected = EnumSet.of(Problem.WRONG_KEY);
            } else if (i < 28) {
                expected = EnumSet.of(Problem.WRONG_MACHINE);
            } else if (i < 40) {
                expected = EnumSet.of(Problem.AUTHENTICATION_FAILED); // nonce
            } else if (i < 44) {
                // the declared length no longer matches the file
                expected = EnumSet.of(Problem.TRUNCATED, Problem.TRAILING_DATA, Problem.MALFORMED);
            } else if (i < tagStart) {
                expected = EnumSet.of(Problem.AUTHENTICATION_FAILED); // ciphertext
            } else {
                expected = EnumSet.of(Problem.AUTHENTICATION_FAILED); // tag
            }
            for (int mask : new int[] {0x01, 0x80, 0xFF}) {
                byte[] damaged = file.clone();
                damaged[i] ^= (byte) mask;
                assertThat(problemOpening(keys, damaged)).as("byte %d ^ 0x%02x", i, mask).isIn(expected);
                checked++;
            }
        }
        assertThat(checked).isEqualTo(3 * file.length);
    }

    @Test
    void aFileTruncatedAtEveryLengthIsReportedAsTruncated() {
        byte[] file = sealed();
        for (int length = 0; length < file.length; length++) {
            byte[] truncated = Arrays.copyOf(file, length);
            UnreadableVaultException e = catchThrowableOfType(() -> VaultFile.open(keys, truncated),
                    UnreadableVaultException.class);
            assertThat(e).as("truncated to %d bytes", length).isNotNull();
            assertThat(e.problem()).as("truncated to %d bytes", length).isEqualTo(Problem.TRUNCATED);
            assertThat(e.getMessage()).contains("truncated");
        }
    }

    @Test
    void bytesAppendedToTheFileAreReported() {
        byte[] file = sealed();
        byte[] longer = Arrays.copyOf(file, file.length + 1);

        assertThat(problemOpening(keys, longer)).isEqualTo(Problem.TRAILING_DATA);
    }

    @Test
    void aFileFromANewerFormatVersionIsRecognisedNotMisread() {
        // A version 2 file may look nothing like version 1 after its first ten bytes.
        byte[] future = ByteBuffer.allocate(12).put(VaultFile.MAGIC).putShort((short) 2).putShort((short) 0).array();

        UnreadableVaultException e = catchThrowableOfType(() -> VaultFile.open(keys, future),
                UnreadableVaultException.class);
        assertThat(e.problem()).isEqualTo(Problem.UNSUPPORTED_VERSION);
        assertThat(e.getMessage()).contains("format version 2").contains("newer EdgeFlow").contains("version 1");

        byte[] file = sealed();
        file[9] = 7;
        assertThat(problemOpening(keys, file)).isEqualTo(Problem.UNSUPPORTED_VERSION);
    }

    @Test
    void versionZeroDoesNotExist() {
        byte[] file = sealed();
        file[9] = 0;

        UnreadableVaultException e = catchThrowableOfType(() -> VaultFile.open(keys, file),
                UnreadableVaultException.class);
        assertThat(e.problem()).isEqualTo(Problem.UNSUPPORTED_VERSION);
        assertThat(e.getMessage()).contains("does not exist");
    }

    @Test
    void foreignFilesAreRecognisedAsForeign() {
        byte[][] foreign = {
            "{\"device_id\":\"dev_abc123xyz\",\"api_key\":\"efk_...\"}".getBytes(StandardCharsets.UTF_8),
            new byte[100],
            {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13},
            "EFVAULT".getBytes(StandardCharsets.US_ASCII),
        };
        for (byte[] file : foreign) {
            assertThat(problemOpening(keys, file)).isEqualTo(Problem.FOREIGN_FORMAT);
        }
    }

    @Test
    void anImpossibleDeclaredLengthIsMalformed() {
        byte[] file = sealed();
        ByteBuffer.wrap(file).putInt(40, 5); // shorter than the tag

        assertThat(problemOpening(keys, file)).isEqualTo(Problem.MALFORMED);
    }

    @Test
    void contentsLargerThanTheLimitAreRefusedWhenWritten() {
        assertThatThrownBy(() -> VaultFile.seal(keys, new byte[VaultFile.MAX_PLAINTEXT_BYTES + 1], random))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static Problem problemOpening(VaultKeys keys, byte[] file) {
        UnreadableVaultException e = catchThrowableOfType(() -> VaultFile.open(keys, file),
                UnreadableVaultException.class);
        assertThat(e).as("opening a damaged file must fail").isNotNull();
        return e.problem();
    }
}
