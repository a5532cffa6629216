using System.Diagnostics;
using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain.Audit;
using Npgsql;
using NpgsqlTypes;

namespace Aftercare.Bench;

/// <summary>
/// Seeds a migrated, empty PostgreSQL database at the size of a national service over five years
/// (issue 16): by default 1,000,000 people (e.g. "Ada Synth3fa9c1", MRN NAT0000001…) at 150 sites,
/// about 2,000,000 presentations, 900,000 aftercare episodes with about 10,000,000 contacts,
/// 2,000,000 referrals and a year of the audit (sealed into the chain and signed with the app's
/// key, so `audit verify` passes on it). Every date is relative to <c>now</c>, so that the last six
/// months' episodes are active and the worklists are as full as a service's would be. Binary COPY
/// throughout; encrypted columns get real ciphertext from the app's <see cref="FieldEncryption"/>.
/// </summary>
public static class NationalSeed
{
    public const int SiteCount = 150;

    /// <summary>Contacts of an episode: the first within 48 hours, then one every <see cref="FollowUpEveryDays"/> days.</summary>
    public const int FollowUps = 10;

    public const int FollowUpEveryDays = 17;

    /// <summary>Episodes begun this recently are still active.</summary>
    public const int ActiveDays = 180;

    private static readonly string[] Sexes = ["Female", "Male", "Other", "Unknown"];
    private static readonly string[] GivenNames = ["Ada", "Ben", "Cara", "Dev", "Emeka", "Fern", "Gus", "Hana", "Idris", "Jo", "Kofi", "Lena", "Mo", "Nia", "Oren", "Pia"];
    private static readonly string[] Histories = ["Yes", "No", "Unknown"];
    private static readonly string[] Pathways = ["young-people", "young-adults", "first-contact", "adults", "older-adults"];
    private static readonly string[] ReferralStatuses = ["Sent", "Accepted", "AppointmentBooked", "Attended", "Declined", "NotReached"];

    private struct PersonFacts
    {
        public Guid Id;
        public DateTimeOffset First;
        public DateOnly Birth;
        public byte Sex;
        public byte History;
        public short Site;
    }

    private struct PresentationFacts
    {
        public Guid Id;
        public int Person;
        public DateTimeOffset Arrived;
        public Guid Episode;
        public byte Pathway;
    }

    /// <summary>The sites made, in order; <see cref="Sites"/>[0] is the bench's "whole site".</summary>
    public static async Task<Guid[]> Run(string connectionString, int people, long auditEvents, FieldEncryption encryption, AuditSeal seal, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(encryption);
        ArgumentNullException.ThrowIfNull(seal);
        var clock = Stopwatch.StartNew();
        var random = new Random(2026);
        var years = 5;
        var start = now.AddYears(-years);
        var span = (now - start).TotalSeconds;
        var persons = new PersonFacts[people];
        var presentations = new List<PresentationFacts>(people * 2);
        for (var i = 0; i < people; i++)
        {
            ref var p = ref persons[i];
            p.Id = Guid.CreateVersion7();
            p.First = start.AddSeconds(random.NextDouble() * span);
            var age = 12 + (int)(random.NextDouble() * random.NextDouble() * 80);
            p.Birth = DateOnly.FromDateTime(p.First.UtcDateTime).AddYears(-age).AddDays(-random.Next(365));
            p.Sex = (byte)(random.NextDouble() switch { < 0.58 => 0, < 0.98 => 1, < 0.99 => 2, _ => 3 });
            p.History = (byte)random.Next(3);
            p.Site = (short)random.Next(SiteCount);
            // One presentation, then more with a chance of 0.56 each (geometric, cut at today): about two million for a million people.
            var arrived = p.First;
            do
            {
                var enrolled = random.NextDouble() < 0.45;
                presentations.Add(new PresentationFacts
                {
                    Id = Guid.CreateVersion7(), Person = i, Arrived = arrived,
                    Episode = enrolled ? Guid.CreateVersion7() : Guid.Empty,
                    Pathway = (byte)(age < 18 ? 0 : age < 25 ? 1 : age >= 65 ? 4 : random.Next(2) == 0 ? 2 : 3),
                });
                arrived = arrived.AddDays(1 + (-Math.Log(1 - random.NextDouble()) * 200));
            }
            while (arrived < now && random.NextDouble() < 0.56);
        }

        Console.WriteLine($"  generated {people:N0} people and {presentations.Count:N0} presentations in {clock.Elapsed.TotalSeconds:F1} s");

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var sites = new Guid[SiteCount];
        await MeasuresSeed.CopyRows(connection, "Sites", "\"Id\",\"Code\",\"Name\"", w =>
        {
            for (var s = 0; s < sites.Length; s++)
            {
                sites[s] = Guid.CreateVersion7();
                w.StartRow();
                w.Write(sites[s], NpgsqlDbType.Uuid);
                w.Write($"NAT-{s + 1:000}", NpgsqlDbType.Varchar);
                w.Write($"Synthetic Hospital {s + 1:000}", NpgsqlDbType.Varchar);
            }

            return sites.Length;
        });
        Guid service;
        await using (var serviceQuery = new NpgsqlCommand("SELECT \"Id\" FROM \"Services\" ORDER BY \"Code\" LIMIT 1", connection))
        {
            service = (Guid)(await serviceQuery.ExecuteScalarAsync() ?? throw new InvalidOperationException("No referral service is configured (appsettings Aftercare:Services)."));
        }

        await MeasuresSeed.CopyRows(connection, "People", "\"Id\",\"GivenName\",\"FamilyName\",\"DateOfBirth\",\"Sex\",\"PreferredChannel\",\"PriorPsychiatricHistory\",\"RegisteredAt\"", w =>
        {
            foreach (var p in persons)
            {
                w.StartRow();
                w.Write(p.Id, NpgsqlDbType.Uuid);
                // Names that vary as real ones do, so that finding a person by part of a name is measured as
                // it would be used (one given name in 16, a family name "Synth" and six hex digits of the id).
                w.Write(GivenNames[(p.Id.GetHashCode() & int.MaxValue) % GivenNames.Length], NpgsqlDbType.Varchar);
                w.Write("Synth" + p.Id.ToString("N")[..6], NpgsqlDbType.Varchar);
                w.Write(p.Birth, NpgsqlDbType.Date);
                w.Write(Sexes[p.Sex], NpgsqlDbType.Varchar);
                w.Write("Phone", NpgsqlDbType.Varchar);
                w.Write(Histories[p.History], NpgsqlDbType.Varchar);
                w.Write(p.First, NpgsqlDbType.TimestampTz);
            }

            return persons.Length;
        });
        await MeasuresSeed.CopyRows(connection, "PersonIdentifiers", "\"Kind\",\"Value\",\"PersonId\"", w =>
        {
            for (var i = 0; i < persons.Length; i++)
            {
                w.StartRow();
                w.Write("Mrn", NpgsqlDbType.Varchar);
                w.Write($"NAT{i + 1:0000000}", NpgsqlDbType.Varchar);
                w.Write(persons[i].Id, NpgsqlDbType.Uuid);
            }

            return persons.Length;
        });
        await MeasuresSeed.CopyRows(connection, "Presentations", "\"Id\",\"PersonId\",\"ArrivedAt\",\"SiteId\",\"Methods\",\"AlcoholInvolved\",\"MedicalTreatmentNeeded\",\"Disposition\",\"RecordedAt\",\"RecordedBy\",\"PsychosocialAssessmentAt\"", w =>
        {
            foreach (var p in presentations)
            {
                w.StartRow();
                w.Write(p.Id, NpgsqlDbType.Uuid);
                w.Write(persons[p.Person].Id, NpgsqlDbType.Uuid);
                w.Write(p.Arrived, NpgsqlDbType.TimestampTz);
                w.Write(sites[persons[p.Person].Site], NpgsqlDbType.Uuid);
                w.Write("MedicationOrDrugs", NpgsqlDbType.Varchar);
                w.Write("Unknown", NpgsqlDbType.Varchar);
                w.Write("Unknown", NpgsqlDbType.Varchar);
                w.Write("Discharged", NpgsqlDbType.Varchar);
                w.Write(p.Arrived, NpgsqlDbType.TimestampTz);
                w.Write("bench", NpgsqlDbType.Varchar);
                w.Write(p.Arrived.AddHours(3), NpgsqlDbType.TimestampTz);
            }

            return presentations.Count;
        });
        await MeasuresSeed.CopyRows(connection, "Episodes", "\"Id\",\"PersonId\",\"PresentationId\",\"PathwayId\",\"PathwayName\",\"PathwayVersion\",\"EnrolledAt\",\"EnrolledBy\",\"DischargedAt\",\"FirstContactDueBy\",\"Status\",\"ReEngagements\"", w =>
        {
            long count = 0;
            foreach (var p in presentations.Where(p => p.Episode != Guid.Empty))
            {
                var enrolled = p.Arrived.AddHours(6);
                w.StartRow();
                w.Write(p.Episode, NpgsqlDbType.Uuid);
                w.Write(persons[p.Person].Id, NpgsqlDbType.Uuid);
                w.Write(p.Id, NpgsqlDbType.Uuid);
                w.Write(Pathways[p.Pathway], NpgsqlDbType.Varchar);
                w.Write("Synthetic pathway " + Pathways[p.Pathway], NpgsqlDbType.Varchar);
                w.Write("2026-11-22", NpgsqlDbType.Varchar);
                w.Write(enrolled, NpgsqlDbType.TimestampTz);
                w.Write("bench", NpgsqlDbType.Varchar);
                w.Write(enrolled, NpgsqlDbType.TimestampTz);
                w.Write(enrolled.AddHours(48), NpgsqlDbType.TimestampTz);
                w.Write(now - enrolled < TimeSpan.FromDays(ActiveDays) ? "Active" : "Closed", NpgsqlDbType.Varchar);
                w.Write(0, NpgsqlDbType.Integer);
                count++;
            }

            return count;
        });

        // Ten million contacts, made as they are written: past ones done (a few still open and some
        // escalated, as a real worklist has), future ones due. The attempts list is encrypted per row.
        var attempts = "[]";
        await MeasuresSeed.CopyRows(connection, "Contacts", "\"Id\",\"EpisodeId\",\"PersonId\",\"Kind\",\"DueAt\",\"OriginallyDueAt\",\"Status\",\"Outcome\",\"CompletedAt\",\"NotReachedCount\",\"EscalatedAt\",\"Version\",\"Attempts\"", w =>
        {
            long count = 0;
            var chance = new Random(7);
            foreach (var p in presentations.Where(p => p.Episode != Guid.Empty))
            {
                var enrolled = p.Arrived.AddHours(6);
                var active = now - enrolled < TimeSpan.FromDays(ActiveDays);
                for (var k = 0; k <= FollowUps; k++)
                {
                    var due = k == 0 ? enrolled.AddHours(48) : enrolled.AddDays(k * FollowUpEveryDays);
                    var open = due >= now || (active && chance.NextDouble() < 0.03);
                    var id = Guid.CreateVersion7();
                    w.StartRow();
                    w.Write(id, NpgsqlDbType.Uuid);
                    w.Write(p.Episode, NpgsqlDbType.Uuid);
                    w.Write(persons[p.Person].Id, NpgsqlDbType.Uuid);
                    w.Write(k == 0 ? "FirstContact" : "FollowUp", NpgsqlDbType.Varchar);
                    w.Write(due, NpgsqlDbType.TimestampTz);
                    w.Write(due, NpgsqlDbType.TimestampTz);
                    w.Write(open ? "Due" : "Done", NpgsqlDbType.Varchar);
                    if (open)
                    {
                        w.WriteNull();
                        w.WriteNull();
                    }
                    else
                    {
                        w.Write(chance.NextDouble() < 0.7 ? "Reached" : "NotReached", NpgsqlDbType.Varchar);
                        w.Write(due.AddHours(chance.Next(40)), NpgsqlDbType.TimestampTz);
                    }

                    w.Write(0, NpgsqlDbType.Integer);
                    if (open && due < now && chance.NextDouble() < 0.2)
                    {
                        w.Write(due.AddDays(1), NpgsqlDbType.TimestampTz);
                    }
                    else
                    {
                        w.WriteNull();
                    }

                    w.Write(1, NpgsqlDbType.Integer);
                    w.Write(encryption.Protect("Contacts", "Attempts", id, attempts)!, NpgsqlDbType.Text);
                    count++;
                }
            }

            return count;
        });

        var reason = "Synthetic benchmark referral";
        await MeasuresSeed.CopyRows(connection, "Referrals", "\"Id\",\"PersonId\",\"ServiceId\",\"Preference\",\"SentAt\",\"SentBy\",\"Status\",\"Version\",\"Reason\",\"Steps\"", w =>
        {
            long count = 0;
            var chance = new Random(11);
            foreach (var p in persons)
            {
                for (var k = 0; k < 2; k++)
                {
                    var id = Guid.CreateVersion7();
                    w.StartRow();
                    w.Write(id, NpgsqlDbType.Uuid);
                    w.Write(p.Id, NpgsqlDbType.Uuid);
                    w.Write(service, NpgsqlDbType.Uuid);
                    w.Write("NoPreference", NpgsqlDbType.Varchar);
                    w.Write(p.First.AddHours(20 + (k * 24 * 30)), NpgsqlDbType.TimestampTz);
                    w.Write("bench", NpgsqlDbType.Varchar);
                    w.Write(ReferralStatuses[chance.Next(ReferralStatuses.Length)], NpgsqlDbType.Varchar);
                    w.Write(1, NpgsqlDbType.Integer);
                    w.Write(encryption.Protect("Referrals", "Reason", id, reason)!, NpgsqlDbType.Varchar);
                    w.Write(encryption.Protect("Referrals", "Steps", id, "[]")!, NpgsqlDbType.Text);
                    count++;
                }
            }

            return count;
        });

        await SeedAuditAsync(connection, persons, auditEvents, seal, now);

        // VACUUM as well as ANALYZE, as an operator does after a bulk load: a fresh COPY leaves no visibility map, so
        // the index-only scans the worklist and the dashboard are built on would visit the table for every row.
        Console.WriteLine("  VACUUM ANALYZE");
        await using (var analyze = new NpgsqlCommand("VACUUM ANALYZE", connection) { CommandTimeout = 0 })
        {
            await analyze.ExecuteNonQueryAsync();
        }

        Console.WriteLine($"  seeded in {clock.Elapsed.TotalSeconds:F1} s");
        return sites;
    }

    /// <summary>
    /// A year of record views, in time order, each sealed after the chain's head and signed with
    /// the audit key; the checkpoint moves to the new head. The year's monthly partitions are made
    /// first (ADR 0016), as a service that ran that year would have them.
    /// </summary>
    private static async Task SeedAuditAsync(NpgsqlConnection connection, PersonFacts[] persons, long count, AuditSeal seal, DateTimeOffset now)
    {
        var yearAgo = now.AddYears(-1);
        await using (var months = new NpgsqlCommand("SELECT count(*) FILTER (WHERE aftercare_audit_month(m::date)) FROM generate_series(date_trunc('month', $1 AT TIME ZONE 'UTC'), $2 AT TIME ZONE 'UTC', interval '1 month') AS m", connection)
        {
            Parameters = { new() { Value = yearAgo }, new() { Value = now } },
        })
        {
            Console.WriteLine($"  made {await months.ExecuteScalarAsync()} monthly audit partitions for the year");
        }

        long sequence = 0;
        var previous = AuditEvent.Genesis;
        await using (var head = new NpgsqlCommand("SELECT \"Sequence\", \"Hash\" FROM \"AuditEvents\" ORDER BY \"Sequence\" DESC LIMIT 1", connection))
        await using (var reader = await head.ExecuteReaderAsync())
        {
            if (await reader.ReadAsync())
            {
                sequence = reader.GetInt64(0);
                previous = reader.GetString(1);
            }
        }

        var step = (now - yearAgo).Ticks / Math.Max(1, count);
        var chance = new Random(13);
        await MeasuresSeed.CopyRows(connection, "AuditEvents", "\"At\",\"ActorId\",\"Actor\",\"Action\",\"PersonId\",\"EntityId\",\"Purpose\",\"Sequence\",\"PreviousHash\",\"Hash\",\"Mac\"", w =>
        {
            for (long i = 0; i < count; i++)
            {
                var staff = chance.Next(3000);
                var e = AuditEvent.Record(yearAgo.AddTicks(i * step), $"bench-staff-{staff:0000}", $"staff{staff:0000}@bench.example", AuditAction.PersonViewed, AuditPurpose.DirectCare,
                    persons[chance.Next(persons.Length)].Id);
                e.Seal(++sequence, previous);
                e.Sign(seal.Mac(e.Hash));
                previous = e.Hash;
                w.StartRow();
                w.Write(e.At, NpgsqlDbType.TimestampTz);
                w.Write(e.ActorId, NpgsqlDbType.Varchar);
                w.Write(e.Actor, NpgsqlDbType.Varchar);
                w.Write(e.Action.ToString(), NpgsqlDbType.Varchar);
                w.Write(e.PersonId!.Value, NpgsqlDbType.Uuid);
                w.WriteNull();
                w.Write(e.Purpose, NpgsqlDbType.Varchar);
                w.Write(e.Sequence, NpgsqlDbType.Bigint);
                w.Write(e.PreviousHash, NpgsqlDbType.Varchar);
                w.Write(e.Hash, NpgsqlDbType.Varchar);
                w.Write(e.Mac!, NpgsqlDbType.Varchar);
            }

            return count;
        });
        if (count > 0)
        {
            seal.Advance(sequence, previous);
        }
    }
}
