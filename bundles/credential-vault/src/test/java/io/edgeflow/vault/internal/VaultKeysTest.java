package io.edgeflow.vault.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

/** HKDF-SHA256 against RFC 5869, and what the derived keys depend on. */
class VaultKeysTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void hkdfMatchesRfc5869TestCase1() {
        byte[] ikm = new byte[22];
        Arrays.fill(ikm, (byte) 0x0b);
        byte[] prk = VaultKeys.extract(HEX.parseHex("000102030405060708090a0b0c"), ikm);
        assertThat(HEX.formatHex(prk)).isEqualTo("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");

        byte[] okm = VaultKeys.expand(new RawKey(prk, "HmacSHA256"), HEX.parseHex("f0f1f2f3f4f5f6f7f8f9"), 42);
        assertThat(HEX.formatHex(okm)).isEqualTo(
                "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
    }

    @Test
    void hkdfMatchesRfc5869TestCase3() {
        byte[] ikm = new byte[22];
        Arrays.fill(ikm, (byte) 0x0b);
        byte[] prk = VaultKeys.extract(new byte[0], ikm);
        assertThat(HEX.formatHex(prk)).isEqualTo("19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04");

        byte[] okm = VaultKeys.expand(new RawKey(prk, "HmacSHA256"), new byte[0], 42);
        assertThat(HEX.formatHex(okm)).isEqualTo(
                "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
    }

    @Test
    void theKeyIdDependsOnTheKeyFileOnlyAndTheEncryptionKeyOnBoth() {
        byte[] machineA = "machine-a".getBytes(StandardCharsets.US_ASCII);
        byte[] machineB = "machine-b".getBytes(StandardCharsets.US_ASCII);
        VaultKeys a = VaultKeys.derive(TestCredentials.keyFileBytes(1), machineA);
        VaultKeys sameKeyOtherMachine = VaultKeys.derive(TestCredentials.keyFileBytes(1), machineB);
        VaultKeys otherKey = VaultKeys.derive(TestCredentials.keyFileBytes(2), machineA);
        VaultKeys again = VaultKeys.derive(TestCredentials.keyFileBytes(1), machineA);

        assertThat(a.keyId()).isEqualTo(sameKeyOtherMachine.keyId()).isNotEqualTo(otherKey.keyId());
        assertThat(a.machineCheck()).isNotEqualTo(sameKeyOtherMachine.machineCheck())
                .isNotEqualTo(otherKey.machineCheck());
        assertThat(a.encryptionKey().getEncoded()).isNotEqualTo(sameKeyOtherMachine.encryptionKey().getEncoded())
                .isNotEqualTo(otherKey.encryptionKey().getEncoded())
                .isEqualTo(again.encryptionKey().getEncoded()).hasSize(32);
    }

    @Test
    void destroyedKeysAreWipedAndCannotBeUsed() {
        VaultKeys keys = VaultKeys.derive(TestCredentials.keyFileBytes(1), TestCredentials.MACHINE_ID);
        RawKey key = keys.encryptionKey();

        keys.destroy();

        assertThat(keys.isDestroyed()).isTrue();
        assertThat(key.isDestroyed()).isTrue();
        assertThatThrownBy(key::getEncoded).isInstanceOf(IllegalStateException.class);
        assertThat(keys.keyId()).containsOnly(0);
    }

    @Test
    void keysNeverShowTheirBytes() {
        byte[] bytes = HEX.parseHex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
        RawKey key = new RawKey(bytes, "AES");

        assertThat(key.toString()).isEqualTo("RawKey[AES, 256 bits]").doesNotContain("0011");
        assertThat(VaultKeys.derive(bytes, new byte[0]).toString()).doesNotContain("0011");
    }
}
