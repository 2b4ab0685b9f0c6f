package io.aerolog.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

/**
 * Reads passwords from files, never from the command line (where every user of the host can see them).
 */
final class PasswordInput
{
    private PasswordInput()
    {
    }

    /**
     * @param file   holding the password on its first line.
     * @param option that named the file, for the error message.
     * @return the password, without line ending.
     * @throws IllegalArgumentException if the file cannot be read or is empty.
     */
    static String readFile(final File file, final String option)
    {
        final String text;
        try
        {
            text = Files.readString(file.toPath(), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException(option + ": cannot read " + file + ": " + ex.getMessage());
        }
        final int newline = text.indexOf('\n');
        final String password = (newline < 0 ? text : text.substring(0, newline)).replace("\r", "");
        if (password.isEmpty())
        {
            throw new IllegalArgumentException(option + ": " + file + " holds no password");
        }
        return password;
    }
}
