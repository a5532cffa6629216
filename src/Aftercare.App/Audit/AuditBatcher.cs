using System.Threading.Channels;
using Aftercare.App.Data;
using Aftercare.Domain.Audit;
using Microsoft.Extensions.DependencyInjection;

namespace Aftercare.App.Audit;

/// <summary>
/// Group commit for the audit of reads (issue 16): a read changes nothing but its audit event, and
/// each event must be durable before the answer leaves. Written one commit per read, every read takes
/// the audit chain's lock and waits for its own flush to disk, so concurrent readers queue behind one
/// another. Here one writer drains a channel: the events of every request waiting at that moment are
/// sealed into the chain and committed in one transaction, and each request awaits the commit of the
/// batch that holds its events. Nothing is dropped or delayed past its commit: a request whose batch
/// failed gets the failure, and answers nothing.
/// <para>
/// Written by hand: this is a dozen lines around <see cref="Channel"/>, specific to the chain's
/// sealing in <see cref="AftercareDbContext.SaveChangesAsync(bool, CancellationToken)"/>.
/// </para>
/// </summary>
public sealed class AuditBatcher(IServiceScopeFactory scopes) : IAsyncDisposable
{
    /// <summary>At most this many requests' events share a commit.</summary>
    public const int MaxBatch = 256;

    private sealed record Pending(IReadOnlyList<AuditEvent> Events, TaskCompletionSource Committed);

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _start = new();
    private Task? _writer;

    /// <summary>How many commits the writer has made, and how many requests they carried (for the benchmark and telemetry).</summary>
    public (long Commits, long Requests) Counts => (Interlocked.Read(ref _commits), Interlocked.Read(ref _requests));

    private long _commits;
    private long _requests;

    /// <summary>Returns once these events are committed in the chain; throws if their commit failed.</summary>
    public Task WriteAsync(IReadOnlyList<AuditEvent> events, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return Task.CompletedTask;
        }

        EnsureWriter();
        var pending = new Pending(events, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new InvalidOperationException("The audit writer has stopped: the server is shutting down.");
        }

        // The request may stop waiting (the client went away), but its events are still committed.
        return pending.Committed.Task.WaitAsync(ct);
    }

    private void EnsureWriter()
    {
        if (_writer is not null)
        {
            return;
        }

        lock (_start)
        {
            _writer ??= Task.Run(WriteLoop);
        }
    }

    private async Task WriteLoop()
    {
        var batch = new List<Pending>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<AftercareDbContext>();
                foreach (var pending in batch)
                {
                    db.AuditEvents.AddRange(pending.Events);
                }

                // Sealed into the chain and committed in one transaction (the DbContext's SaveChangesAsync).
                await db.SaveChangesAsync(CancellationToken.None);
                Interlocked.Increment(ref _commits);
                Interlocked.Add(ref _requests, batch.Count);
                foreach (var pending in batch)
                {
                    pending.Committed.TrySetResult();
                }
            }
            catch (Exception e)
            {
                foreach (var pending in batch)
                {
                    pending.Committed.TrySetException(e);
                }
            }
        }
    }

    /// <summary>Stops taking events and waits for those already taken to be committed.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_writer is { } writer)
        {
            await writer;
        }
    }
}
