using Aftercare.App.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Aftercare.Tests;

/// <summary>
/// Issue 16, the restore drill: a backup taken while the server runs, restored on "a new machine"
/// (a new database and an empty keys folder) with the passphrase, verifies its audit chain and reads
/// every encrypted value back; bad input says what is wrong and changes nothing.
/// </summary>
public sealed class BackupRestoreTests
{
    private const string Passphrase = "synthetic drill passphrase 42";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_backup_restored_on_a_new_machine_passes_audit_verify_and_reads_every_encrypted_value_back()
    {
        var folder = Directory.CreateTempSubdirectory("aftercare-drill-").FullName;
        var sourceKeys = Path.Combine(folder, "keys-of-the-old-machine");
        await using var app = new AftercareApplication(new() { ["Aftercare:DataProtection:KeysFolder"] = sourceKeys });
        await app.InitializeAsync();
        var (clinician, personId, _) = await app.Presented();
        Assert.Equal(System.Net.HttpStatusCode.Redirect, (await clinician.Post($"people/{personId}/safety-plan", "safety-plan", PlansTests.SafetyPlan(0, "Drill: stops answering messages"))).StatusCode);
        var before = await app.Read(EncryptionTests.EveryPlaintextAsync);
        Assert.Contains(before, t => t.Contains("Drill: stops answering messages", StringComparison.Ordinal));
        var old = new Dictionary<string, string?> { ["Aftercare:DataProtection:KeysFolder"] = sourceKeys };
        var file = Path.Combine(folder, "aftercare.backup");

        // Bad input first: no passphrase, a short one; nothing is written.
        var none = await CliTests.AftercareWith(old, null, "backup", "--db", app.Database, "--out", file);
        Assert.Equal(1, none.Code);
        Assert.Contains("passphrase of at least 12 characters", none.Err, StringComparison.Ordinal);
        Assert.Equal(1, (await CliTests.AftercareWith(old, "short", "backup", "--db", app.Database, "--out", file)).Code);
        Assert.False(File.Exists(file));

        // While the server serves.
        var backed = await CliTests.AftercareWith(old, Passphrase, "backup", "--db", app.Database, "--out", file);
        Assert.True(backed.Code == 0, backed.Err);
        Assert.Contains("Backed up", backed.Out, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        var again = await CliTests.AftercareWith(old, Passphrase, "backup", "--db", app.Database, "--out", file);
        Assert.Equal(1, again.Code);
        Assert.Contains("already exists", again.Err, StringComparison.Ordinal);

        // The new machine: a new database, an empty keys folder.
        var newKeys = Path.Combine(folder, "keys-of-the-new-machine");
        var fresh = new Dictionary<string, string?> { ["Aftercare:DataProtection:KeysFolder"] = newKeys };
        var target = AftercareApplication.Provider == "postgres" ? await EmptyPostgresDatabaseAsync() : Path.Combine(folder, "new-machine", "aftercare.db");

        var wrong = await CliTests.AftercareWith(fresh, "not the passphrase at all", "restore", file, "--db", target);
        Assert.Equal(1, wrong.Code);
        Assert.Contains("The passphrase does not open this backup's keys. Nothing was restored.", wrong.Err, StringComparison.Ordinal);
        Assert.False(Directory.Exists(newKeys) && Directory.EnumerateFiles(newKeys).Any());
        if (AftercareApplication.Provider != "postgres")
        {
            Assert.False(File.Exists(target));
        }

        var restored = await CliTests.AftercareWith(fresh, Passphrase, "restore", file, "--db", target);
        Assert.True(restored.Code == 0, restored.Err);
        Assert.Contains("Restored the backup", restored.Out, StringComparison.Ordinal);

        var verify = await CliTests.AftercareWith(fresh, null, "audit", "verify", "--db", target);
        Assert.True(verify.Code == 0, verify.Out + verify.Err);

        await using (var restoredApp = Program.BuildWebApp(AftercareApplication.Settings(target, app.Clock, fresh, null)))
        {
            await using var scope = restoredApp.Services.CreateAsyncScope();
            var after = await EncryptionTests.EveryPlaintextAsync(scope.ServiceProvider.GetRequiredService<AftercareDbContext>());
            Assert.Equal(before, after);
        }

        // Restoring over what is there is refused.
        var over = await CliTests.AftercareWith(fresh, Passphrase, "restore", file, "--db", target);
        Assert.Equal(1, over.Code);
        Assert.Contains(AftercareApplication.Provider == "postgres" ? "already has tables" : "already exists", over.Err, StringComparison.Ordinal);
    }

    private static async Task<string> EmptyPostgresDatabaseAsync()
    {
        var name = $"aftercare_restored_{Guid.NewGuid():N}";
        await using var admin = new NpgsqlConnection(AftercareApplication.PostgresAdmin);
        await admin.OpenAsync(Ct);
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
        await create.ExecuteNonQueryAsync(Ct);
        return new NpgsqlConnectionStringBuilder(AftercareApplication.PostgresAdmin) { Database = name }.ToString();
    }
}
