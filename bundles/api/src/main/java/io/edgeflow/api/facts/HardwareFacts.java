package io.edgeflow.api.facts;

import java.util.List;

/**
 * What the device is. Field names match the JSON sent to the cloud ({@code board_model},
 * {@code cpu_cores}, ...). A field that could not be read is null, and {@link #warnings()} says why.
 *
 * @param boardModel the board model, for example {@code Raspberry Pi 4 Model B Rev 1.4}
 * @param boardModelSource where the board model came from ({@code device-tree}, {@code dmi}, {@code cpuinfo})
 * @param cpuCores logical CPUs online
 * @param ramMb total memory in MiB, rounded down
 * @param os operating system in Go's naming ({@code linux})
 * @param arch architecture in Go's naming ({@code arm64}, {@code amd64}, ...)
 * @param kernel kernel release, as {@code uname -r} prints it
 * @param serial the board's serial number, or null
 * @param warnings readable notes on what could not be read
 */
public record HardwareFacts(String boardModel, String boardModelSource, Integer cpuCores, Long ramMb, String os,
        String arch, String kernel, String serial, List<String> warnings) {

    /**
     * Copies the warnings so the record stays immutable.
     *
     * @param boardModel board model
     * @param boardModelSource source of the board model
     * @param cpuCores logical CPUs online
     * @param ramMb total memory in MiB
     * @param os operating system
     * @param arch architecture
     * @param kernel kernel release
     * @param serial serial number
     * @param warnings what could not be read
     */
    public HardwareFacts {
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }
}
