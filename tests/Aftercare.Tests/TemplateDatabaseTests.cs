using System.Net;
using System.Net.Http.Json;
using Aftercare.App.Audit;
using Aftercare.Domain.Users;

namespace Aftercare.Tests;

/// <summary>
/// Issue 12.6: every test app is a copy of one migrated, seeded template. A copy must behave as a
/// database of its own: seeded, sharing no records with another copy, and sealing its own audit.
/// </summary>
public sealed class TemplateDatabaseTests
{
    [Fact]
    public async Task Two_test_apps_copied_from_the_template_are_seeded_and_share_no_records()
    {
        await using var first = await StartedAsync();
        await using var second = await StartedAsync();
        Assert.NotEqual(first.Database, second.Database);
        var seeded = await second.PeopleCount();
        Assert.True(seeded > 0, "the copy holds the demo people");

        var clinician = await first.ClientFor(Roles.Clinician);
        var registered = await clinician.PostAsJsonAsync("api/presentations",
            Requests.Presentation(await first.SiteId(), AftercareApplication.Now.AddHours(-2), newPerson: Requests.NewPerson(Requests.NewMrn())));
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);

        Assert.Equal(seeded + 1, await first.PeopleCount());
        Assert.Equal(seeded, await second.PeopleCount());
        // The demo users' passwords and codes are the template's, and work in each copy.
        Assert.Equal(HttpStatusCode.OK, (await (await second.ClientFor(Roles.Clinician)).PostAsJsonAsync("api/people/search", new { identifierKind = "Mrn", identifier = "DEMO0001" })).StatusCode);
    }

    [Fact]
    public async Task A_copy_seals_its_audit_with_its_own_key_and_its_chain_verifies()
    {
        await using var first = await StartedAsync();
        await using var second = await StartedAsync();
        Assert.Equal(0, await first.AuditCount());

        var admin = await first.ClientFor(Roles.Administrator);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("api/audit")).StatusCode);
        var report = await first.Read(db => VerifyAudit.Handle(db, null, TestContext.Current.CancellationToken));
        Assert.True(report.IsIntact, report.Broken?.Explanation);
        Assert.True(report.Checked > 0);
        if (AftercareApplication.Provider == "sqlite")
        {
            // On PostgreSQL every test database shares ./data/keys, as before the template.
            var (a, b) = (first.Services.GetRequiredService<AuditSeal>(), second.Services.GetRequiredService<AuditSeal>());
            Assert.NotEqual(a.KeyPath, b.KeyPath);
            Assert.NotEqual(await File.ReadAllTextAsync(a.KeyPath), await File.ReadAllTextAsync(b.KeyPath));
        }
    }

    private static async Task<AftercareApplication> StartedAsync()
    {
        var app = new AftercareApplication();
        await app.InitializeAsync();
        return app;
    }
}
