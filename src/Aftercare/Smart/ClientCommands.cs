using System.CommandLine;
using Aftercare.Cli;

namespace Aftercare.Smart;

/// <summary>`aftercare clients add`: register a SMART on FHIR client, a backend service or a user-facing app.</summary>
public static class ClientCommands
{
    public static Command Create(CliContext cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var clientId = new Option<string>("--client-id") { Description = "The client's id, as it will send it.", Required = true };
        var role = new Option<string>("--role") { Description = "Backend services: the role the client acts in (clinician, aftercare-worker or therapist)." };
        var jwks = new Option<FileInfo>("--jwks-file") { Description = "Backend services: the client's public JSON Web Key Set, for private_key_jwt." };
        var redirect = new Option<string[]>("--redirect-uri") { Description = "User-facing apps (SMART App Launch): where the app receives its code. Repeat for more than one.", AllowMultipleArgumentsPerToken = false };
        var name = new Option<string>("--name") { Description = "User-facing apps: the name people see when asked to allow it." };
        var scopes = new Option<string>("--scopes") { Description = "Space-separated. Backend: system/*.read, system/*.write, system/*.*. Apps: launch/patient, patient/*.read, user/*.read, user/*.write, user/*.* (and v2 spellings)." };
        var add = new Command("add", "Register a SMART client: a backend service (--jwks-file, --role) or a user-facing app (--redirect-uri).") { clientId, role, jwks, redirect, name, scopes, cli.Db };
        add.SetAction(async (parse, ct) =>
        {
            var file = parse.GetValue(jwks);
            var redirects = parse.GetValue(redirect) ?? [];
            if ((file is null) == (redirects.Length == 0))
            {
                await cli.Error.WriteLineAsync("Give either --jwks-file and --role (a backend service) or --redirect-uri (a user-facing app).");
                return 1;
            }

            if (file is { Exists: false })
            {
                await cli.Error.WriteLineAsync($"--jwks-file: {file.FullName} was not found.");
                return 1;
            }

            return await cli.OnDatabaseAsync(parse, async (_, s) =>
            {
                var applications = s.GetRequiredService<OpenIddict.Abstractions.IOpenIddictApplicationManager>();
                var result = file is not null
                    ? await RegisterClient.Handle(applications, parse.GetValue(clientId)!, parse.GetValue(role) ?? "",
                        await File.ReadAllTextAsync(file.FullName, ct), (parse.GetValue(scopes) ?? "system/*.read").Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    : await RegisterClient.HandleApp(applications, parse.GetValue(clientId)!, parse.GetValue(name), redirects,
                        (parse.GetValue(scopes) ?? "launch/patient patient/*.read").Split(' ', StringSplitOptions.RemoveEmptyEntries));
                if (!result.IsSuccess)
                {
                    return await cli.FailAsync(result.Errors);
                }

                cli.Out.WriteLine(file is not null
                    ? $"Registered client {result.Value}. It asks for tokens at /connect/token with a client assertion signed by its private key."
                    : $"Registered app {result.Value}. It sends people to /connect/authorize (authorization code with PKCE, S256) and exchanges the code at /connect/token.");
                return 0;
            }, ct: ct);
        });
        var revokedId = new Option<string>("--client-id") { Description = "The client to revoke.", Required = true };
        var revoke = new Command("revoke", "Revoke a SMART client: its registration, authorizations and refresh tokens are deleted; tokens it holds end within five minutes.") { revokedId, cli.Db };
        revoke.SetAction(async (parse, ct) => await cli.OnDatabaseAsync(parse, async (_, s) =>
        {
            var result = await RegisterClient.Revoke(s.GetRequiredService<OpenIddict.Abstractions.IOpenIddictApplicationManager>(), parse.GetValue(revokedId)!);
            if (!result.IsSuccess)
            {
                return await cli.FailAsync(result.Errors);
            }

            cli.Out.WriteLine($"Revoked client {result.Value}: it can get no new token, and its refresh tokens are refused.");
            return 0;
        }, ct: ct));
        return new Command("clients", "Manage SMART on FHIR clients.") { add, revoke };
    }
}
