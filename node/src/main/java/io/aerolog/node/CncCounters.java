package io.aerolog.node;

import io.aeron.CncFileDescriptor;
import io.aeron.Counter;
import org.agrona.IoUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.nio.MappedByteBuffer;

/**
 * A node's own view of counters that another component allocated, through its own mapping of the media driver's
 * CnC file. The consensus module unmaps its client's view when it closes (also when it dies on an error); a read
 * through that view afterwards crashes the JVM. This mapping lives until {@link #close()}, and a counter is used
 * only while it is still the one first seen (same registration id, still allocated), so a freed and reused slot is
 * never written either.
 */
public final class CncCounters implements AutoCloseable
{
    private final MappedByteBuffer cnc;
    private final CountersReader reader;
    private final AtomicBuffer values;

    /** A counter seen through this mapping. */
    public final class View
    {
        private final int counterId;
        private final long registrationId;
        private final AtomicCounter counter;

        private View(final int counterId, final long registrationId)
        {
            this.counterId = counterId;
            this.registrationId = registrationId;
            this.counter = new AtomicCounter(values, counterId);
        }

        /**
         * @return true while the slot holds the counter first seen.
         */
        public boolean isLive()
        {
            return CountersReader.RECORD_ALLOCATED == reader.getCounterState(counterId) &&
                registrationId == reader.getCounterRegistrationId(counterId);
        }

        /**
         * @return the counter, to use only after {@link #isLive()}.
         */
        public AtomicCounter counter()
        {
            return counter;
        }
    }

    /**
     * Maps the CnC file of a running driver.
     *
     * @param aeronDirectoryName of the driver.
     */
    public CncCounters(final String aeronDirectoryName)
    {
        cnc = IoUtil.mapExistingFile(new File(aeronDirectoryName, CncFileDescriptor.CNC_FILE), "cnc");
        final var metaData = CncFileDescriptor.createMetaDataBuffer(cnc);
        values = CncFileDescriptor.createCountersValuesBuffer(cnc, metaData);
        reader = new CountersReader(CncFileDescriptor.createCountersMetaDataBuffer(cnc, metaData), values);
    }

    /**
     * @param counter allocated by another client of the same driver, live now.
     * @return its view through this mapping.
     */
    public View view(final Counter counter)
    {
        return new View(counter.id(), counter.registrationId());
    }

    @Override
    public void close()
    {
        IoUtil.unmap(cnc);
    }
}
