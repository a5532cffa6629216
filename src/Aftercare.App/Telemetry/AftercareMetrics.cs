using System.Data.Common;
using System.Diagnostics.Metrics;
using Aftercare.App.Data;
using Aftercare.Domain.Messaging;
using Aftercare.Domain.Programme;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Aftercare.App.Telemetry;

/// <summary>
/// Aftercare's own instruments (issue 16, operations), on the "Aftercare" meter. Their tags are fixed
/// words (a channel, a kind of command, why a sign-in failed), never an id, a name or a text: nothing
/// about anyone leaves the server in telemetry. Recording costs nothing when no exporter listens.
/// </summary>
public static class AftercareMetrics
{
    public const string MeterName = "Aftercare";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>A try to send a message that failed, by channel.</summary>
    public static readonly Counter<long> OutboxFailures = Meter.CreateCounter<long>("aftercare.outbox.failures", "{try}", "Tries to send a message that failed");

    /// <summary>A staff or person sign-in that was refused.</summary>
    public static readonly Counter<long> SignInFailures = Meter.CreateCounter<long>("aftercare.signin.failures", "{sign-in}", "Sign-ins refused");

    /// <summary>Time in the database per command, whichever provider.</summary>
    public static readonly Histogram<double> DatabaseDuration = Meter.CreateHistogram<double>("aftercare.db.duration", "s", "Time a database command took");

    public static void SendFailed(MessageChannel channel) => OutboxFailures.Add(1, new KeyValuePair<string, object?>("channel", channel.ToString()));

    public static void SignInFailed(string who) => SignInFailures.Add(1, new KeyValuePair<string, object?>("who", who));

    /// <summary>
    /// Gauges read from the database when an exporter collects (once a minute by default): how long the
    /// oldest due message has waited, and how many contacts are overdue across the service.
    /// </summary>
    public static void ObserveFrom(IMeterFactory meters, IServiceScopeFactory scopes, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(meters);
        // A meter of this application's container (disposed with it), by the same name the exporter listens to.
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("aftercare.outbox.lag", () => Query(scopes, db =>
        {
            var now = clock.GetUtcNow();
            var oldest = db.OutboxMessages.AsNoTracking().Where(m => m.Status == MessageStatus.Pending && m.DueAt <= now).OrderBy(m => m.DueAt).Select(m => (DateTimeOffset?)m.DueAt).FirstOrDefault();
            return oldest is { } due ? (now - due).TotalSeconds : 0;
        }), "s", "How long the oldest message due has waited to be sent");
        meter.CreateObservableGauge("aftercare.worklist.overdue", () => (long)Query(scopes, db =>
        {
            var now = clock.GetUtcNow();
            return db.Contacts.AsNoTracking().Count(c => c.Status == ContactStatus.Due && c.DueAt < now && db.Episodes.Any(e => e.Id == c.EpisodeId && e.Status == EpisodeStatus.Active));
        }), "{contact}", "Contacts past their due time, across the service");
    }

    private static double Query(IServiceScopeFactory scopes, Func<AftercareDbContext, double> read)
    {
        using var scope = scopes.CreateScope();
        try
        {
            return read(scope.ServiceProvider.GetRequiredService<AftercareDbContext>());
        }
        catch (Exception e) when (e is DbException or InvalidOperationException)
        {
            // A gauge that cannot be read is left out of this collection; /health/ready says why.
            return double.NaN;
        }
    }
}

/// <summary>Records each command's time on <see cref="AftercareMetrics.DatabaseDuration"/>, tagged only by the kind of command.</summary>
public sealed class CommandTimingInterceptor : DbCommandInterceptor
{
    public static readonly CommandTimingInterceptor Instance = new();

    public override DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result) => Record("reader", eventData, result);

    public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Record("reader", eventData, result));

    public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result) => Record("non-query", eventData, result);

    public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Record("non-query", eventData, result));

    public override object? ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result) => Record("scalar", eventData, result);

    public override ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Record("scalar", eventData, result));

    private static T Record<T>(string kind, CommandExecutedEventData eventData, T result)
    {
        if (AftercareMetrics.DatabaseDuration.Enabled)
        {
            AftercareMetrics.DatabaseDuration.Record(eventData.Duration.TotalSeconds, new KeyValuePair<string, object?>("db.operation.kind", kind));
        }

        return result;
    }
}
