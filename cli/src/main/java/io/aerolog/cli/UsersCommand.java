package io.aerolog.cli;

import io.aerolog.client.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.File;
import java.io.PrintWriter;

/**
 * {@code aerolog users}: adds (or changes the password of), deletes and lists the users clients connect as.
 */
@Command(
    name = "users",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Adds, deletes and lists users (needs ALTER, or DESCRIBE to list, on the cluster).",
    subcommands = {UsersCommand.Add.class, UsersCommand.Delete.class, UsersCommand.List.class})
final class UsersCommand implements Runnable
{
    @Spec
    CommandSpec spec;

    /** Called when no subcommand is given. */
    public void run()
    {
        throw new ParameterException(spec.commandLine(), "Missing required subcommand: add, delete or list");
    }

    /** {@code aerolog users add}: creates a user or sets its password. */
    @Command(
        name = "add",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Creates a user, or sets the password of one that exists.")
    static final class Add extends CliCommand
    {
        @Mixin
        ConnectionOptions connection;

        @Option(names = "--name", required = true, paramLabel = "USER", description = "Name of the user.")
        String name;

        @Option(names = "--new-password-file", required = true, paramLabel = "FILE",
            description = "File holding the user's password on its first line.")
        File passwordFile;

        int execute()
        {
            final String password = PasswordInput.readFile(passwordFile, "--new-password-file");
            try (Admin admin = Admin.connect(connection.clientContext("aerolog-users")))
            {
                admin.upsertUser(name, password);
            }
            out().println("User " + name + " is set.");
            out().flush();
            return 0;
        }
    }

    /** {@code aerolog users delete}. */
    @Command(
        name = "delete",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Deletes a user; its ACLs stay until removed.")
    static final class Delete extends CliCommand
    {
        @Mixin
        ConnectionOptions connection;

        @Option(names = "--name", required = true, paramLabel = "USER", description = "Name of the user.")
        String name;

        int execute()
        {
            try (Admin admin = Admin.connect(connection.clientContext("aerolog-users")))
            {
                admin.deleteUser(name);
            }
            out().println("Deleted user " + name + ".");
            out().flush();
            return 0;
        }
    }

    /** {@code aerolog users list}: one name per line. */
    @Command(
        name = "list",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Lists user names, one per line.")
    static final class List extends CliCommand
    {
        @Mixin
        ConnectionOptions connection;

        int execute()
        {
            final java.util.List<String> names;
            try (Admin admin = Admin.connect(connection.clientContext("aerolog-users")))
            {
                names = admin.listUsers();
            }
            final PrintWriter out = out();
            names.forEach(out::println);
            out.flush();
            return 0;
        }
    }
}
