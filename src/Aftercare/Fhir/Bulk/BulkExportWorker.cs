using System.Text;
using Aftercare.App;
using Aftercare.App.Audit;
using Aftercare.App.Bulk;
using Aftercare.App.Data;
using Aftercare.Domain.Audit;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Fhir.Bulk;

/// <summary>
/// Runs bulk exports one at a time, in the order asked, as the outbox worker sends messages: each
/// export is claimed with one conditional UPDATE (so two servers never run the same one) and the
/// claim is renewed after every batch of people. An export whose claim lapsed (its server stopped
/// part-way) is picked up again by the next worker and started over: what the earlier run wrote is
/// deleted first, so a manifest never lists a file twice. People are read in keyset batches by id,
/// each person's record loaded and mapped by the loaders the searches use (<see cref="ExportedTypes"/>),
/// and each type's NDJSON is closed into a file once it reaches the configured size, so memory holds
/// one batch and one unfinished file per type, never the whole export. Finished exports are deleted
/// at their expiry.
/// </summary>
public sealed partial class BulkExportWorker(IServiceScopeFactory scopes, TimeProvider clock, BulkExportOptions options, ILogger<BulkExportWorker> logger) : BackgroundService
{
    private readonly string _name = $"bulk-{Guid.NewGuid():N}"[..20];
    private readonly SemaphoreSlim _wake = new(0);

    /// <summary>A kick-off was saved: run now rather than at the next poll.</summary>
    public void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    protected override async System.Threading.Tasks.Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.RunWorker)
        {
            return;
        }

        // The poll is wall time, not the application's clock: the clock says what is due (expiry,
        // a lapsed claim), the timer only how often to look. A clock moved forward by days (as tests
        // move it) must not run the worker once per poll interval it skipped, inline in the mover.
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(1, options.PollSeconds)), TimeProvider.System);
        // One wait on the timer and one on a wake-up at a time, each renewed only once it has fired, so no wake-up is lost.
        Task<bool>? tick = null;
        System.Threading.Tasks.Task? woken = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await RunOnceAsync(stoppingToken))
                {
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogRunFailed(logger, e.GetType().Name);
            }

            tick ??= timer.WaitForNextTickAsync(stoppingToken).AsTask();
            woken ??= _wake.WaitAsync(stoppingToken);
            try
            {
                var first = await System.Threading.Tasks.Task.WhenAny(tick, woken);
                await first;
                if (first == tick)
                {
                    if (!tick.Result)
                    {
                        return;
                    }

                    tick = null;
                }
                else
                {
                    woken = null;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Deletes what has expired, then runs the next export waiting (or abandoned); whether there was one.</summary>
    public async Task<bool> RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AftercareDbContext>();
        var now = clock.GetUtcNow();
        foreach (var expired in await db.BulkExports.Where(e => e.ExpiresAt != null && e.ExpiresAt <= now).Select(e => e.Id).ToListAsync(ct))
        {
            await DeleteAsync(db, expired, ct);
        }

        var next = await db.BulkExports.AsNoTracking()
            .Where(e => e.Status == BulkExportStatus.Queued || (e.Status == BulkExportStatus.Running && e.ClaimedUntil < now))
            .OrderBy(e => e.RequestedAt).Select(e => (Guid?)e.Id).FirstOrDefaultAsync(ct);
        if (next is not { } id)
        {
            return false;
        }

        var claimed = await db.BulkExports
            .Where(e => e.Id == id && (e.Status == BulkExportStatus.Queued || (e.Status == BulkExportStatus.Running && e.ClaimedUntil < now)))
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.Status, BulkExportStatus.Running).SetProperty(e => e.ClaimedBy, _name).SetProperty(e => e.ClaimedUntil, Lease()), ct);
        if (claimed == 1)
        {
            try
            {
                await RunAsync(db, scope.ServiceProvider, id, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A fault on this side ends this export, named by its kind only (never a record's content).
                LogExportFailed(logger, id, e.GetType().Name);
                db.ChangeTracker.Clear();
                await FailAsync(db, id, $"The export stopped on a fault on the server's side ({e.GetType().Name}). Start it again; if it fails again, tell the service.");
            }
        }

        return true;
    }

    /// <summary>An export and its files, gone (cancelled, or expired).</summary>
    public static async System.Threading.Tasks.Task DeleteAsync(AftercareDbContext db, Guid id, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        await db.BulkExportFiles.Where(f => f.ExportId == id).ExecuteDeleteAsync(ct);
        await db.BulkExports.Where(e => e.Id == id).ExecuteDeleteAsync(ct);
    }

    private DateTimeOffset Lease() => clock.GetUtcNow().AddMinutes(Math.Max(1, options.ClaimMinutes));

    private async System.Threading.Tasks.Task RunAsync(AftercareDbContext db, IServiceProvider services, Guid id, CancellationToken ct)
    {
        // Started over if an earlier run was interrupted: its files go first.
        await db.BulkExportFiles.Where(f => f.ExportId == id).ExecuteDeleteAsync(ct);
        var export = await db.BulkExports.FirstAsync(e => e.Id == id, ct);
        var actor = new Actor(export.ClientId, export.ClientId, []);
        // The record is read on the standby (Aftercare:StandbyDatabase) once it shows this export's
        // kick-off, so that it holds everything written before it; a standby further behind than the
        // wait is passed over for the primary. The export's state, files and audit are written on the primary.
        var stale = services.GetRequiredService<StaleReads>();
        await using var standby = await stale.OpenCaughtUpAsync((s, token) => s.BulkExports.AnyAsync(e => e.Id == id, token), StandbyWait, ct);
        if (stale.Configured && standby is null)
        {
            LogStandbyBehind(logger, id, StandbyWait.TotalSeconds);
        }

        var read = standby ?? db;
        var people = export.Level == BulkExportLevel.Group ? GroupFhir.Members(read, export.GroupId!.Value) : read.People.Select(p => p.Id);
        // transactionTime, the point before which every change is in the export: on the standby, the kick-off it has replayed; on the primary, now.
        var now = clock.GetUtcNow();
        export.Begin(_name, now, Lease(), await people.CountAsync(ct), standby is null ? now : export.RequestedAt);
        await db.SaveChangesAsync(ct);

        var types = export.TypeList;
        var record = ExportedTypes.Record.Where(r => types.Contains(r.Type)).ToList();
        var appBase = AppBase(export.Request);
        var output = new Output(export, options.MaxFileCharacters, clock, CanonicalUrls.PublicBase(services.GetRequiredService<Aftercare.Hosting.PublicAddress>().Base));
        var done = 0;
        Guid? after = null;
        while (record.Count > 0)
        {
            // Keyset: the next batch starts after the last id of the one before, so no one is read twice or missed.
            var batch = await (after is { } last ? people.Where(p => p.CompareTo(last) > 0) : people).OrderBy(p => p).Take(Math.Max(1, options.PeoplePerBatch)).ToListAsync(ct);
            if (batch.Count == 0)
            {
                break;
            }

            foreach (var person in batch)
            {
                var included = false;
                foreach (var (type, load) in record)
                {
                    foreach (var resource in await load(read, appBase, person, ct))
                    {
                        included |= output.Add(type, resource);
                    }
                }

                // Audited as the client's, against each person whose data the export holds (IHE BALP: one event a person).
                if (included)
                {
                    db.Audit(clock, actor, AuditAction.RegistryExported, AuditPurpose.Administration, person, $"fhir $export {export.Id}");
                }
            }

            done += batch.Count;
            after = batch[^1];
            if (!await StillWantedAsync(db, id, ct))
            {
                return;
            }

            export.Progress(done, Lease());
            output.Close(db, full: true);
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
            db.Attach(export);
        }

        foreach (var (type, load) in ExportedTypes.Lists.Where(l => types.Contains(l.Type)))
        {
            foreach (var resource in await load(read, services, ct))
            {
                output.Add(type, resource);
            }
        }

        if (!await StillWantedAsync(db, id, ct))
        {
            return;
        }

        output.Close(db, full: false);
        export.Complete(clock.GetUtcNow(), Keep);
        db.Audit(clock, actor, AuditAction.RegistryExported, AuditPurpose.Administration, null, $"fhir $export {export.Id} completed: {Words.Count(output.Files, "file")}");
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Deleted by its client while it ran: stop, writing nothing more.</summary>
    private static Task<bool> StillWantedAsync(AftercareDbContext db, Guid id, CancellationToken ct) => db.BulkExports.AnyAsync(e => e.Id == id, ct);

    /// <summary>Marked failed, its partial files deleted: the status URL then answers with an OperationOutcome saying so.</summary>
    private async System.Threading.Tasks.Task FailAsync(AftercareDbContext db, Guid id, string error)
    {
        if (await db.BulkExports.FirstOrDefaultAsync(e => e.Id == id) is { } export)
        {
            await db.BulkExportFiles.Where(f => f.ExportId == id).ExecuteDeleteAsync();
            export.Fail(error, clock.GetUtcNow(), Keep);
            await db.SaveChangesAsync();
        }
    }

    /// <summary>How long to wait for the standby to show the kick-off: at most half the claim, so that the claim never lapses while waiting.</summary>
    private TimeSpan StandbyWait => TimeSpan.FromSeconds(Math.Clamp(options.StandbyWaitSeconds, 0, Math.Max(1, options.ClaimMinutes) * 30));

    private TimeSpan Keep => TimeSpan.FromMinutes(Math.Max(1, options.ExpireMinutes));

    /// <summary>The application's address from the kick-off URL (the pages a DocumentReference links to are not under /fhir).</summary>
    private static string AppBase(string request)
    {
        var at = request.IndexOf(FhirRoutes.Base + "/", StringComparison.Ordinal);
        return at < 0 ? request : request[..at];
    }

    /// <summary>Each type's NDJSON as it grows: a type's text becomes a file once it reaches the size, and at the end.</summary>
    /// <param name="publicBase">Canonical URLs are written on this server's public address, as the reads give them.</param>
    private sealed class Output(BulkExport export, int maxCharacters, TimeProvider clock, string publicBase)
    {
        private readonly Dictionary<string, (StringBuilder Text, int Count)> _open = new(StringComparer.Ordinal);

        public int Files { get; private set; }

        /// <summary>Adds a resource (if it changed after <c>_since</c>, on the lastUpdated the searches use); whether it was added.</summary>
        public bool Add(string type, Resource resource)
        {
            if (export.Since is { } since && (resource.Meta?.LastUpdated is not { } updated || updated <= since))
            {
                return false;
            }

            var (text, count) = _open.TryGetValue(type, out var open) ? open : (new StringBuilder(), 0);
            text.Append(CanonicalUrls.Outward(FhirJson.Serialize(resource), publicBase)).Append('\n');
            _open[type] = (text, count + 1);
            return true;
        }

        /// <summary>Turns into files the types that reached the size (<paramref name="full"/>), or every one left (at the end).</summary>
        public void Close(AftercareDbContext db, bool full)
        {
            foreach (var type in _open.Keys.ToList())
            {
                var (text, count) = _open[type];
                if (count == 0 || (full && text.Length < maxCharacters))
                {
                    continue;
                }

                db.BulkExportFiles.Add(BulkExportFile.Write(export.Id, type, ++Files, count, text.ToString(), clock.GetUtcNow()));
                _open[type] = (new StringBuilder(), 0);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bulk export {Export} is read from the primary: the standby did not show its kick-off within {Seconds} s")]
    private static partial void LogStandbyBehind(ILogger logger, Guid export, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "A bulk export run failed: {Kind}")]
    private static partial void LogRunFailed(ILogger logger, string kind);

    [LoggerMessage(Level = LogLevel.Error, Message = "Bulk export {Export} failed: {Kind}")]
    private static partial void LogExportFailed(ILogger logger, Guid export, string kind);
}
