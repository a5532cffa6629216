using Microsoft.AspNetCore.DataProtection.KeyManagement;

namespace Aftercare.App.Data;

/// <summary>Rotation of the Data Protection keys that encrypt clinical free text (ADR 0009).</summary>
public static class KeyRing
{
    /// <summary>How long a key is used for new encryption; it decrypts for as long as it is kept.</summary>
    public static readonly TimeSpan KeyLifetime = TimeSpan.FromDays(90);

    /// <summary>
    /// A new key, active from now, so it becomes the default for new values. Earlier keys are kept
    /// and go on decrypting what was written under them.
    /// </summary>
    public static IKey Rotate(IKeyManager keys, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(clock);
        var now = clock.GetUtcNow();
        return keys.CreateNewKey(now, now + KeyLifetime);
    }
}
