using System.Diagnostics;
using Aftercare.App.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Aftercare.Hosting;

/// <summary>
/// OpenTelemetry traces and metrics (issue 16, operations), exported over OTLP when
/// `Aftercare:Telemetry:OtlpEndpoint` is set. What leaves the server describes the service, never a
/// person: a request is named by its route template (`/people/{id}`), never its path or query (a path
/// can hold a private link's token, a query an NHS number); database spans carry SQL with its
/// parameters as placeholders only; Aftercare's own instruments are tagged with fixed words.
/// </summary>
public static class Telemetry
{
    public const string ServiceName = "aftercare";

    public static IServiceCollection AddAftercareTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var endpoint = configuration["Aftercare:Telemetry:OtlpEndpoint"];
        if (string.IsNullOrWhiteSpace(endpoint) && !configuration.GetValue<bool>("Aftercare:Telemetry:Enabled"))
        {
            return services;
        }

        services.AddHostedService<GaugeStarter>();
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(ServiceName))
            .WithTracing(t => t
                .AddAspNetCoreInstrumentation(o => o.EnrichWithHttpRequest = (activity, _) => activity.SetTag("url.query", null))
                .AddHttpClientInstrumentation()
                .AddSource("Npgsql")
                .AddProcessor(new NoPathsProcessor()))
            .WithMetrics(m => m
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddMeter("Npgsql")
                .AddMeter(AftercareMetrics.MeterName));
        if (!string.IsNullOrWhiteSpace(endpoint))
        {
            telemetry.UseOtlpExporter(OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf, new Uri(endpoint));
        }

        return services;
    }

    /// <summary>Structured JSON console logs, one object per line, when `Aftercare:Logging:Json` is true.</summary>
    public static ILoggingBuilder AddAftercareLogFormat(this ILoggingBuilder logging, IConfiguration configuration)
    {
        if (configuration.GetValue<bool>("Aftercare:Logging:Json"))
        {
            logging.AddJsonConsole(o => o.IncludeScopes = true);
        }

        return logging;
    }

    /// <summary>
    /// A finished span keeps the route template and drops the path, the query and the full URL of
    /// the request (AspNetCore's instrumentation records them; an outgoing call's URL is the SMS
    /// gateway's, say, and keeps only its scheme and host: a path can hold an id too).
    /// </summary>
    internal sealed class NoPathsProcessor : BaseProcessor<Activity>
    {
        public override void OnEnd(Activity data)
        {
            ArgumentNullException.ThrowIfNull(data);
            if (data.Kind == ActivityKind.Server)
            {
                var route = data.GetTagItem("http.route") as string;
                data.SetTag("url.path", route ?? "(no route)");
                data.SetTag("url.query", null);
                data.DisplayName = $"{data.GetTagItem("http.request.method")} {route ?? "(no route)"}";
            }
            else if (data.Kind == ActivityKind.Client && data.GetTagItem("url.full") is string full && Uri.TryCreate(full, UriKind.Absolute, out var uri))
            {
                data.SetTag("url.full", uri.GetLeftPart(UriPartial.Authority));
            }
        }
    }

    private sealed class GaugeStarter(System.Diagnostics.Metrics.IMeterFactory meters, IServiceScopeFactory scopes, TimeProvider clock) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            AftercareMetrics.ObserveFrom(meters, scopes, clock);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
