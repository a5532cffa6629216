using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Aftercare.Domain.Consent;
using Aftercare.Domain.People;
using Aftercare.Domain.Plans;
using Aftercare.Fhir;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Tests;

/// <summary>
/// Issue 13: /fhir driven by a real third-party client. tests/conformance/conformance.mjs uses fhir-kit-client
/// (npm) with a token it gets by signing its own SMART backend-services assertion, reads the CapabilityStatement and
/// exercises every interaction and search parameter it declares, plus the refusals integrators rely on. This test
/// registers its clients through the CLI, as a deployer would, picks demo records to search, and runs it. The app
/// has a mail server and a text-message gateway (<see cref="MessagingFixture"/>), so a caring message is really sent.
/// </summary>
public sealed class FhirConformanceSuiteTests(MessagingFixture fixture) : IClassFixture<MessagingFixture>
{
    private AftercareApplication App => fixture.App;

    internal static string RepoRoot => RepoPaths.Root;

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Registers a backend client with `aftercare clients add` and returns the file holding its private key.</summary>
    private async Task<string> RegisterWithCli(string folder, string clientId, string scopes)
    {
        using var rsa = RSA.Create(2048);
        var parameters = rsa.ExportParameters(false);
        var jwks = Path.Combine(folder, clientId + ".public.jwks.json");
        await File.WriteAllTextAsync(jwks, JsonSerializer.Serialize(new { keys = new[] { new { kty = "RSA", kid = clientId + "-key", use = "sig", alg = "RS384", n = Base64Url(parameters.Modulus!), e = Base64Url(parameters.Exponent!) } } }));
        var (code, output, error) = await CliTests.Aftercare(null, "clients", "add", "--db", App.Database, "--client-id", clientId, "--role", "clinician", "--jwks-file", jwks, "--scopes", scopes);
        Assert.True(code == 0, output + error);
        var key = Path.Combine(folder, clientId + ".key.pem");
        await File.WriteAllTextAsync(key, rsa.ExportPkcs8PrivateKeyPem());
        return key;
    }

    private async Task<Guid> OnePersonWithEveryKindOfRecord()
    {
        var (client, personId, presentationId) = await App.Presented();
        async Task Posted(string page, string handler, IEnumerable<KeyValuePair<string, string>> form) =>
            Assert.Equal(System.Net.HttpStatusCode.Redirect, (await client.Post(page, handler, form)).StatusCode);
        await Posted($"presentations/{presentationId}/assessment", "assessment", PlansTests.Assessment(0, "complete", shareWithGp: "Yes"));
        await Posted($"people/{personId}/safety-plan", "safety-plan", PlansTests.SafetyPlan(0, "Not sleeping"));
        await Posted($"people/{personId}/care-plan", "care-plan",
            [new("version", "0"), new("action", "draft"), new("longTermGoals", "Back to college"), new("goal-0-goal", "Sleep"), new("goal-0-steps", "A routine"), new("aims", "PreventEscalation")]);
        await Posted($"people/{personId}/consent", "consent", new Dictionary<string, string>
        {
            ["Decision.Topic"] = nameof(ConsentTopic.ShareWithGp), ["Decision.Agreed"] = "yes", ["Decision.Whom"] = "", ["Decision.WhatTheyMayKnow"] = "",
        });
        await Posted($"people/{personId}", "share-gp", []);

        // A caring message written on the person's page and sent by the outbox worker (to the test's text-message gateway): a Communication.
        await Posted($"people/{personId}", "message", [new("channel", "Sms"), new("body", "Thinking of you today.")]);
        while (await ActivatorUtilities.CreateInstance<Aftercare.App.Messaging.OutboxWorker>(App.Services).RunOnceAsync(default) > 0)
        {
        }

        Assert.True(await App.Read(db => db.OutboxMessages.AnyAsync(m => m.PersonId == personId && m.Status == Aftercare.Domain.Messaging.MessageStatus.Sent)));
        return personId;
    }

    [Fact]
    public async Task A_third_party_client_passes_every_interaction_and_search_the_capability_statement_declares()
    {
        var suite = Path.Combine(RepoRoot, "tests", "conformance");
        Assert.True(Directory.Exists(Path.Combine(suite, "node_modules", "fhir-kit-client")),
            "The conformance suite's packages are not installed: run `npm ci` in tests/conformance (./test.sh does).");
        var folder = Directory.CreateTempSubdirectory("aftercare-conformance-").FullName;
        try
        {
            var key = await RegisterWithCli(folder, "conformance-suite", "system/*.read system/*.write system/AuditEvent.read");
            var readOnlyKey = await RegisterWithCli(folder, "conformance-read-only", "system/*.read");

            // One person with a record of each kind, made as a clinician would; then the demo people with the most records.
            var recorded = await OnePersonWithEveryKindOfRecord();
            var people = await App.Read(db => db.People.Where(p => p.Id != recorded)
                .OrderByDescending(p => db.Contacts.Count(c => c.PersonId == p.Id) + db.SafetyPlans.Count(s => s.PersonId == p.Id) + db.Referrals.Count(r => r.PersonId == p.Id)
                    + db.Shares.Count(s => s.PersonId == p.Id) + db.ConsentDecisions.Count(c => c.PersonId == p.Id) + db.OutboxMessages.Count(m => m.PersonId == p.Id))
                .ThenBy(p => p.Id).Select(p => p.Id).Take(200).ToListAsync());
            people.Insert(0, recorded);
            var first = await App.Read(db => db.People.Include(p => p.Identifiers).SingleAsync(p => p.Id == people[0]));
            var mrn = first.Identifiers.First(i => i.Kind == IdentifierKind.Mrn).Value;
            var noPlan = await App.Read(db => db.People.Where(p => !db.SafetyPlans.Any(s => s.PersonId == p.Id)).OrderBy(p => p.Id).Select(p => p.Id).FirstAsync());

            var start = new ProcessStartInfo("node", [Path.Combine(suite, "conformance.mjs")])
            {
                WorkingDirectory = suite,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                Environment =
                {
                    ["AFTERCARE_BASE"] = App.BaseAddress.ToString(),
                    ["CLIENT_ID"] = "conformance-suite",
                    ["KEY_FILE"] = key,
                    ["READONLY_CLIENT_ID"] = "conformance-read-only",
                    ["READONLY_KEY_FILE"] = readOnlyKey,
                    ["PATIENTS"] = string.Join(',', people),
                    ["PATIENT_IDENTIFIER"] = $"{FhirSystems.MrnSystem}|{mrn}",
                    ["SITE"] = $"{FhirSystems.SiteSystem}|{Requests.DemoSiteCode}",
                    ["NO_PLAN_PATIENT"] = noPlan.ToString(),
                    ["NOW"] = AftercareApplication.Now.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                    ["SAFETY_PLAN_TITLES"] = JsonSerializer.Serialize(SafetyPlanSections.All.Select(SafetyPlanSections.Title)),
                    ["SAFETY_PLAN_CODES"] = JsonSerializer.Serialize(SafetyPlanSections.All.Select(Aftercare.Plans.CarePlanFhir.SectionCode)),
                },
            };
            using var node = Process.Start(start)!;
            var output = node.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var errors = node.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await node.WaitForExitAsync(TestContext.Current.CancellationToken);
            var report = await output + await errors;
            TestContext.Current.TestOutputHelper?.WriteLine(report);

            Assert.True(node.ExitCode == 0, report);
            Assert.Matches(@"(?m)^[1-9][0-9]* passed, 0 failed(, [0-9]+ not yet built)?$", report);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
