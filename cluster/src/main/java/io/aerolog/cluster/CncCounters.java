package io.aerolog.cluster;

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
final class CncCounters implements AutoCloseable
{
    private final MappedByteBuffer cnc;
    private final CountersReader reader;
    private final AtomicBuffer values;

    /** A counter seen through this mapping. */
    final class View
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
        boolean isLive()
        {
            return CountersReader.RECORD_ALLOCATED == reader.getCounterState(counterId) &&
                registrationId == reader.getCounterRegistrationId(counterId);
        }

        /**
         * @return the counter, to use only after {@link #isLive()}.
         */
        AtomicCounter counter()
        {
            return counter;
        }
    }

    CncCounters(final String aeronDirectoryName)
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
    View view(final Counter counter)
    {
        return new View(counter.id(), counter.registrationId());
    }

    @Override
    public void close()
    {
        IoUtil.unmap(cnc);
    }
}
