using Aftercare.Hosting;

namespace Aftercare.Account;

/// <summary>
/// Failed sign-ins counted by where they come from (the client address), before any account is
/// touched (issue 17.7). An address gets a few failures for any one email and some more in all,
/// within a window; past either it is answered 429 and its attempts never reach an account, so they
/// do not count toward the account's lockout. Fewer failures are allowed for one email from one
/// address than lock an account, so no one address can lock a member of staff out; the person
/// signing in from their own computer still can. Kept in memory: a restart forgets it, as it
/// forgets the rate limits.
/// </summary>
public sealed class SignInThrottle(SecurityOptions security, TimeProvider clock)
{
    /// <summary>Past this many entries the expired ones are swept; past it after sweeping, all are (failing open, the lockout still holds).</summary>
    private const int MaxEntries = 100_000;

    private readonly Dictionary<string, Tally> _windows = new(StringComparer.Ordinal);

    private readonly Lock _lock = new();

    private SignInThrottleOptions Options => security.SignInThrottle;

    /// <summary>
    /// Takes one attempt from this address's allowance (and its allowance for this email), or says
    /// how long until it has one again. A right password gives the attempt back.
    /// </summary>
    public TimeSpan? TryBegin(string source, string email)
    {
        var now = clock.GetUtcNow();
        var keys = Keys(source, email);
        lock (_lock)
        {
            Sweep(now);
            var bySource = Current(keys.Source, now);
            var byPair = Current(keys.Pair, now);
            if (bySource.Count >= Options.FailuresPerSource || byPair.Count >= Options.FailuresPerSourceAndAccount)
            {
                var until = bySource.Count >= Options.FailuresPerSource ? bySource.Ends : byPair.Ends;
                return until - now;
            }

            bySource.Count++;
            byPair.Count++;
            return null;
        }
    }

    /// <summary>The password was right: that attempt was no failure.</summary>
    public void GiveBack(string source, string email)
    {
        var keys = Keys(source, email);
        lock (_lock)
        {
            foreach (var key in new[] { keys.Source, keys.Pair })
            {
                if (_windows.TryGetValue(key, out var window) && window.Count > 0)
                {
                    window.Count--;
                }
            }
        }
    }

    public TimeSpan Period => TimeSpan.FromMinutes(Options.WindowMinutes);

    private static (string Source, string Pair) Keys(string source, string email)
    {
        var account = (email ?? "").Trim().ToUpperInvariant();
        // What was typed bounds nothing, so only its first 256 characters key the count.
        account = account.Length > 256 ? account[..256] : account;
        return ("source " + source, "pair " + source + " " + account);
    }

    private Tally Current(string key, DateTimeOffset now)
    {
        if (!_windows.TryGetValue(key, out var window) || window.Ends <= now)
        {
            window = new Tally(now + Period);
            _windows[key] = window;
        }

        return window;
    }

    private void Sweep(DateTimeOffset now)
    {
        if (_windows.Count < MaxEntries)
        {
            return;
        }

        foreach (var key in _windows.Where(w => w.Value.Ends <= now).Select(w => w.Key).ToList())
        {
            _windows.Remove(key);
        }

        if (_windows.Count >= MaxEntries)
        {
            _windows.Clear();
        }
    }

    private sealed class Tally(DateTimeOffset ends)
    {
        public DateTimeOffset Ends { get; } = ends;

        public int Count { get; set; }
    }
}
