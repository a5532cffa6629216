using System.CommandLine;
using Aftercare.App;
using Aftercare.App.Data;
using Aftercare.App.Users;
using Aftercare.Cli;
using Aftercare.Domain;
using Aftercare.Domain.Users;
using Microsoft.AspNetCore.Identity;

namespace Aftercare.Users;

/// <summary>`aftercare users add`, `disable`, `enable`, `set-role`, `remove-role`, `reset-authenticator`: the people who sign in.</summary>
public static class UserCommands
{
    public static Command Create(CliContext cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var email = new Option<string>("--email") { Description = "The user's email address; they sign in with it.", Required = true };
        var role = new Option<string>("--role") { Description = $"One of: {string.Join(", ", Roles.All)}.", Required = true };
        role.AcceptOnlyFromAmong([.. Roles.All]);
        return new Command("users", "Manage the people who sign in.")
        {
            Add(cli, email, role),
            UserChange(cli, "disable", "Disable a user: they cannot sign in, and a session they have ends within a minute.", email, null,
                (s, actor) => DisableUser.Handle(s.Users, s.Db, s.Clock, actor, s.Email, disable: true), id => "Disabled."),
            UserChange(cli, "enable", "Enable a disabled user again.", email, null,
                (s, actor) => DisableUser.Handle(s.Users, s.Db, s.Clock, actor, s.Email, disable: false), id => "Enabled."),
            UserChange(cli, "set-role", "Give a user this role in place of any others. A session they have ends within a minute.", email, role,
                (s, actor) => ChangeRole.Set(s.Users, s.Db, s.Clock, actor, s.Email, s.Role!), roles => $"Roles now: {string.Join(", ", roles)}."),
            UserChange(cli, "remove-role", "Take a role away from a user. A session they have ends within a minute.", email, role,
                (s, actor) => ChangeRole.Remove(s.Users, s.Db, s.Clock, actor, s.Email, s.Role!), roles => roles.Count == 0 ? "Roles now: none." : $"Roles now: {string.Join(", ", roles)}."),
            UserChange(cli, "reset-authenticator", "For a lost phone: the old authenticator stops working; at next sign-in they set up an app again.", email, null,
                (s, actor) => ResetAuthenticator.Handle(s.Users, s.Db, s.Clock, actor, s.Email), id => "Authenticator reset: they set up an app at their next sign-in."),
        };
    }

    private static Command Add(CliContext cli, Option<string> email, Option<string> role)
    {
        var name = new Option<string?>("--name") { Description = "The name shown in the application." };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from standard input instead of generating a one-time password." };
        var sites = new Option<string[]>("--site") { Description = "A site (team) the user works at, by code; repeat for more. People who presented there are in their care (need-to-know)." };
        var add = new Command("add", "Add a user. Without --password-stdin a one-time password is printed and must be changed at first sign-in.")
        {
            email, role, name, passwordStdin, sites, cli.Db,
        };
        add.SetAction(async (parse, ct) =>
        {
            string? password = null;
            if (parse.GetValue(passwordStdin))
            {
                password = (await cli.In.ReadLineAsync(ct))?.TrimEnd('\r', '\n');
                if (string.IsNullOrEmpty(password))
                {
                    await cli.Error.WriteLineAsync("No password was read from standard input.");
                    return 2;
                }
            }

            return await cli.OnDatabaseAsync(parse, async (_, s) =>
            {
                var result = await AddUser.Handle(
                    s.GetRequiredService<UserManager<AftercareUser>>(), s.GetRequiredService<RoleManager<IdentityRole>>(),
                    s.GetRequiredService<AftercareDbContext>(), s.GetRequiredService<TimeProvider>(), Actor.System,
                    new AddUser.Command(parse.GetValue(email)!, parse.GetValue(role)!, parse.GetValue(name), password, parse.GetValue(sites) ?? []));
                if (!result.IsSuccess)
                {
                    return await cli.FailAsync(result.Errors);
                }

                var added = result.Value;
                cli.Out.WriteLine($"Added {added.Email} as {Roles.Describe(added.Role)}.");
                if (added.Sites.Count > 0)
                {
                    cli.Out.WriteLine($"Works at: {string.Join(", ", added.Sites)}.");
                }
                else if (Roles.DirectCare.Split(',').Contains(added.Role))
                {
                    cli.Out.WriteLine("No site given: they see only people assigned to them, or whose record they open in an emergency (break glass).");
                }

                if (added.GeneratedPassword is not null)
                {
                    cli.Out.WriteLine($"One-time password: {added.GeneratedPassword}");
                    cli.Out.WriteLine("It must be changed at first sign-in. It is not stored anywhere readable; note it now.");
                }

                return 0;
            }, ct: ct);
        });
        return add;
    }

    private sealed record UserServices(UserManager<AftercareUser> Users, AftercareDbContext Db, TimeProvider Clock, string Email, string? Role);

    /// <summary>A users subcommand that changes one account by email (and, for some, a role), prints what it did.</summary>
    private static Command UserChange<T>(
        CliContext cli, string name, string description, Option<string> email, Option<string>? role,
        Func<UserServices, Actor, Task<Result<T>>> change, Func<T, string> done)
    {
        var command = new Command(name, description) { email, cli.Db };
        if (role is not null)
        {
            command.Options.Add(role);
        }

        command.SetAction((parse, ct) => cli.OnDatabaseAsync(parse, async (_, s) =>
        {
            var result = await change(
                new UserServices(s.GetRequiredService<UserManager<AftercareUser>>(), s.GetRequiredService<AftercareDbContext>(), s.GetRequiredService<TimeProvider>(),
                    parse.GetValue(email)!, role is null ? null : parse.GetValue(role)),
                Actor.System);
            if (!result.IsSuccess)
            {
                return await cli.FailAsync(result.Errors);
            }

            cli.Out.WriteLine($"{parse.GetValue(email)}: {done(result.Value)}");
            return 0;
        }, ct: ct));
        return command;
    }
}
