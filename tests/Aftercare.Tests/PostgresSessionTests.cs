using Aftercare.App.Data;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Tests;

/// <summary>
/// Issue 16 at national scale: on the primary, PostgreSQL's JIT is off for the app's sessions (a
/// worklist of 13 contacts spent 70 ms of its 78 compiling; docs/performance.md), and an operator
/// who sets <c>jit</c> in the connection string keeps their choice. SQLite has no JIT.
/// </summary>
public sealed class PostgresSessionTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    [Fact]
    public async Task The_clinical_work_runs_without_JIT_on_PostgreSQL()
    {
        if (AftercareApplication.Provider != "postgres")
        {
            Assert.Skip("PostgreSQL only: SQLite has no JIT.");
        }

        var jit = await app.Read(db => db.Database.SqlQueryRaw<string>("SELECT current_setting('jit') AS \"Value\"").SingleAsync());
        Assert.Equal("off", jit);
    }

    [Fact]
    public void An_operators_own_jit_setting_in_the_connection_string_is_kept()
    {
        var own = "Host=db;Database=aftercare;Options=-c jit=on";
        Assert.Equal(own, DatabaseRegistration.WithoutJit(own));
        var added = new Npgsql.NpgsqlConnectionStringBuilder(DatabaseRegistration.WithoutJit("Host=db;Database=aftercare;Options=-c statement_timeout=5000"));
        Assert.Equal("-c statement_timeout=5000 -c jit=off", added.Options);
        Assert.Equal("aftercare", added.Database);
    }

    [Fact]
    public void The_clinical_works_statements_are_kept_prepared_unless_the_operator_says_otherwise()
    {
        var prepared = new Npgsql.NpgsqlConnectionStringBuilder(DatabaseRegistration.WithAutoPrepare("Host=db;Database=aftercare"));
        Assert.Equal(DatabaseRegistration.AutoPreparedStatements, prepared.MaxAutoPrepare);
        Assert.Equal("aftercare", prepared.Database);
        var behindPooler = "Host=db;Database=aftercare;Max Auto Prepare=0";
        Assert.Equal(behindPooler, DatabaseRegistration.WithAutoPrepare(behindPooler));
        Assert.Equal(behindPooler.Replace("Max Auto Prepare", "MaxAutoPrepare", StringComparison.Ordinal), DatabaseRegistration.WithAutoPrepare(behindPooler.Replace("Max Auto Prepare", "MaxAutoPrepare", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_app_s_own_statements_run_prepared_on_PostgreSQL()
    {
        if (AftercareApplication.Provider != "postgres")
        {
            Assert.Skip("PostgreSQL only.");
        }

        // The same read three times on one connection: from the second use Npgsql prepares it, and
        // the session then lists it among its prepared statements.
        var prepared = await app.Read(async db =>
        {
            await db.Database.OpenConnectionAsync();
            for (var i = 0; i < 3; i++)
            {
                await db.Sites.AsNoTracking().Where(s => s.Name != "").CountAsync();
            }

            return await db.Database.SqlQueryRaw<long>("SELECT count(*) AS \"Value\" FROM pg_prepared_statements").SingleAsync();
        });
        Assert.True(prepared > 0, "no statement of the app's was prepared");
    }

    [Fact]
    public async Task Finding_a_person_by_part_of_a_name_is_a_look_up_in_a_trigram_index_on_PostgreSQL()
    {
        if (AftercareApplication.Provider != "postgres")
        {
            Assert.Skip("PostgreSQL only: SQLite scans its one team's names.");
        }

        // The search's own condition (FindPeople: lower(name) LIKE '%term%'), planned with scans
        // made unattractive, as they are at a million people: the plan must name the indexes, so
        // the expression indexed is the one the search sends.
        var (sent, plan) = await app.Read(async db =>
        {
            var term = "synth";
#pragma warning disable CA1862 // FindPeople's own condition: ToLower().Contains translates to SQL; the StringComparison overload does not.
            var sent = db.People.Where(p => p.GivenName.ToLower().Contains(term) || p.FamilyName.ToLower().Contains(term)).Select(p => p.Id).ToQueryString();
#pragma warning restore CA1862
            await db.Database.OpenConnectionAsync();
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = """
                SET enable_seqscan = off;
                EXPLAIN SELECT "Id" FROM "People" AS p WHERE lower(p."GivenName") LIKE '%synth%' OR lower(p."FamilyName") LIKE '%synth%';
                """;
            var lines = new List<string>();
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    lines.Add(reader.GetString(0));
                }
            }

            await db.Database.ExecuteSqlRawAsync("RESET enable_seqscan");
            return (sent, string.Join("\n", lines));
        });
        Assert.Contains("lower(p.\"GivenName\") LIKE", sent, StringComparison.Ordinal);
        Assert.Contains("lower(p.\"FamilyName\") LIKE", sent, StringComparison.Ordinal);
        Assert.Contains("IX_People_GivenName_Trigram", plan, StringComparison.Ordinal);
        Assert.Contains("IX_People_FamilyName_Trigram", plan, StringComparison.Ordinal);
    }
}
