package io.aerolog.systemtest;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;

/**
 * Base of test classes whose tests share one broker: launched before the class's first test, closed after its last,
 * and checked for agent errors after every test.
 */
abstract class SharedBrokerTest
{
    @TempDir
    static File dir;
    static TestBroker broker;

    @BeforeAll
    static void launchBroker()
    {
        broker = TestBroker.launch(dir);
    }

    @AfterAll
    static void closeBroker()
    {
        broker.close();
    }

    @AfterEach
    void noErrors()
    {
        broker.assertNoErrors();
    }
}
