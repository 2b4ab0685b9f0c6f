package io.aerolog.transport;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CpuAffinityTest
{
    @Test
    void shouldSkipCpusTheMachineLacks()
    {
        final int missing = Runtime.getRuntime().availableProcessors();
        assertThat(CpuAffinity.unusableReason(new int[]{missing})).isNotNull();
        assertThat(CpuAffinity.pinThisProcess(new int[]{missing})).startsWith("note: not pinning");
    }

    @Test
    void shouldParseAndPrintCpuLists()
    {
        assertThat(ThreadingProfile.parseCpuList("0,2-3")).containsExactly(0, 2, 3);
        assertThat(CpuAffinity.cpuList(new int[]{0, 2, 3})).isEqualTo("0,2,3");
        assertThat(ThreadingProfile.parseCpuList(" ")).isEmpty();
    }
}
