using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aftercare.App;
using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Users;
using Microsoft.EntityFrameworkCore;
using Kind = Aftercare.App.Audit.VerifyAudit.BreakKind;

namespace Aftercare.Tests;

/// <summary>
/// Issue #6 point 3: the audit is a hash chain, and `aftercare audit verify` finds any event
/// modified, deleted, inserted or reordered, and the last good one. Tampering happens in a copy.
/// </summary>
public sealed class AuditChainTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Concurrent_FHIR_reads_each_leave_their_audit_event_in_the_chain_before_the_answer()
    {
        var clinician = await app.ClientFor(Roles.Clinician);
        var response = await clinician.PostAsJsonAsync("api/presentations",
            Requests.Presentation(await app.SiteId(), AftercareApplication.Now.AddHours(-2), newPerson: Requests.NewPerson(Requests.NewMrn())), Ct);
        var personId = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("personId").GetGuid();
        var batcher = app.Services.GetRequiredService<AuditBatcher>();
        var before = batcher.Counts;
        var viewed = await app.Read(db => db.AuditEvents.CountAsync(e => e.PersonId == personId && e.Action == AuditAction.PersonViewed, Ct));

        // Forty reads, eight at a time: the audit of reads arriving together is committed together (group commit).
        using var gate = new SemaphoreSlim(8);
        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(async _ =>
        {
            await gate.WaitAsync(Ct);
            try
            {
                var read = await clinician.GetAsync($"fhir/Patient/{personId}", Ct);
                // Once the answer has arrived, its audit event is already in the database.
                var audited = await app.Read(db => db.AuditEvents.CountAsync(e => e.PersonId == personId && e.Action == AuditAction.PersonViewed, Ct));
                return (read.StatusCode, audited);
            }
            finally
            {
                gate.Release();
            }
        }));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        Assert.All(answers, a => Assert.True(a.audited > viewed));
        Assert.Equal(viewed + 40, await app.Read(db => db.AuditEvents.CountAsync(e => e.PersonId == personId && e.Action == AuditAction.PersonViewed, Ct)));
        var after = batcher.Counts;
        Assert.Equal(40, after.Requests - before.Requests);
        Assert.InRange(after.Commits - before.Commits, 1, 40);
        var report = await app.Read(db => VerifyAudit.Handle(db, null, Ct));
        Assert.True(report.IsIntact, report.Broken?.Explanation);
    }

    [Fact]
    public async Task The_audit_of_demo_data_and_everyday_use_verifies_as_intact()
    {
        var clinician = await app.ClientFor(Roles.Clinician);
        var response = await clinician.PostAsJsonAsync("api/presentations",
            Requests.Presentation(await app.SiteId(), AftercareApplication.Now.AddHours(-2), newPerson: Requests.NewPerson(Requests.NewMrn())), Ct);
        var personId = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("personId").GetGuid();
        await clinician.GetStringAsync($"people/{personId}", Ct);
        await (await app.ClientFor(Roles.Administrator)).GetStringAsync($"api/audit?personId={personId}", Ct);

        var report = await app.Read(db => VerifyAudit.Handle(db, null, Ct, batchSize: 50));

        Assert.True(report.IsIntact, report.Broken?.Explanation);
        Assert.Equal(report.Total, report.Checked);
        Assert.Equal(report.Total, report.LastGood!.Position);
        var newest = await app.Read(db => db.AuditEvents.OrderByDescending(e => e.Sequence).FirstAsync(Ct));
        Assert.Equal(AuditAction.AuditSearched, newest.Action);
        Assert.Equal(newest.Id, report.LastGood.Id);
        // Each committed event moved the checkpoint in the keys folder on.
        Assert.Equal(report.Total, report.Checkpoint);
    }

    [Fact]
    public async Task The_checkpoint_stays_where_it_was_when_an_audited_transaction_is_rolled_back()
    {
        await EverydayUse();
        var seal = app.Services.GetRequiredService<AuditSeal>();
        var before = seal.ReadCheckpoint()!;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AftercareDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync(Ct);
            db.Audit(app.Clock, new Actor("rollback-test", "rollback@example.org", []), AuditAction.PersonViewed, AuditPurpose.DirectCare);
            await db.SaveChangesAsync(Ct);
            await transaction.RollbackAsync(Ct);
        }

        Assert.Equal(before, seal.ReadCheckpoint());
    }

    [Fact]
    public async Task The_checkpoint_moves_on_to_each_committed_event()
    {
        await EverydayUse();
        var seal = app.Services.GetRequiredService<AuditSeal>();
        await app.Read(db =>
        {
            db.Audit(app.Clock, new Actor("commit-test", "commit@example.org", []), AuditAction.PersonViewed, AuditPurpose.DirectCare);
            return db.SaveChangesAsync(Ct);
        });

        var after = seal.ReadCheckpoint()!;
        Assert.True(after.Genuine);
        var newest = await app.Read(db => db.AuditEvents.OrderByDescending(e => e.Sequence).FirstAsync(Ct));
        Assert.Equal((newest.Sequence, newest.Hash), (after.Position, after.Hash));
        Assert.True((await app.Read(db => VerifyAudit.Handle(db, null, Ct))).IsIntact);
    }

    [Fact]
    public void The_audit_key_and_checkpoint_are_readable_by_Aftercares_account_only()
    {
        var seal = app.Services.GetRequiredService<AuditSeal>();
        Assert.True(File.Exists(seal.KeyPath), "the key is made at the first start");
        Assert.StartsWith(Path.GetFullPath(seal.KeysFolder), Path.GetFullPath(seal.KeyPath), StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(seal.KeyPath));
            if (File.Exists(seal.CheckpointPath))
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(seal.CheckpointPath));
            }
        }
    }

    [Fact]
    public async Task Concurrent_writers_extend_one_unbroken_chain()
    {
        var before = await app.AuditCount();
        var people = await app.Read(db => db.People.OrderBy(p => p.Id).Select(p => p.Id).Take(5).ToListAsync(Ct));
        var clients = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => app.ClientFor(Roles.Clinician)));
        // Twenty requests through the web app and ten DbContexts of their own, all at once.
        var requests = Enumerable.Range(0, 20).Select(i => clients[i % clients.Length].GetStringAsync($"people/{people[i % people.Count]}", Ct));
        var writers = Enumerable.Range(0, 10).Select(async i =>
        {
            await using var scope = app.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AftercareDbContext>();
            db.Audit(app.Clock, new Actor("concurrency-test", "concurrency@example.org", []), AuditAction.PersonViewed, AuditPurpose.DirectCare, people[i % people.Count]);
            db.Audit(app.Clock, new Actor("concurrency-test", "concurrency@example.org", []), AuditAction.DocumentViewed, AuditPurpose.DirectCare, people[i % people.Count]);
            await db.SaveChangesAsync(Ct);
        });
        await Task.WhenAll([.. requests, .. writers]);

        var positions = await app.Read(db => db.AuditEvents.OrderBy(e => e.Sequence).Select(e => e.Sequence).ToListAsync(Ct));
        Assert.True(positions.Count >= before + 40);
        Assert.Equal(Enumerable.Range(1, positions.Count).Select(p => (long)p), positions);
        var report = await app.Read(db => VerifyAudit.Handle(db, null, Ct));
        Assert.True(report.IsIntact, report.Broken?.Explanation);
        Assert.Equal(positions.Count, report.Checked);
        // Commits that came while another was writing the checkpoint left theirs to it: it still ends at the newest.
        Assert.Equal(positions[^1], app.Services.GetRequiredService<AuditSeal>().ReadCheckpoint()!.Position);
    }

    [Fact]
    public async Task The_applications_connection_cannot_change_or_remove_audit_events()
    {
        await EverydayUse();
        var first = await app.Read(db => db.AuditEvents.AsNoTracking().SingleAsync(e => e.Sequence == 1, Ct));
        await app.Read(async db =>
        {
            await Assert.ThrowsAnyAsync<DbException>(() =>
                db.Database.ExecuteSqlRawAsync("""UPDATE "AuditEvents" SET "Actor" = 'someone-else@example.org' WHERE "Sequence" = 1""", Ct));
            await Assert.ThrowsAnyAsync<DbException>(() =>
                db.Database.ExecuteSqlRawAsync("""DELETE FROM "AuditEvents" WHERE "Sequence" = 1""", Ct));
            await Assert.ThrowsAnyAsync<DbException>(() => db.AuditEvents.ExecuteDeleteAsync(Ct));
            if (!AuditCopy.IsSqlite)
            {
                await Assert.ThrowsAnyAsync<DbException>(() => db.Database.ExecuteSqlRawAsync("""TRUNCATE "AuditEvents" """, Ct));
            }

            return 0;
        });

        var after = await app.Read(db => db.AuditEvents.AsNoTracking().SingleAsync(e => e.Sequence == 1, Ct));
        Assert.Equal(first.Actor, after.Actor);
        Assert.Equal(first.Hash, after.Hash);
        Assert.True((await app.Read(db => VerifyAudit.Handle(db, null, Ct))).IsIntact);
    }

    [Fact]
    public async Task A_modified_event_is_found_with_the_last_good_one_before_it()
    {
        await using var copy = await TamperableCopy();
        var k = await Middle(copy);
        await copy.Sql($"""UPDATE "AuditEvents" SET "Actor" = 'someone-else@example.org' WHERE "Sequence" = {k}""");

        var report = await copy.VerifyAsync();

        AssertBroken(report, Kind.Modified, k, lastGood: k - 1);
        Assert.Equal(await IdAt(copy, k), report.Broken!.EventId);
    }

    [Fact]
    public async Task A_deleted_event_is_found_with_the_last_good_one_before_it()
    {
        await using var copy = await TamperableCopy();
        var k = await Middle(copy);
        await copy.Sql($"""DELETE FROM "AuditEvents" WHERE "Sequence" = {k}""");

        AssertBroken(await copy.VerifyAsync(), Kind.Deleted, k, lastGood: k - 1);
    }

    [Fact]
    public async Task An_inserted_event_is_found_even_with_a_correctly_computed_hash()
    {
        await using var copy = await TamperableCopy();
        var k = await Middle(copy);
        var before = await copy.Use(db => db.AuditEvents.AsNoTracking().SingleAsync(e => e.Sequence == k, Ct));
        // A forger who knows the algorithm: a back-dated event, sealed after event k, later ones moved up one place.
        var forged = AuditEvent.Record(before.At, "forger", "forger@example.org", AuditAction.PersonViewed, AuditPurpose.DirectCare, Guid.NewGuid());
        forged.Seal(k + 1, before.Hash);
        await copy.Sql($"""UPDATE "AuditEvents" SET "Sequence" = -"Sequence" WHERE "Sequence" > {k}""");
        await copy.Sql("""UPDATE "AuditEvents" SET "Sequence" = 1 - "Sequence" WHERE "Sequence" < 0""");
        var id = await copy.Use(db => db.AuditEvents.MaxAsync(e => e.Id, Ct)) + 1;
        await copy.Use(async db =>
        {
            await AuditCopy.InsertAsync(db, forged, id);
            return 0;
        });

        var report = await copy.VerifyAsync();

        AssertBroken(report, Kind.Inserted, k + 1, lastGood: k);
        Assert.Equal(id, report.Broken!.EventId);
    }

    [Fact]
    public async Task An_event_added_with_a_made_up_hash_or_outside_the_chain_is_found()
    {
        await using var copy = await TamperableCopy();
        var last = await copy.Use(db => db.AuditEvents.AsNoTracking().OrderByDescending(e => e.Sequence).FirstAsync(Ct));
        var id = last.Id + 1;
        var made = AuditEvent.Record(last.At, "forger", "forger@example.org", AuditAction.PersonViewed, AuditPurpose.DirectCare);
        made.Seal(last.Sequence + 1, new string('a', 64));
        await copy.Use(async db =>
        {
            await AuditCopy.InsertAsync(db, made, id, madeUpHash: new string('b', 64));
            return 0;
        });
        AssertBroken(await copy.VerifyAsync(), Kind.Inserted, last.Sequence + 1, lastGood: last.Sequence);

        await copy.Sql($"""DELETE FROM "AuditEvents" WHERE "Id" = {id}""");
        // No position at all: a row the chain never reaches.
        var outside = AuditEvent.Record(last.At, "forger", "forger@example.org", AuditAction.PersonViewed, AuditPurpose.DirectCare);
        await copy.Use(async db =>
        {
            await AuditCopy.InsertAsync(db, outside, id);
            return 0;
        });
        var report = await copy.VerifyAsync();
        Assert.Equal(Kind.Inserted, report.Broken?.Kind);
        Assert.Equal(id, report.Broken!.EventId);
        Assert.Equal(last.Sequence, report.LastGood!.Position);
    }

    [Fact]
    public async Task Reordered_events_are_found_with_the_last_good_one_before_them()
    {
        await using var copy = await TamperableCopy();
        var k = await Middle(copy);
        await copy.Sql($"""UPDATE "AuditEvents" SET "Sequence" = -1 WHERE "Sequence" = {k}""");
        await copy.Sql($"""UPDATE "AuditEvents" SET "Sequence" = {k} WHERE "Sequence" = {k + 1}""");
        await copy.Sql($"""UPDATE "AuditEvents" SET "Sequence" = {k + 1} WHERE "Sequence" = -1""");

        AssertBroken(await copy.VerifyAsync(), Kind.Reordered, k, lastGood: k - 1);
    }

    [Fact]
    public async Task An_event_replaced_with_a_recomputed_hash_is_found()
    {
        await using var copy = await TamperableCopy();
        var k = await Middle(copy);
        var original = await copy.Use(db => db.AuditEvents.AsNoTracking().SingleAsync(e => e.Sequence == k, Ct));
        var replacement = AuditEvent.Record(original.At, original.ActorId, "someone-else@example.org", original.Action, original.Purpose, original.PersonId, original.EntityId);
        replacement.Seal(k, original.PreviousHash);
        await copy.Sql($"""DELETE FROM "AuditEvents" WHERE "Id" = {original.Id}""");
        await copy.Use(async db =>
        {
            await AuditCopy.InsertAsync(db, replacement, original.Id);
            return 0;
        });

        AssertBroken(await copy.VerifyAsync(), Kind.Modified, k, lastGood: k - 1);
    }

    [Fact]
    public async Task Events_cut_from_the_end_are_found_against_the_checkpoint()
    {
        await using var copy = await TamperableCopy();
        var intact = await copy.VerifyAsync();
        Assert.True(intact.IsIntact, intact.Broken?.Explanation);
        Assert.Equal(intact.LastGood!.Position, intact.Checkpoint);
        var head = intact.LastGood.Position;

        await copy.Sql($"""DELETE FROM "AuditEvents" WHERE "Sequence" > {head - 3}""");

        // The chain alone cannot tell a shorter audit from a younger one; the checkpoint, kept where the database's users cannot write, can.
        AssertBroken(await copy.VerifyAsync(), Kind.Deleted, head - 2, lastGood: head - 3);
    }

    [Fact]
    public async Task Events_cut_from_the_end_are_found_against_a_head_kept_elsewhere()
    {
        await using var copy = await TamperableCopy();
        var intact = await copy.VerifyAsync();
        var kept = new VerifyAudit.Anchor(intact.LastGood!.Position, intact.LastGood.Hash);
        Assert.True((await copy.VerifyAsync(kept)).IsIntact);

        await copy.Sql($"""DELETE FROM "AuditEvents" WHERE "Sequence" > {kept.Position - 3}""");
        // Without the checkpoint too: the head written down by hand finds the cut on its own.
        File.Delete(copy.Seal.CheckpointPath);

        AssertBroken(await copy.VerifyAsync(kept), Kind.Deleted, kept.Position - 2, lastGood: kept.Position - 3);
    }

    [Fact]
    public async Task An_emptied_audit_is_found_against_the_checkpoint()
    {
        await using var copy = await TamperableCopy();
        var head = (await copy.VerifyAsync()).LastGood!.Position;

        await copy.Sql("""DELETE FROM "AuditEvents" """);

        var report = await copy.VerifyAsync();
        Assert.False(report.IsIntact);
        Assert.Equal(Kind.Deleted, report.Broken!.Kind);
        Assert.Equal(1, report.Broken.Position);
        Assert.Null(report.LastGood);
        Assert.Contains($"position {head}", report.Broken.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chain_rebuilt_from_a_changed_event_with_recomputed_hashes_is_found()
    {
        await using var copy = await TamperableCopy();
        var k = await Middle(copy);
        var originals = await copy.Use(db => db.AuditEvents.AsNoTracking().Where(e => e.Sequence >= k).OrderBy(e => e.Sequence).ToListAsync(Ct));
        // A forger who knows the algorithm changes event k and recomputes every hash after it,
        // keeping the MACs that were there: they cannot make new ones without the key.
        var previous = originals[0].PreviousHash;
        await copy.Sql($"""DELETE FROM "AuditEvents" WHERE "Sequence" >= {k}""");
        foreach (var original in originals)
        {
            var actor = original.Sequence == k ? "someone-else@example.org" : original.Actor;
            var rebuilt = AuditEvent.Record(original.At, original.ActorId, actor, original.Action, original.Purpose, original.PersonId, original.EntityId);
            rebuilt.Seal(original.Sequence, previous);
            previous = rebuilt.Hash;
            await copy.Use(async db =>
            {
                await AuditCopy.InsertAsync(db, rebuilt, original.Id, copiedMac: original.Mac);
                return 0;
            });
        }

        var report = await copy.VerifyAsync();

        AssertBroken(report, Kind.Modified, k, lastGood: k - 1);
        Assert.Equal(originals[0].Id, report.Broken!.EventId);
    }

    [Fact]
    public async Task An_event_appended_with_a_correctly_computed_hash_is_found()
    {
        await using var copy = await TamperableCopy();
        var last = await copy.Use(db => db.AuditEvents.AsNoTracking().OrderByDescending(e => e.Sequence).FirstAsync(Ct));
        var forged = AuditEvent.Record(last.At, "forger", "forger@example.org", AuditAction.PersonViewed, AuditPurpose.DirectCare, Guid.NewGuid());
        forged.Seal(last.Sequence + 1, last.Hash);
        await copy.Use(async db =>
        {
            // Even with a MAC copied from a genuine event: a MAC is over its own event's hash.
            await AuditCopy.InsertAsync(db, forged, last.Id + 1, copiedMac: last.Mac);
            return 0;
        });

        var report = await copy.VerifyAsync();

        AssertBroken(report, Kind.Inserted, last.Sequence + 1, lastGood: last.Sequence);
        Assert.Equal(last.Id + 1, report.Broken!.EventId);
    }

    [Fact]
    public async Task An_altered_checkpoint_is_reported()
    {
        await using var copy = await TamperableCopy();
        var checkpoint = await File.ReadAllTextAsync(copy.Seal.CheckpointPath, Ct);
        var position = (await copy.VerifyAsync()).Checkpoint!.Value;
        await File.WriteAllTextAsync(copy.Seal.CheckpointPath, checkpoint.Replace($"\"Position\":{position}", $"\"Position\":{position - 5}", StringComparison.Ordinal), Ct);

        var altered = await copy.VerifyAsync();
        Assert.False(altered.IsIntact);
        Assert.Contains("checkpoint", altered.Broken!.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_checkpoint_is_not_taken_for_intact()
    {
        await using var copy = await TamperableCopy();
        File.Delete(copy.Seal.CheckpointPath);
        Assert.Equal(Kind.NoCheckpoint, (await copy.VerifyAsync()).Broken?.Kind);
    }

    [Fact]
    public async Task The_CLI_reports_an_intact_chain_and_exits_zero()
    {
        await EverydayUse();
        var run = await CliTests.Aftercare(null, "audit", "verify", "--db", app.Database);

        Assert.True(run.Code == 0, run.Err);
        Assert.Matches("The audit trail is intact: [0-9]+ events checked\\.", run.Out);
        Assert.Matches("--expect [0-9]+:[0-9a-f]{64}", run.Out);
    }

    [Fact]
    public async Task The_CLI_reports_where_the_chain_breaks_without_showing_who_or_whom()
    {
        await using var copy = await TamperableCopy();
        var k = await Middle(copy);
        var tampered = await copy.Use(db => db.AuditEvents.AsNoTracking().SingleAsync(e => e.Sequence == k, Ct));
        await copy.Sql($"""UPDATE "AuditEvents" SET "EntityId" = 'changed' WHERE "Sequence" = {k}""");

        var run = await CliTests.Aftercare(null, "audit", "verify", "--db", copy.Database);

        Assert.Equal(1, run.Code);
        Assert.Contains($"The audit trail is broken at position {k}: an event was changed or replaced.", run.Err, StringComparison.Ordinal);
        Assert.Contains($"Last good event: position {k - 1}", run.Out, StringComparison.Ordinal);
        // Ids and positions only: neither the staff member nor the person's record id is printed.
        Assert.DoesNotContain(tampered.Actor, run.Out + run.Err, StringComparison.Ordinal);
        if (tampered.PersonId is { } person)
        {
            Assert.DoesNotContain(person.ToString(), run.Out + run.Err, StringComparison.OrdinalIgnoreCase);
        }

        var badExpect = await CliTests.Aftercare(null, "audit", "verify", "--expect", "12:abc", "--db", copy.Database);
        Assert.NotEqual(0, badExpect.Code);
        Assert.Contains("--expect", badExpect.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_audit_page_shows_whether_the_chain_is_intact()
    {
        // Run first or alone, the audit holds only this sign-in ("1 event checked").
        await EverydayUse();
        var admin = await app.ClientFor(Roles.Administrator);
        var html = await admin.GetStringAsync("audit?verify=chain", Ct);
        Assert.Matches("The audit trail is intact: [0-9]+ events checked\\.", html);
    }

    /// <summary>Demo data are seeded without audit events; a morning's use writes some.</summary>
    private async Task EverydayUse()
    {
        if (await app.AuditCount() >= 30)
        {
            return;
        }

        var clinician = await app.ClientFor(Roles.Clinician);
        var people = await app.Read(db => db.People.OrderBy(p => p.Id).Select(p => p.Id).Take(15).ToListAsync(Ct));
        foreach (var person in people)
        {
            await clinician.GetStringAsync($"people/{person}", Ct);
        }

        await clinician.PostAsJsonAsync("api/people/search", new { identifierKind = "Mrn", name = "Fictional" }, Ct);
        var admin = await app.ClientFor(Roles.Administrator);
        foreach (var person in people)
        {
            await admin.GetStringAsync($"api/audit?personId={person}", Ct);
        }
    }

    private async Task<AuditCopy> TamperableCopy()
    {
        await EverydayUse();
        var copy = await AuditCopy.OfAsync(app);
        await copy.DisableAppendOnlyAsync();
        return copy;
    }

    private static async Task<long> Middle(AuditCopy copy)
    {
        var last = await copy.Use(db => db.AuditEvents.MaxAsync(e => e.Sequence, Ct));
        Assert.True(last > 20, "the demo data write enough audit events to tamper with");
        return last / 2;
    }

    private static Task<long> IdAt(AuditCopy copy, long position) =>
        copy.Use(db => db.AuditEvents.Where(e => e.Sequence == position).Select(e => e.Id).SingleAsync(Ct));

    private static void AssertBroken(VerifyAudit.Report report, Kind kind, long position, long lastGood)
    {
        Assert.False(report.IsIntact);
        Assert.True(kind == report.Broken!.Kind, $"Expected {kind}, found {report.Broken.Kind}: {report.Broken.Explanation}");
        Assert.Equal(position, report.Broken.Position);
        Assert.Equal(lastGood, report.LastGood?.Position);
    }
}
