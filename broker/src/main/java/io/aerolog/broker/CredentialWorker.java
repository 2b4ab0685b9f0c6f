package io.aerolog.broker;

import io.aerolog.cluster.security.PasswordHasher;
import io.aerolog.cluster.security.UserCredential;
import org.agrona.ErrorHandler;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Password hashing off the conductor: a salted PBKDF2 takes milliseconds on purpose, which would stall every other
 * client if the conductor ran it. One thread with a bounded queue; a full queue refuses the work at once (the
 * client is told to retry), so a flood of connects with passwords is bounded work, not growth. Results run on the
 * conductor through the given executor.
 */
final class CredentialWorker implements AutoCloseable
{
    /** Password checks or hashes waiting at once; more are refused. */
    static final int MAX_PENDING = 64;

    // Checked in place of an unknown user's, so a refusal takes as long whether or not the user exists.
    private static final UserCredential NO_SUCH_USER =
        PasswordHasher.newCredential("no-such-user", new char[]{'x'}, PasswordHasher.DEFAULT_ITERATIONS);

    private final ThreadPoolExecutor executor;
    private final Consumer<Runnable> conductor;
    private final ErrorHandler errorHandler;

    /**
     * @param conductor    runs a result on the conductor thread.
     * @param errorHandler for a failure of the hashing itself.
     */
    CredentialWorker(final Consumer<Runnable> conductor, final ErrorHandler errorHandler)
    {
        this.conductor = conductor;
        this.errorHandler = errorHandler;
        executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(MAX_PENDING),
            (runnable) ->
            {
                final Thread thread = new Thread(runnable, "aerolog-credentials");
                thread.setDaemon(true);
                return thread;
            });
    }

    /**
     * Checks a password against a user's credential.
     *
     * @param credential the user's, or null if there is no such user (the check then fails, in the same time).
     * @param password   given.
     * @param onResult   run on the conductor with true if the password is the user's.
     * @return false if too many checks are waiting (nothing will be run).
     */
    boolean verify(final UserCredential credential, final String password, final Consumer<Boolean> onResult)
    {
        return submit(() ->
        {
            final boolean ok = PasswordHasher.verify(null == credential ? NO_SUCH_USER : credential,
                password.toCharArray()) && null != credential;
            conductor.accept(() -> onResult.accept(ok));
        });
    }

    /**
     * Makes a new salted credential for a user.
     *
     * @param name     of the user.
     * @param password to hash.
     * @param onResult run on the conductor with the credential.
     * @return false if too many are waiting (nothing will be run).
     */
    boolean hash(final String name, final String password, final Consumer<UserCredential> onResult)
    {
        return submit(() ->
        {
            final UserCredential credential =
                PasswordHasher.newCredential(name, password.toCharArray(), PasswordHasher.DEFAULT_ITERATIONS);
            conductor.accept(() -> onResult.accept(credential));
        });
    }

    private boolean submit(final Runnable task)
    {
        try
        {
            executor.execute(() ->
            {
                try
                {
                    task.run();
                }
                catch (final Throwable ex)
                {
                    errorHandler.onError(ex);
                }
            });
            return true;
        }
        catch (final RejectedExecutionException ex)
        {
            return false;
        }
    }

    @Override
    public void close()
    {
        executor.shutdownNow();
    }
}
