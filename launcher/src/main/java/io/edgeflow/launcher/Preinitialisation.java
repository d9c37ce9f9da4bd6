package io.edgeflow.launcher;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.text.SimpleDateFormat;
import java.util.Date;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import javax.xml.parsers.SAXParserFactory;

/**
 * Initialises, on a second core while the main thread starts the framework, the parts of the JDK that the bundles
 * need on the way to the first answer and that cost tens of milliseconds the first time they are used in a JVM
 * (measured in bench/RESULTS.md, issue 12): the crypto providers and the JCE policy (AES-GCM: Config Admin's
 * encrypting persistence manager and the vault, before Config Admin hands the HTTP service its configuration), the
 * seeded {@link SecureRandom}, the locale data behind {@link SimpleDateFormat} (slf4j-simple's time stamps) and the
 * JDK's SAX parser (Felix SCR reads the component descriptors with it). Spring Boot's BackgroundPreinitializer does
 * the same for its own start.
 * <p>
 * Only JDK classes, and only their one-time, global initialisation: nothing here is kept or handed to a bundle, so it
 * changes no behaviour. A failure is ignored (the bundle that needs the part then pays for it, as before); the
 * thread is a daemon and ends by itself. {@code EDGEFLOW_PREINIT=off} turns it off (to measure without it).
 */
final class Preinitialisation {
    private Preinitialisation() {
    }

    /** Starts the pre-initialisation, unless turned off; returns at once. */
    static void start() {
        if ("off".equalsIgnoreCase(System.getenv("EDGEFLOW_PREINIT"))) {
            return;
        }
        Thread thread = new Thread(() -> run(), "edgeflow-preinit");
        thread.setDaemon(true);
        thread.setPriority(Thread.NORM_PRIORITY - 1);
        thread.start();
    }

    /** @return how many of the steps failed (0 on every JVM we support) */
    static int run() {
        int failed = 0;
        failed += quietly(() -> new SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").format(new Date()));
        failed += quietly(() -> SAXParserFactory.newInstance().newSAXParser());
        failed += quietly(() -> {
            SecureRandom random = new SecureRandom();
            byte[] key = new byte[32];
            byte[] iv = new byte[12];
            random.nextBytes(key);
            random.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
            cipher.doFinal(new byte[16]);
            MessageDigest.getInstance("SHA-256").digest(key);
        });
        return failed;
    }

    private interface Step {
        void run() throws Exception;
    }

    private static int quietly(Step step) {
        try {
            step.run();
            return 0;
        } catch (Exception | LinkageError e) {
            return 1; // the bundle that needs this part initialises it itself, as without this class
        }
    }
}
