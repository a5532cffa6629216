using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Aftercare.Tests;

/// <summary>
/// A real PostgreSQL primary and a streaming standby on loopback, made by the test from Debian's
/// PostgreSQL 15 (installed by ./test.sh): initdb, the primary started, <c>pg_basebackup -R</c> for the
/// standby, which then follows the primary's WAL. Replication is synchronous
/// (<c>synchronous_standby_names = '*'</c>): a commit is acknowledged once the standby has it, so a
/// failover loses no acknowledged write. As root, the servers run as the postgres account.
/// </summary>
public sealed class PostgresPair : IAsyncDisposable
{
    private const string Bin = "/usr/lib/postgresql/15/bin";
    private readonly string _folder;

    private PostgresPair(string folder, int primaryPort, int standbyPort)
    {
        _folder = folder;
        PrimaryPort = primaryPort;
        StandbyPort = standbyPort;
    }

    public int PrimaryPort { get; }

    public int StandbyPort { get; }

    private string PrimaryData => Path.Combine(_folder, "primary");

    private string StandbyData => Path.Combine(_folder, "standby");

    public static async Task<PostgresPair> StartAsync()
    {
        if (!File.Exists(Path.Combine(Bin, "initdb")))
        {
            throw new InvalidOperationException("PostgreSQL 15 is not installed (apt-get install postgresql; ./test.sh does it).");
        }

        var folder = Path.Combine(Path.GetTempPath(), "ac-pair-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        if (Environment.UserName == "root")
        {
            await RunAsync("chown", "postgres:postgres", folder);
        }

        var pair = new PostgresPair(folder, FreePort(), FreePort());
        try
        {
            await AsPostgres("initdb", "-D", pair.PrimaryData, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8");
            await File.AppendAllTextAsync(Path.Combine(pair.PrimaryData, "postgresql.conf"),
                "\nsynchronous_standby_names = '*'\nwal_level = replica\nmax_wal_senders = 5\n");
            await pair.StartServer(pair.PrimaryData, pair.PrimaryPort);
            await AsPostgres("pg_basebackup", "-h", "127.0.0.1", "-p", pair.PrimaryPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "-U", "postgres", "-D", pair.StandbyData, "-R", "-X", "stream");
            await pair.StartServer(pair.StandbyData, pair.StandbyPort);
            return pair;
        }
        catch
        {
            await pair.DisposeAsync();
            throw;
        }
    }

    /// <summary>A connection string to one of the two, by port.</summary>
    public static string On(int port, string database) => $"Host=127.0.0.1;Port={port};Username=postgres;Database={database}";

    /// <summary>Runs SQL on one server and returns the first column of the first row.</summary>
    public static async Task<object?> ScalarAsync(int port, string sql, string database = "postgres")
    {
        await using var connection = new NpgsqlConnection(On(port, database) + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    /// <summary>Waits until the standby has replayed everything the primary has written (polling, bounded).</summary>
    public async Task CaughtUpAsync()
    {
        var target = (string)(await ScalarAsync(PrimaryPort, "SELECT pg_current_wal_lsn()::text"))!;
        for (var i = 0; i < 600; i++)
        {
            if (await ScalarAsync(StandbyPort, $"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn") is true)
            {
                return;
            }

            await Task.Delay(50); // polling for the replay position, not a fixed sleep
        }

        throw new TimeoutException("The standby did not catch up with the primary.");
    }

    public Task PauseReplayAsync() => ScalarAsync(StandbyPort, "SELECT pg_wal_replay_pause()");

    public Task ResumeReplayAsync() => ScalarAsync(StandbyPort, "SELECT pg_wal_replay_resume()");

    /// <summary>The primary's machine fails: stopped at once, no shutdown checkpoint.</summary>
    public Task StopPrimaryAsync() => AsPostgres("pg_ctl", "-D", PrimaryData, "-m", "immediate", "-w", "stop");

    /// <summary>
    /// The standby becomes the primary, as Patroni or pg_auto_failover would make it: promoted, and
    /// with no synchronous standby to wait for until a new one is attached (its configuration, copied
    /// from the old primary, names one, and every commit would wait for it).
    /// </summary>
    public async Task PromoteStandbyAsync()
    {
        await AsPostgres("pg_ctl", "-D", StandbyData, "-w", "promote");
        await ScalarAsync(StandbyPort, "ALTER SYSTEM SET synchronous_standby_names = ''");
        await ScalarAsync(StandbyPort, "SELECT pg_reload_conf()");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var data in new[] { StandbyData, PrimaryData })
        {
            if (Directory.Exists(data))
            {
                try
                {
                    await AsPostgres("pg_ctl", "-D", data, "-m", "immediate", "stop");
                }
                catch (InvalidOperationException)
                {
                    // Already stopped (the failover test stops the primary itself).
                }
            }
        }

        NpgsqlConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, true);
        }
        catch (IOException)
        {
            // Left for the temp folder's cleaning.
        }
        catch (UnauthorizedAccessException)
        {
            // Left for the temp folder's cleaning.
        }
    }

    private async Task StartServer(string data, int port)
    {
        var p = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await AsPostgres("pg_ctl", "-D", data, "-l", data + ".log", "-w", "-o", $"-p {p} -k {_folder} -c listen_addresses=127.0.0.1", "start");
    }

    private static Task AsPostgres(string tool, params string[] args) =>
        Environment.UserName == "root"
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(Bin, tool), .. args])
            : RunAsync(Path.Combine(Bin, tool), args);

    private static async Task RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = Path.GetTempPath() };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', args.Take(2))} exited {process.ExitCode}: {await error}{await output}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
