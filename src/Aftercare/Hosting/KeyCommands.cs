using System.CommandLine;
using Aftercare.App.Data;
using Aftercare.Cli;

namespace Aftercare.Hosting;

/// <summary>`aftercare keys rotate` and `keys reencrypt`: the keys that encrypt clinical free text at rest.</summary>
public static class KeyCommands
{
    public static Command Create(CliContext cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var rotate = new Command("rotate", "Create a new encryption key and make it the default for new data. Earlier keys are kept and still decrypt older data. Restart running servers to use it at once.") { cli.Db };
        rotate.SetAction(async (parse, ct) =>
        {
            await using var app = Program.BuildWebApp(cli.Host(parse));
            var key = KeyRing.Rotate(
                app.Services.GetRequiredService<Microsoft.AspNetCore.DataProtection.KeyManagement.IKeyManager>(),
                app.Services.GetRequiredService<TimeProvider>());
            var folder = HostSettings.ResolveKeysFolder(app.Configuration, app.Services.GetRequiredService<DatabaseSettings>());
            cli.Out.WriteLine($"New key {key.KeyId} is the default from {key.ActivationDate.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z until {key.ExpirationDate.UtcDateTime:yyyy-MM-dd}.");
            cli.Out.WriteLine($"Keys folder: {folder}. Back it up with the database: data written under any key in it needs that key to be read.");
            return 0;
        });
        var reencrypt = new Command("reencrypt", "Rewrite every encrypted value under the current default key (after `keys rotate`, e.g. before retiring an old key).") { cli.Db };
        reencrypt.SetAction((parse, ct) => cli.OnDatabaseAsync(parse, async (app, s) =>
        {
            var count = await app.Services.GetRequiredService<FieldEncryption>().ReencryptAsync(s.GetRequiredService<AftercareDbContext>(), ct: ct);
            cli.Out.WriteLine($"Re-encrypted {count} values under the current key.");
            return 0;
        }, migrate: false, ct));
        return new Command("keys", "Manage the keys that encrypt clinical free text at rest.") { rotate, reencrypt };
    }
}
