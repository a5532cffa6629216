using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Aftercare.Domain.Users;

namespace Aftercare.Tests;

/// <summary>
/// docs/domain.md rules 1 and 3: no view, resource string, page or API response uses stigmatising words
/// or labels a person with a risk tier. This file lists the words on purpose, so that nothing else needs to.
/// </summary>
public sealed partial class CompassionateLanguageTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    [GeneratedRegex(@"frequent[\s_-]?(flyer|attender)|attention[\s_-]?seeking|manipulative|committed suicide|(failed|successful)[\s_-]+(suicide[\s_-]+)?attempt|non[\s_-]?compliant|\b(low|medium|moderate|high)[\s_-]risk\b", RegexOptions.IgnoreCase)]
    private static partial Regex Stigmatising();

    [GeneratedRegex(@"risk[\s_-]?(score|level|tier|rating|band)", RegexOptions.IgnoreCase)]
    private static partial Regex RiskTier();

    private static string RepoRoot => RepoPaths.Root;

    [Fact]
    public void Rule3_Compassionate_language_no_view_or_resource_uses_stigmatising_words()
    {
        var files = Directory.EnumerateFiles(Path.Combine(RepoRoot, "src"), "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}Migrations{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            // The one file that must name risk tiers: it refuses them at the FHIR door (rule 1).
            .Where(f => !f.EndsWith(Path.Combine("Fhir", "RiskRule.cs"), StringComparison.Ordinal))
            .Where(f => f.EndsWith(".razor", StringComparison.Ordinal) || f.EndsWith(".cs", StringComparison.Ordinal)
                || f.EndsWith(".json", StringComparison.Ordinal) || f.EndsWith(".css", StringComparison.Ordinal)
                || f.EndsWith(".resx", StringComparison.Ordinal) || f.EndsWith(".html", StringComparison.Ordinal))
            .ToList();
        Assert.Contains(files, f => f.EndsWith(".razor", StringComparison.Ordinal));

        var hits = files.SelectMany(f => File.ReadLines(f).Select((line, i) => (f, i, line)))
            .Where(x => Stigmatising().IsMatch(x.line) || RiskTier().IsMatch(x.line))
            .Select(x => $"{Path.GetRelativePath(RepoRoot, x.f)}:{x.i + 1}: {x.line.Trim()}")
            .ToList();
        Assert.Empty(hits);
    }

    [Fact]
    public async Task Rule1_No_api_response_or_page_carries_a_risk_score_or_tier()
    {
        var person = await app.Read(db => Task.FromResult(db.People.OrderBy(p => p.Id).Select(p => p.Id).First()));
        var presentation = await app.Read(db => Task.FromResult(db.Presentations.Where(p => p.PersonId == person).Select(p => p.Id).First()));
        var pages = new Dictionary<string, string[]>
        {
            [Roles.Clinician] = ["", "people", $"people/{person}", "presentations/new", $"presentations/new?person={person}", $"api/people/{person}", "signin", "nowhere",
                $"presentations/{presentation}/assessment", $"people/{person}/care-plan", $"people/{person}/safety-plan", "plans/reviews-due", $"people/{Guid.NewGuid()}",
                "worklist", "services", "admin/pathways", $"presentations/{presentation}/aftercare",
                "fhir/metadata", "fhir/Questionnaire/psychosocial-assessment", $"fhir/Patient/{person}", $"fhir/Encounter?patient={person}", "fhir/HealthcareService",
                $"fhir/Goal?patient={person}", $"fhir/Task?patient={person}", $"fhir/Appointment?patient={person}", $"fhir/CommunicationRequest?patient={person}",
                $"fhir/Communication?patient={person}", $"fhir/Consent?patient={person}", $"fhir/DocumentReference?patient={person}", "fhir/Practitioner", "fhir/Organization"],
            [Roles.Administrator] = ["", "audit", "api/audit", "fhir/AuditEvent"],
            [Roles.ServiceManager] = ["", "denied"],
            [Roles.PrivacyLead] = ["", "privacy/break-glass", "audit"],
            [""] = ["my-plan/not-a-real-link", "signin", "opt-out/not-a-real-token", "my/signin", "my/help", "my/setup/not-a-real-link"],
        };

        foreach (var (role, paths) in pages)
        {
            var client = role.Length == 0 ? app.AnonymousClient() : await app.ClientFor(role);
            foreach (var path in paths)
            {
                var response = await client.GetAsync(path);
                var text = await response.Content.ReadAsStringAsync();
                Assert.True(text.Length > 0, $"{path} rendered nothing for {role}");
                Assert.False(Stigmatising().IsMatch(text), $"{path} as {role} uses a stigmatising word");
                Assert.False(RiskTier().IsMatch(text), $"{path} as {role} shows a risk score or tier");
            }
        }
    }

    [Fact]
    public void Rule1_No_column_in_the_database_holds_a_risk_score_or_tier()
    {
        using var scope = app.Services.CreateScope();
        var model = scope.ServiceProvider.GetRequiredService<App.Data.AftercareDbContext>().Model;
        var columns = model.GetEntityTypes().SelectMany(e => e.GetProperties().Select(p => $"{e.GetTableName()}.{p.Name}")).ToList();
        Assert.Contains("Presentations.ArrivedAt", columns);
        Assert.DoesNotContain(columns, c => RiskTier().IsMatch(c) || Regex.IsMatch(c, "(high|low|medium)Risk|predict", RegexOptions.IgnoreCase));
    }
}
