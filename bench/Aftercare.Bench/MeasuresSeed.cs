using System.Diagnostics;
using Aftercare.App.Data;
using Aftercare.Domain.Plans;
using Npgsql;
using NpgsqlTypes;

namespace Aftercare.Bench;

/// <summary>
/// Seeds a migrated, empty PostgreSQL database with synthetic index presentations by binary COPY:
/// one person (named "Synthetic Bench", MRN BENCH0000001…) per index presentation in 2025, a
/// share of repeat presentations, aftercare episodes with contacts, referrals and safety plans.
/// Required encrypted columns get real ciphertext from the app's <see cref="FieldEncryption"/>;
/// nullable ones stay NULL.
/// </summary>
public static class MeasuresSeed
{
    public static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly string[] Pathways = ["young-people", "young-adults", "first-contact", "adults", "older-adults"];
    private static readonly string[] Sexes = ["Female", "Male", "Other", "Unknown"];
    private static readonly string[] Histories = ["Yes", "No", "Unknown"];
    private static readonly string[] ReferralStatuses = ["Sent", "Accepted", "AppointmentBooked", "Attended", "Declined", "NotReached"];

    /// <summary>One synthetic person and what happened to them.</summary>
    private struct Facts
    {
        public Guid Person;
        public Guid Index;
        public DateTimeOffset Arrived;
        public int Site;
        public DateOnly Birth;
        public byte Sex;
        public byte History;
        public DateTimeOffset? Assessed;
        public Guid Repeat;
        public DateTimeOffset? RepeatArrived;
        public Guid Episode;
        public DateTimeOffset Discharged;
        public byte Pathway;
        public Guid FirstContact;
        public bool FirstReached;
        public DateTimeOffset FirstCompleted;
        public Guid FollowUp;
        public DateTimeOffset FollowUpCompleted;
        public Guid Referral;
        public byte ReferralStatus;
        public Guid Plan;
        public DateTimeOffset PlanCompleted;
    }

    public static async Task Run(string connectionString, int people, FieldEncryption encryption)
    {
        var clock = Stopwatch.StartNew();
        var random = new Random(2026);
        var facts = new Facts[people];
        for (var i = 0; i < people; i++)
        {
            ref var f = ref facts[i];
            f.Person = Guid.CreateVersion7();
            f.Index = Guid.CreateVersion7();
            f.Arrived = Start.AddSeconds(random.NextDouble() * 365 * 86400);
            f.Site = random.Next(8);
            var age = 12 + (int)(random.NextDouble() * random.NextDouble() * 80);
            f.Birth = DateOnly.FromDateTime(f.Arrived.UtcDateTime).AddYears(-age).AddDays(-random.Next(365));
            f.Sex = (byte)(random.NextDouble() switch { < 0.58 => 0, < 0.98 => 1, < 0.99 => 2, _ => 3 });
            f.History = (byte)random.Next(3);
            f.Assessed = random.NextDouble() < 0.75 ? f.Arrived.AddMinutes(30 + random.Next(12 * 60)) : null;
            if (random.NextDouble() < 0.2)
            {
                f.Repeat = Guid.CreateVersion7();
                f.RepeatArrived = f.Arrived.AddDays(1 + (-Math.Log(1 - random.NextDouble()) * 150));
            }

            if (random.NextDouble() < 0.45)
            {
                f.Episode = Guid.CreateVersion7();
                f.Discharged = f.Arrived.AddHours(2 + random.Next(30));
                f.Pathway = (byte)(age < 18 ? 0 : age < 25 ? 1 : age >= 65 ? 4 : random.Next(2) == 0 ? 2 : 3);
                f.FirstContact = Guid.CreateVersion7();
                f.FirstReached = random.NextDouble() < 0.7;
                f.FirstCompleted = f.Discharged.AddHours(2 + random.Next(100));
                if (random.NextDouble() < 0.5)
                {
                    f.FollowUp = Guid.CreateVersion7();
                    f.FollowUpCompleted = f.Discharged.AddDays(7 + random.Next(4));
                }
            }

            if (random.NextDouble() < 0.08)
            {
                f.Referral = Guid.CreateVersion7();
                f.ReferralStatus = (byte)random.Next(ReferralStatuses.Length);
            }

            if (random.NextDouble() < 0.3)
            {
                f.Plan = Guid.CreateVersion7();
                f.PlanCompleted = f.Arrived.AddHours(1 + random.Next(30));
            }
        }

        Console.WriteLine($"  generated {people:N0} synthetic people in {clock.Elapsed.TotalSeconds:F1} s");

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var sites = new Guid[8];
        for (var s = 0; s < sites.Length; s++)
        {
            sites[s] = Guid.CreateVersion7();
            await using var insert = new NpgsqlCommand("INSERT INTO \"Sites\" (\"Id\",\"Code\",\"Name\") VALUES ($1,$2,$3)", connection)
            {
                Parameters = { new() { Value = sites[s] }, new() { Value = $"BENCH-{s + 1:00}" }, new() { Value = $"Synthetic Hospital {s + 1:00}" } },
            };
            await insert.ExecuteNonQueryAsync();
        }

        await using (var serviceQuery = new NpgsqlCommand("SELECT \"Id\" FROM \"Services\" ORDER BY \"Code\" LIMIT 1", connection))
        {
            var service = (Guid)(await serviceQuery.ExecuteScalarAsync() ?? throw new InvalidOperationException("No referral service is configured (appsettings Aftercare:Services)."));
            await CopyAll(connection, facts, sites, service, encryption);
        }

        // VACUUM as well as ANALYZE, as an operator does after a bulk load: a fresh COPY leaves no visibility map, so
        // the index-only scans the worklist and the dashboard are built on would visit the table for every row.
        Console.WriteLine("  VACUUM ANALYZE");
        await using (var analyze = new NpgsqlCommand("VACUUM ANALYZE", connection) { CommandTimeout = 0 })
        {
            await analyze.ExecuteNonQueryAsync();
        }

        Console.WriteLine($"  seeded in {clock.Elapsed.TotalSeconds:F1} s");
    }

    private static async Task CopyAll(NpgsqlConnection connection, Facts[] facts, Guid[] sites, Guid service, FieldEncryption encryption)
    {
        await Copy(connection, "People", "\"Id\",\"GivenName\",\"FamilyName\",\"DateOfBirth\",\"Sex\",\"PreferredChannel\",\"PriorPsychiatricHistory\",\"RegisteredAt\"", facts, _ => true, (w, f, _) =>
        {
            w.Write(f.Person, NpgsqlDbType.Uuid);
            w.Write("Synthetic", NpgsqlDbType.Varchar);
            w.Write("Bench", NpgsqlDbType.Varchar);
            w.Write(f.Birth, NpgsqlDbType.Date);
            w.Write(Sexes[f.Sex], NpgsqlDbType.Varchar);
            w.Write("Phone", NpgsqlDbType.Varchar);
            w.Write(Histories[f.History], NpgsqlDbType.Varchar);
            w.Write(f.Arrived, NpgsqlDbType.TimestampTz);
        });
        await Copy(connection, "PersonIdentifiers", "\"Kind\",\"Value\",\"PersonId\"", facts, _ => true, (w, f, i) =>
        {
            w.Write("Mrn", NpgsqlDbType.Varchar);
            w.Write($"BENCH{i + 1:0000000}", NpgsqlDbType.Varchar);
            w.Write(f.Person, NpgsqlDbType.Uuid);
        });
        const string presentationColumns = "\"Id\",\"PersonId\",\"ArrivedAt\",\"SiteId\",\"Methods\",\"AlcoholInvolved\",\"MedicalTreatmentNeeded\",\"Disposition\",\"RecordedAt\",\"RecordedBy\",\"PsychosocialAssessmentAt\"";
        void Presentation(NpgsqlBinaryImporter w, Guid id, Guid person, DateTimeOffset arrived, Guid site, DateTimeOffset? assessed)
        {
            w.Write(id, NpgsqlDbType.Uuid);
            w.Write(person, NpgsqlDbType.Uuid);
            w.Write(arrived, NpgsqlDbType.TimestampTz);
            w.Write(site, NpgsqlDbType.Uuid);
            w.Write("MedicationOrDrugs", NpgsqlDbType.Varchar);
            w.Write("Unknown", NpgsqlDbType.Varchar);
            w.Write("Unknown", NpgsqlDbType.Varchar);
            w.Write("Discharged", NpgsqlDbType.Varchar);
            w.Write(arrived, NpgsqlDbType.TimestampTz);
            w.Write("bench", NpgsqlDbType.Varchar);
            if (assessed is { } at)
            {
                w.Write(at, NpgsqlDbType.TimestampTz);
            }
            else
            {
                w.WriteNull();
            }
        }

        await Copy(connection, "Presentations", presentationColumns, facts, _ => true, (w, f, _) =>
        {
            Presentation(w, f.Index, f.Person, f.Arrived, sites[f.Site], f.Assessed);
        });
        await Copy(connection, "Presentations", presentationColumns, facts, f => f.RepeatArrived is not null, (w, f, _) =>
        {
            var repeat = f.RepeatArrived!.Value;
            Presentation(w, f.Repeat, f.Person, repeat, sites[f.Site], repeat.AddHours(3));
        });
        await Copy(connection, "Episodes", "\"Id\",\"PersonId\",\"PresentationId\",\"PathwayId\",\"PathwayName\",\"PathwayVersion\",\"EnrolledAt\",\"EnrolledBy\",\"DischargedAt\",\"FirstContactDueBy\",\"Status\",\"ReEngagements\"", facts, f => f.Episode != Guid.Empty, (w, f, _) =>
        {
            w.Write(f.Episode, NpgsqlDbType.Uuid);
            w.Write(f.Person, NpgsqlDbType.Uuid);
            w.Write(f.Index, NpgsqlDbType.Uuid);
            w.Write(Pathways[f.Pathway], NpgsqlDbType.Varchar);
            w.Write("Synthetic pathway " + Pathways[f.Pathway], NpgsqlDbType.Varchar);
            w.Write("2026-11-22", NpgsqlDbType.Varchar);
            w.Write(f.Discharged, NpgsqlDbType.TimestampTz);
            w.Write("bench", NpgsqlDbType.Varchar);
            w.Write(f.Discharged, NpgsqlDbType.TimestampTz);
            w.Write(f.Discharged.AddHours(48), NpgsqlDbType.TimestampTz);
            w.Write("Active", NpgsqlDbType.Varchar);
            w.Write(0, NpgsqlDbType.Integer);
        });

        // The attempts list is required and encrypted under each contact's own id: real ciphertext.
        const string contactColumns = "\"Id\",\"EpisodeId\",\"PersonId\",\"Kind\",\"DueAt\",\"OriginallyDueAt\",\"Status\",\"Outcome\",\"CompletedAt\",\"NotReachedCount\",\"Version\",\"Attempts\"";
        var firstAttempts = Encrypt(encryption, facts, f => f.FirstContact, "Contacts", "Attempts", "[]");
        await Copy(connection, "Contacts", contactColumns, facts, f => f.FirstContact != Guid.Empty, (w, f, i) =>
        {
            Contact(w, f.FirstContact, f, "FirstContact", f.Discharged.AddHours(48), f.FirstReached ? "Reached" : "NotReached", f.FirstCompleted, firstAttempts[i]!);
        });
        firstAttempts = null;
        var followUpAttempts = Encrypt(encryption, facts, f => f.FollowUp, "Contacts", "Attempts", "[]");
        await Copy(connection, "Contacts", contactColumns, facts, f => f.FollowUp != Guid.Empty, (w, f, i) =>
        {
            Contact(w, f.FollowUp, f, "FollowUp", f.Discharged.AddDays(7), "Reached", f.FollowUpCompleted, followUpAttempts[i]!);
        });
        followUpAttempts = null;

        var reasons = Encrypt(encryption, facts, f => f.Referral, "Referrals", "Reason", "Synthetic benchmark referral");
        var steps = Encrypt(encryption, facts, f => f.Referral, "Referrals", "Steps", "[]");
        await Copy(connection, "Referrals", "\"Id\",\"PersonId\",\"ServiceId\",\"Preference\",\"SentAt\",\"SentBy\",\"Status\",\"Version\",\"Reason\",\"Steps\"", facts, f => f.Referral != Guid.Empty, (w, f, i) =>
        {
            w.Write(f.Referral, NpgsqlDbType.Uuid);
            w.Write(f.Person, NpgsqlDbType.Uuid);
            w.Write(service, NpgsqlDbType.Uuid);
            w.Write("NoPreference", NpgsqlDbType.Varchar);
            w.Write(f.Arrived.AddHours(20), NpgsqlDbType.TimestampTz);
            w.Write("bench", NpgsqlDbType.Varchar);
            w.Write(ReferralStatuses[f.ReferralStatus], NpgsqlDbType.Varchar);
            w.Write(1, NpgsqlDbType.Integer);
            w.Write(reasons[i]!, NpgsqlDbType.Varchar);
            w.Write(steps[i]!, NpgsqlDbType.Text);
        });
        reasons = steps = null;

        var content = Encrypt(encryption, facts, f => f.Plan, "SafetyPlans", "Content", System.Text.Json.JsonSerializer.Serialize(SafetyPlanContent.Empty, JsonContent.Options));
        await Copy(connection, "SafetyPlans", "\"Id\",\"PersonId\",\"Status\",\"CompletedAt\",\"UpdatedAt\",\"UpdatedBy\",\"Version\",\"Content\"", facts, f => f.Plan != Guid.Empty, (w, f, i) =>
        {
            w.Write(f.Plan, NpgsqlDbType.Uuid);
            w.Write(f.Person, NpgsqlDbType.Uuid);
            w.Write("Completed", NpgsqlDbType.Varchar);
            w.Write(f.PlanCompleted, NpgsqlDbType.TimestampTz);
            w.Write(f.PlanCompleted, NpgsqlDbType.TimestampTz);
            w.Write("bench", NpgsqlDbType.Varchar);
            w.Write(1, NpgsqlDbType.Integer);
            w.Write(content[i]!, NpgsqlDbType.Text);
        });
    }

    private static void Contact(NpgsqlBinaryImporter w, Guid id, in Facts f, string kind, DateTimeOffset due, string outcome, DateTimeOffset completed, string attempts)
    {
        w.Write(id, NpgsqlDbType.Uuid);
        w.Write(f.Episode, NpgsqlDbType.Uuid);
        w.Write(f.Person, NpgsqlDbType.Uuid);
        w.Write(kind, NpgsqlDbType.Varchar);
        w.Write(due, NpgsqlDbType.TimestampTz);
        w.Write(due, NpgsqlDbType.TimestampTz);
        w.Write("Done", NpgsqlDbType.Varchar);
        w.Write(outcome, NpgsqlDbType.Varchar);
        w.Write(completed, NpgsqlDbType.TimestampTz);
        w.Write(0, NpgsqlDbType.Integer);
        w.Write(1, NpgsqlDbType.Integer);
        w.Write(attempts, NpgsqlDbType.Text);
    }

    /// <summary>The ciphertext of one value per row that has an id, encrypted as the app does (bound to table, column and row).</summary>
    private static string?[] Encrypt(FieldEncryption encryption, Facts[] facts, Func<Facts, Guid> id, string table, string column, string plaintext)
    {
        var clock = Stopwatch.StartNew();
        var result = new string?[facts.Length];
        Parallel.For(0, facts.Length, i =>
        {
            var key = id(facts[i]);
            if (key != Guid.Empty)
            {
                result[i] = encryption.Protect(table, column, key, plaintext);
            }
        });
        Console.WriteLine($"  encrypted {table}.{column} in {clock.Elapsed.TotalSeconds:F1} s");
        return result;
    }

    private static Task Copy(NpgsqlConnection connection, string table, string columns, Facts[] facts, Func<Facts, bool> include, Action<NpgsqlBinaryImporter, Facts, int> row) =>
        CopyRows(connection, table, columns, writer =>
        {
            var count = 0;
            for (var i = 0; i < facts.Length; i++)
            {
                if (include(facts[i]))
                {
                    writer.StartRow();
                    row(writer, facts[i], i);
                    count++;
                }
            }

            return count;
        });

    /// <summary>One binary COPY into a table: <paramref name="write"/> starts and writes each row and says how many.</summary>
    internal static async Task CopyRows(NpgsqlConnection connection, string table, string columns, Func<NpgsqlBinaryImporter, long> write)
    {
        var clock = Stopwatch.StartNew();
        long count;
        await using (var writer = await connection.BeginBinaryImportAsync($"COPY \"{table}\" ({columns}) FROM STDIN (FORMAT BINARY)"))
        {
            writer.Timeout = TimeSpan.FromHours(1);
            count = write(writer);
            await writer.CompleteAsync();
        }

        Console.WriteLine($"  COPY {count,11:N0} rows into {table,-18} {clock.Elapsed.TotalSeconds,6:F1} s");
    }
}
