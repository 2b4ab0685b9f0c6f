package io.aerolog.perf.latency;

import io.aerolog.transport.ThreadingProfile;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Options of the perf commands that start a fresh Aerolog broker: {@code --transport}, {@code --size} and
 * {@code --profile}, for a picocli {@code @Mixin}. A command whose help says something else of an option gives the
 * text under the option's description key in its resource bundle.
 */
public final class BrokerOptions
{
    /** ipc or udp ({@link PerfBroker#IPC}, {@link PerfBroker#UDP}). */
    @Option(names = "--transport", paramLabel = "ipc|udp", defaultValue = "ipc", descriptionKey = "transport",
        description = "ipc: embedded broker, clients over IPC; udp: broker in a child JVM, clients over " +
            "loopback UDP (default: ${DEFAULT-VALUE}).")
    public String transport;

    /** Value size in bytes. */
    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "100", descriptionKey = "size",
        description = "Value size in bytes, at least 8 (default: ${DEFAULT-VALUE}).")
    public int size;

    /** Threading profile name or file. */
    @Option(names = "--profile", paramLabel = "NAME|FILE", defaultValue = ThreadingProfile.DEFAULT,
        descriptionKey = "profile",
        description = "Threading profile of the Aerolog broker and its clients: balanced, small-low-latency, " +
            "one-thread, low-latency, or a properties file (default: ${DEFAULT-VALUE}).")
    public String profile;

    /**
     * Checks {@code --transport} and {@code --size}.
     *
     * @param spec     of the command, for its error.
     * @param sizeNote said after "--size must be at least 8", such as why; empty for nothing.
     * @throws ParameterException if one is out of range.
     */
    public void validate(final CommandSpec spec, final String sizeNote)
    {
        if (!PerfBroker.IPC.equals(transport) && !PerfBroker.UDP.equals(transport))
        {
            throw new ParameterException(spec.commandLine(), "--transport must be ipc or udp: " + transport);
        }
        if (size < Long.BYTES)
        {
            throw new ParameterException(spec.commandLine(),
                "--size must be at least " + Long.BYTES + sizeNote + ": " + size);
        }
    }
}
