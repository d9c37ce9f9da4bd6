package io.edgeflow.cloud.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.edgeflow.bundlecontent.BundleContent;
import io.edgeflow.cloud.updates.KeyFiles;
import io.edgeflow.cloud.updates.PublisherKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code artifacts upload|sign|keygen|list|delete|release-key}: the bundle jars devices are updated with, and their
 * publishers' signatures. A private key is read and used on this machine only: what goes to the cloud is the
 * signature and the public key.
 */
@Command(name = "artifacts", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Bundle jars for remote updates: upload, sign (locally), list, delete; make a publisher key pair.")
final class ArtifactCommands extends CommandGroup {
    private static final String ARTIFACTS = "/api/v1/admin/artifacts";

    ArtifactCommands(Terminal terminal) {
        super(terminal);
    }

    @Command(name = "upload", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Uploads a bundle jar; with --sign-key, signs it here with a private key file (the key never",
                "leaves this machine); with --release-key, has the cloud sign it with its own release key (demo)."})
    int upload(@Parameters(paramLabel = "FILE", arity = "0..*", description = "the bundle jar") List<String> files,
            @Option(names = "--sign-key", paramLabel = "KEY.pem", description = "Ed25519 private key (PKCS#8 PEM)")
            Path signKey,
            @Option(names = "--release-key", description = "sign with the cloud's release key") boolean releaseKey,
            @Mixin ClientOptions client) throws Exception {
        Path file = oneFile(files, "artifacts upload");
        if (signKey != null && releaseKey) {
            throw new UsageException("give --sign-key or --release-key, not both");
        }
        PrivateKey key = signKey == null ? null : KeyFiles.readPrivateKey(signKey);
        byte[] jar = Files.readAllBytes(file);
        AdminClient c = client.client(terminal.env);
        JsonNode artifact = c.postBytes(ARTIFACTS, jar, "application/java-archive");
        String sha = artifact.path("sha256").asText();
        if (key != null) {
            artifact = c.post(ARTIFACTS + "/" + sha + "/signatures", signature(key, sha));
        } else if (releaseKey) {
            artifact = c.post(ARTIFACTS + "/" + sha + "/signatures", Map.of("release_key", true));
        }
        if (client.json) {
            terminal.json(artifact);
            return Cli.OK;
        }
        terminal.out.println(sha);
        terminal.err.println("Uploaded " + artifact.path("symbolic_name").asText() + " "
                + artifact.path("version").asText() + " (" + artifact.path("size").asLong() + " bytes); signed by: "
                + signers(artifact));
        return Cli.OK;
    }

    @Command(name = "sign", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Signs an uploaded artifact here with a private key file and gives the cloud the signature",
                "and the public key (the private key never leaves this machine).",
                "FILE is the jar, or the artifact's SHA-256."})
    int sign(@Parameters(paramLabel = "FILE", arity = "0..*", description = "the jar, or its SHA-256") List<String> files,
            @Option(names = "--key", paramLabel = "KEY.pem", description = "Ed25519 private key (PKCS#8 PEM)")
            Path keyFile,
            @Mixin ClientOptions client) throws Exception {
        if (files == null || files.size() != 1) {
            throw new UsageException("artifacts sign takes exactly one FILE (or SHA-256)");
        }
        if (keyFile == null) {
            throw new UsageException("--key KEY.pem is needed (make a pair with 'artifacts keygen --out DIR')");
        }
        String target = files.get(0);
        String sha;
        if (target.matches("[0-9a-f]{64}") && !Files.exists(Path.of(target))) {
            sha = target;
        } else {
            sha = sha256(Path.of(target));
        }
        PrivateKey key = KeyFiles.readPrivateKey(keyFile);
        JsonNode artifact = client.client(terminal.env).post(ARTIFACTS + "/" + sha + "/signatures", signature(key, sha));
        if (client.json) {
            terminal.json(artifact);
            return Cli.OK;
        }
        terminal.out.println("Signed " + sha + " with key " + PublisherKey.of(KeyFiles.publicKeyOf(key)).id()
                + "; signed by: " + signers(artifact));
        return Cli.OK;
    }

    @Command(name = "keygen", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Makes a publisher key pair: DIR/publisher.pem (private, mode 0600: keep it off the cloud)",
                "and DIR/publisher.pub.pem; prints the public key devices trust (io.edgeflow.update trusted_keys)."})
    int keygen(@Option(names = "--out", paramLabel = "DIR", description = "where to write the pair") Path out)
            throws Exception {
        if (out == null) {
            throw new UsageException("--out DIR is needed");
        }
        Path privateFile = out.resolve("publisher.pem");
        Path publicFile = out.resolve("publisher.pub.pem");
        if (Files.exists(privateFile) || Files.exists(publicFile)) {
            throw new UsageException(privateFile + " or " + publicFile + " exists already; it is never overwritten");
        }
        Files.createDirectories(out);
        KeyPair pair = KeyFiles.generate();
        KeyFiles.writePrivateKey(pair.getPrivate(), privateFile);
        KeyFiles.writePublicKey(pair.getPublic(), publicFile);
        PublisherKey key = PublisherKey.of(pair.getPublic());
        terminal.out.println(key.text());
        terminal.err.println("Key " + key.id() + ": private key " + privateFile + " (mode 0600), public key "
                + publicFile + ". Devices trust the line above (io.edgeflow.update trusted_keys).");
        return Cli.OK;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Lists artifacts: SHA-256, symbolic name, version, size, the keys that signed them.")
    int list(@Option(names = "--limit", paramLabel = "N", description = "most artifacts (default 100)") String limit,
            @Mixin ClientOptions client) throws Exception {
        return listed(client, ARTIFACTS + ClientOptions.query("limit", limit), "artifacts",
                new String[] {"SHA256", "SYMBOLIC NAME", "VERSION", "SIZE", "UPLOADED", "SIGNED BY"},
                a -> new String[] {a.path("sha256").asText(), a.path("symbolic_name").asText(),
                    a.path("version").asText(), a.path("size").asText(), Terminal.text(a.path("uploaded_at")),
                    signers(a)});
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Deletes an artifact that no unfinished deployment uses.")
    int delete(@Parameters(paramLabel = "SHA256", arity = "0..*") List<String> shas, @Mixin ClientOptions client)
            throws Exception {
        if (shas == null || shas.size() != 1 || !shas.get(0).matches("[0-9a-f]{64}")) {
            throw new UsageException("artifacts delete takes one SHA-256 (64 lower-case hex digits)");
        }
        JsonNode a = client.client(terminal.env).delete(ARTIFACTS + "/" + shas.get(0));
        if (client.json) {
            terminal.json(a);
            return Cli.OK;
        }
        terminal.out.println("Deleted " + a.path("sha256").asText() + " (" + a.path("symbolic_name").asText() + " "
                + a.path("version").asText() + ")");
        return Cli.OK;
    }

    @Command(name = "release-key", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Prints the cloud's release public key (made on first use), for the devices' trusted_keys.")
    int releaseKey(@Mixin ClientOptions client) throws Exception {
        JsonNode k = client.client(terminal.env).get("/api/v1/admin/release-key");
        if (client.json) {
            terminal.json(k);
            return Cli.OK;
        }
        terminal.out.println(k.path("public_key").asText());
        return Cli.OK;
    }

    private static Map<String, Object> signature(PrivateKey key, String sha) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("public_key", PublisherKey.of(KeyFiles.publicKeyOf(key)).text());
        body.put("signature", PublisherKey.sign(key, sha));
        return body;
    }

    private static String signers(JsonNode artifact) {
        List<String> ids = new ArrayList<>();
        for (JsonNode s : artifact.path("signatures")) {
            ids.add(s.path("key_id").asText());
        }
        return ids.isEmpty() ? "(unsigned)" : String.join(",", ids);
    }

    private static Path oneFile(List<String> files, String command) throws UsageException, IOException {
        if (files == null || files.size() != 1) {
            throw new UsageException(command + " takes exactly one FILE");
        }
        Path file = Path.of(files.get(0));
        if (!Files.isRegularFile(file)) {
            throw new IOException("No file " + file);
        }
        return file;
    }

    private static String sha256(Path file) throws Exception {
        if (!Files.isRegularFile(file)) {
            throw new IOException("No file " + file);
        }
        return BundleContent.sha256(file);
    }
}
