using System.Net;
using Aftercare.Domain.Users;

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
            Assert.True(numerator is "<5" or "0" || int.Parse(numerator, System.Globalization.CultureInfo.InvariantCulture) >= 5, string.Join(",", row));
            Assert.True(denominator is "" or "<5" or "0" || int.Parse(denominator, System.Globalization.CultureInfo.InvariantCulture) >= 5, string.Join(",", row));
            if (int.TryParse(numerator, out var n) && int.TryParse(denominator, out var d))
            {
                Assert.True(d - n is 0 or >= 5, $"{n} of {d} reveals the rest: {string.Join(",", row)}");
            }

            if (numerator == "<5" || denominator == "<5")
            {
                Assert.Equal("", row[5]);
            }
        }

        // Repetition never stands alone: it sits in one group with engagement and mortality.
        var group = rows.Where(r => r[1] == "Came back within 12 months").Select(r => r[0]).Distinct().Single();
        var measures = rows.Where(r => r[0] == group).Select(r => r[1]).ToHashSet();
        Assert.Contains("In contact by 7 days", measures);
        Assert.Contains("Died within 12 months (any cause)", measures);
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
}
