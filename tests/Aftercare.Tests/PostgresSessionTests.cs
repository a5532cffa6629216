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
}
