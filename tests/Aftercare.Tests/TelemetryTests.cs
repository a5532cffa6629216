using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Aftercare.Domain.Users;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Aftercare.Tests;

/// <summary>
/// Issue 16, operations: the traces and metrics an operator's collector receives describe the service
/// (routes, durations, the outbox, the worklist, sign-in failures) and never a person. Read from
/// OpenTelemetry's in-memory exporter, fed by the same pipeline an OTLP exporter would be.
/// </summary>
public sealed class TelemetryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task No_span_or_metric_carries_a_name_an_identifier_an_id_or_a_private_link()
    {
        // Locked: the in-memory exporter adds from other threads while the test reads (ActivityListeners are
        // process-wide, so spans of other test classes running in parallel arrive here too).
        var exportedSpans = new LockedCollection<Activity>();
        var exportedMetrics = new LockedCollection<Metric>();
        await using var app = new AftercareApplication(new() { ["Aftercare:Telemetry:Enabled"] = "true" }, services => services
            .ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(exportedSpans))
            .ConfigureOpenTelemetryMeterProvider(m => m.AddInMemoryExporter(exportedMetrics)));
        await app.InitializeAsync();

        var unique = Guid.NewGuid().ToString("N")[..8];
        var (family, mrn, nhs) = ($"Quillfeather{unique}", Requests.NewMrn(), Requests.NewNhsNumber());
        var clinician = await app.ClientFor(Roles.Clinician);
        var registered = await clinician.PostAsJsonAsync("api/presentations", JsonSerializer.SerializeToNode(Requests.Presentation(await app.SiteId(), AftercareApplication.Now.AddHours(-3),
            newPerson: Requests.NewPerson(mrn, $"Zephyrine{unique}", family, "1993-08-14", nhs))), Ct);
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var personId = (await registered.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("personId").GetGuid();
        Assert.Contains(family, await clinician.GetStringAsync($"people/{personId}", Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await clinician.GetAsync($"fhir/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|{nhs}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await clinician.GetAsync($"fhir/Patient/{personId}", Ct)).StatusCode);
        var token = $"tok{unique}secret";
        await app.AnonymousClient().GetAsync($"my-plan/{token}", Ct);
        var refused = await app.AnonymousClient().PostAsJsonAsync("api/session", new { email = app.User(Roles.Clinician).Email, password = $"wrong-{unique}" }, Ct);
        Assert.NotEqual(HttpStatusCode.OK, refused.StatusCode);

        Assert.True(app.Services.GetRequiredService<TracerProvider>().ForceFlush());
        Assert.True(app.Services.GetRequiredService<MeterProvider>().ForceFlush());
        var spans = exportedSpans.Snapshot();
        var metrics = exportedMetrics.Snapshot();

        var spanTexts = spans.SelectMany(s => s.TagObjects.Select(t => $"{s.DisplayName} {t.Key}={t.Value}").Append(s.DisplayName)).ToList();
        var metricTexts = metrics.SelectMany(MetricTexts).ToList();
        foreach (var secret in new[] { family, mrn, nhs, personId.ToString("D"), personId.ToString("N"), token, unique })
        {
            var leaks = spanTexts.Concat(metricTexts).Where(t => t.Contains(secret, StringComparison.OrdinalIgnoreCase)).Distinct().ToList();
            Assert.True(leaks.Count == 0, string.Join("\n", leaks.Select(l => l.Replace(secret, "<what was typed>", StringComparison.OrdinalIgnoreCase))));
        }

        // And it is worth collecting: requests by their route, time in the database, the operational gauges.
        Assert.Contains(spans, s => s.Kind == ActivityKind.Server && (string?)s.GetTagItem("http.route") == "/people/{Id:guid}" && (string?)s.GetTagItem("url.path") == "/people/{Id:guid}");
        Assert.Contains(spans, s => s.Kind == ActivityKind.Server && ((string?)s.GetTagItem("http.route"))?.StartsWith("/fhir/Patient", StringComparison.Ordinal) == true);
        var names = metrics.Select(m => m.Name).ToHashSet();
        Assert.Superset(new HashSet<string> { "http.server.request.duration", "aftercare.db.duration", "aftercare.signin.failures", "aftercare.outbox.lag", "aftercare.worklist.overdue" }, names);
        Assert.True(Sum(metrics, "aftercare.signin.failures") >= 1);
    }

    private static IEnumerable<string> MetricTexts(Metric metric)
    {
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            var tags = new List<string>();
            foreach (var tag in point.Tags)
            {
                tags.Add($"{tag.Key}={tag.Value}");
            }

            foreach (var t in tags)
            {
                yield return $"{metric.Name} {t}";
            }
        }

        yield return metric.Name;
    }

    private static long Sum(IEnumerable<Metric> metrics, string name)
    {
        long total = 0;
        foreach (var metric in metrics.Where(m => m.Name == name))
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                total += point.GetSumLong();
            }
        }

        return total;
    }
}

/// <summary>A collection the exporters may add to from any thread while the test takes a copy to read.</summary>
internal sealed class LockedCollection<T> : ICollection<T>
{
    private readonly List<T> _items = [];
    private readonly Lock _lock = new();

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _items.Count;
            }
        }
    }

    public bool IsReadOnly => false;

    public List<T> Snapshot()
    {
        lock (_lock)
        {
            return [.. _items];
        }
    }

    public void Add(T item)
    {
        lock (_lock)
        {
            _items.Add(item);
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _items.Clear();
        }
    }

    public bool Contains(T item)
    {
        lock (_lock)
        {
            return _items.Contains(item);
        }
    }

    public void CopyTo(T[] array, int arrayIndex)
    {
        lock (_lock)
        {
            _items.CopyTo(array, arrayIndex);
        }
    }

    public bool Remove(T item)
    {
        lock (_lock)
        {
            return _items.Remove(item);
        }
    }

    public IEnumerator<T> GetEnumerator() => Snapshot().GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
