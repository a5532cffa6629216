using System.Net;
using System.Net.Http.Json;
using Aftercare.Domain.Users;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Tests;

/// <summary>Issue #7: the measures dashboard and its CSV, for service managers, with no small number shown or recoverable.</summary>
public sealed class MeasuresTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    /// <summary>RFC 4180 fields: quoted fields may hold commas and doubled quotes.</summary>
    private static IEnumerable<string[]> Rows(string csv) =>
        csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(line =>
        {
            var fields = new List<string>();
            var field = new System.Text.StringBuilder();
            var quoted = false;
            for (var i = 0; i < line.Length; i++)
            {
                var c = line[i];
                if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = !quoted;
                }
                else if (c == ',' && !quoted)
                {
                    fields.Add(field.ToString());
                    field.Clear();
                }
                else
                {
                    field.Append(c);
                }
            }

            fields.Add(field.ToString());
            return fields.ToArray();
        });

    [Theory]
    [InlineData("by=Month")]
    [InlineData("by=Site")]
    [InlineData("by=AgeBand")]
    [InlineData("by=Sex&age=25%20to%2044")]
    [InlineData("by=History&from=2025-01&to=2026-11")]
    public async Task No_cell_total_or_rate_in_the_CSV_reveals_a_count_below_the_threshold(string query)
    {
        var manager = await app.ClientFor(Roles.ServiceManager);
        var response = await manager.GetAsync($"measures.csv?{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var rows = Rows(await response.Content.ReadAsStringAsync()).ToList();
        Assert.NotEmpty(rows);
        foreach (var row in rows)
        {
            var (numerator, denominator) = (row[3], row[4]);
            Assert.True(numerator is "<5" or ">=5" or "0" || int.Parse(numerator, System.Globalization.CultureInfo.InvariantCulture) >= 5, string.Join(",", row));
            Assert.True(denominator is "" or "<5" or ">=5" or "0" || int.Parse(denominator, System.Globalization.CultureInfo.InvariantCulture) >= 5, string.Join(",", row));
            if (int.TryParse(numerator, out var n) && int.TryParse(denominator, out var d))
            {
                Assert.True(d - n is 0 or >= 5, $"{n} of {d} reveals the rest: {string.Join(",", row)}");
            }

            if (numerator is "<5" or ">=5" || denominator is "<5" or ">=5")
            {
                Assert.Equal("", row[5]);
                Assert.NotEqual("", row[6]); // the note says what is hidden and why
            }
        }

        // Repetition never stands alone: it sits in one group with engagement and mortality.
        var group = rows.Where(r => r[1] == "Came back within 12 months").Select(r => r[0]).Distinct().Single();
        var measures = rows.Where(r => r[0] == group).Select(r => r[1]).ToHashSet();
        Assert.Contains("In contact by 7 days", measures);
        Assert.Contains("Died within 12 months (any cause)", measures);
    }

    /// <summary>
    /// The reported case, on the demo data: Jan–Dec 2026 by site. Any site whose count is hidden
    /// only to protect a small one (its count and its remainder are both 5 or more) reads "5 or
    /// more", never "fewer than 5" (Riverside read "fewer than 5 of 11" when 11 of 11 were assessed).
    /// </summary>
    [Fact]
    public async Task A_group_where_everyone_was_assessed_is_not_shown_as_fewer_than_5()
    {
        var manager = await app.ClientFor(Roles.ServiceManager);
        var report = await app.Read(db => App.Measures.ServiceMeasures.Compute(db, app.Services.GetRequiredService<App.LocalTime>(),
            new App.Measures.MeasureFilter(new DateOnly(2026, 1, 1), new DateOnly(2026, 12, 31)), App.Measures.Breakdown.Site, 5, default));
        var truth = await app.Read(async db =>
        {
            var from = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
            var to = new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero);
            return (await db.Presentations.Where(p => p.ArrivedAt >= from && p.ArrivedAt < to).Select(p => new { p.SiteId, Assessed = p.PsychosocialAssessmentAt != null }).ToListAsync())
                .GroupBy(p => p.SiteId).ToDictionary(g => g.Key, g => (Assessed: g.Count(p => p.Assessed), Of: g.Count()));
        });
        var names = await app.Read(db => db.Sites.ToDictionaryAsync(s => s.Name, s => s.Id));
        var assessed = report.Measures.Single(m => m.Key == "assessed");
        var csv = Rows(await manager.GetStringAsync("measures.csv?from=2026-01&to=2026-12&by=Site")).Where(r => r[1] == "Psychosocial assessment").ToDictionary(r => r[2]);
        var html = await manager.GetStringAsync("measures?from=2026-01&to=2026-12&by=Site");
        foreach (var (site, cell) in report.Parts.Zip(assessed.Parts))
        {
            var (n, d) = truth[names[site]];
            if (cell.Numerator.Suppressed)
            {
                var small = n is > 0 and < 5;
                Assert.Equal(small ? "fewer than 5" : "5 or more", cell.Numerator.Label);
                Assert.Equal(small ? "<5" : ">=5", csv[site][3]);
            }
            else
            {
                Assert.Equal(n, cell.Numerator.Value);
            }

            Assert.Equal(d.ToString(System.Globalization.CultureInfo.InvariantCulture), csv[site][4]);
        }

        Assert.DoesNotContain(report.Parts.Zip(assessed.Parts), p => p.Second.Numerator.Label == "fewer than 5" && truth[names[p.First]].Assessed >= 5);
        Assert.Contains("Psychosocial assessment", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dashboard_is_for_service_managers_and_explains_itself()
    {
        var manager = await app.ClientFor(Roles.ServiceManager);
        var page = await manager.GetStringAsync("measures?by=Site");
        Assert.Contains("Service measures", page, StringComparison.Ordinal);
        Assert.Contains("Repetition, engagement and mortality", page, StringComparison.Ordinal);
        Assert.Contains("repetition on its own says little", page, StringComparison.Ordinal);
        Assert.Contains("<svg", page, StringComparison.Ordinal);
        Assert.DoesNotContain("DEMO0", page, StringComparison.Ordinal);

        var bad = await manager.GetAsync("measures?from=last-tuesday");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("is a month like 2026-04", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var clinician = await app.ClientFor(Roles.Clinician);
        Assert.Equal(HttpStatusCode.Redirect, (await clinician.GetAsync("measures")).StatusCode);
        var csv = await clinician.GetAsync("measures.csv");
        Assert.Equal(HttpStatusCode.Redirect, csv.StatusCode);
        Assert.Contains("/denied", csv.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_registry_export_is_de_identified_and_no_row_can_be_singled_out()
    {
        var export = await app.Read(db => App.Measures.RegistryExport.Handle(db, app.Clock, app.Services.GetRequiredService<App.LocalTime>(), App.Actor.System,
            new DateOnly(2024, 11, 1), new DateOnly(2026, 11, 30), 5, default));
        var rows = Rows(export.Csv).ToList();
        Assert.Equal(string.Join(',', App.Measures.RegistryExport.Columns), export.Csv.Split('\n')[0]);
        Assert.Equal(export.Rows, rows.Count);
        Assert.True(rows.Count > 0);

        // Nothing that names or points at anyone: no identifiers, names, ids or days.
        var (names, mrns) = await app.Read(async db => (
            await db.People.Select(p => p.FamilyName).Distinct().ToListAsync(),
            await db.People.SelectMany(p => p.Identifiers).Select(i => i.Value).ToListAsync()));
        Assert.DoesNotContain(mrns, m => export.Csv.Contains(m, StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(names, n => export.Csv.Contains(n, StringComparison.Ordinal));
        Assert.DoesNotMatch(@"[0-9a-f]{8}-[0-9a-f]{4}-", export.Csv);
        Assert.All(rows, r => Assert.Matches(@"^\d{4}-\d{2}$", r[0]));

        // Every combination that could single someone out is shared by at least 5 rows, or coarsened.
        foreach (var group in rows.GroupBy(r => (r[0], r[1], r[2], r[3])))
        {
            Assert.True(group.Count() >= 5 || group.Key.Item3 == App.Measures.RegistryExport.Suppressed, $"{group.Key} has {group.Count()} rows");
        }

        Assert.All(rows.GroupBy(r => r[0]), g => Assert.True(g.Count() >= 5));
        Assert.Contains(await app.Read(db => db.AuditEvents.Where(a => a.Action == Domain.Audit.AuditAction.RegistryExported).ToListAsync()), a => a.PersonId == null);
    }

    [Fact]
    public async Task A_site_code_a_spreadsheet_would_run_as_a_formula_comes_out_of_the_registry_export_as_text()
    {
        // A site whose code starts with "=", as configuration could name it, where the clinician works.
        var code = $"=SUM({Random.Shared.Next(1000, 9999)})";
        var email = app.User(Roles.Clinician).Email;
        var (siteId, staff) = await app.Read(async db =>
        {
            var site = new Domain.Presentations.Site(Guid.CreateVersion7(), code, "Formula-test site");
            var works = new Domain.Access.StaffSite(await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync(), site.Id);
            db.Sites.Add(site);
            db.StaffSites.Add(works);
            await db.SaveChangesAsync();
            return (site.Id, works);
        });
        try
        {
            var client = await app.ClientFor(Roles.Clinician);
            for (var i = 0; i < 6; i++)
            {
                var response = await client.PostAsJsonAsync("api/presentations",
                    Requests.Presentation(siteId, AftercareApplication.Now.AddDays(-1), newPerson: Requests.NewPerson(Requests.NewMrn())));
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            }

            var file = Path.Combine(Directory.CreateTempSubdirectory("aftercare-registry-").FullName, "registry.csv");
            var run = await CliTests.Aftercare(null, "registry", "export", "--out", file, "--from", "2026-11", "--to", "2026-11", "--db", app.Database);
            Assert.True(run.Code == 0, run.Err);

            var lines = await File.ReadAllLinesAsync(file, TestContext.Current.CancellationToken);
            Assert.Contains(lines, l => l.StartsWith($"2026-11,'{code},", StringComparison.Ordinal));
            Assert.DoesNotContain(lines, l => l.Split(',').Any(cell => cell.StartsWith('=')));
        }
        finally
        {
            await app.Read(db => db.StaffSites.Where(s => s.UserId == staff.UserId && s.SiteId == siteId).ExecuteDeleteAsync());
        }
    }
}
