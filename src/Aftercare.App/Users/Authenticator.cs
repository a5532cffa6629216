using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Aftercare.App.Data;
using Microsoft.AspNetCore.Identity;

namespace Aftercare.App.Users;

/// <summary>
/// The authenticator-app second factor (RFC 6238: HMAC-SHA1, six digits, 30-second steps), with
/// the key kept by Identity in AspNetUserTokens (<c>ResetAuthenticatorKeyAsync</c>). Registered in
/// place of Identity's own provider under <c>TokenOptions.DefaultAuthenticatorProvider</c>, so
/// <c>VerifyTwoFactorTokenAsync</c> reaches it. Identity's provider reads the system clock, accepts
/// codes from 90 seconds either side and accepts the same code as often as it is typed; this one
/// reads the injected clock, accepts one step either side, and accepts each step once: the step of
/// the last accepted code is stored beside the key, and a code of that step or earlier is refused.
/// </summary>
public sealed class Authenticator(TimeProvider clock) : IUserTwoFactorTokenProvider<AftercareUser>
{
    public const string TokenProvider = "Aftercare";

    public const string LastStepToken = "LastTotpStep";

    public const string Issuer = "Aftercare";

    private const int StepSeconds = 30;

    public async Task<bool> CanGenerateTwoFactorTokenAsync(UserManager<AftercareUser> manager, AftercareUser user)
    {
        ArgumentNullException.ThrowIfNull(manager);
        return !string.IsNullOrWhiteSpace(await manager.GetAuthenticatorKeyAsync(user));
    }

    /// <summary>Nothing is sent: the code comes from the person's app.</summary>
    public Task<string> GenerateAsync(string purpose, UserManager<AftercareUser> manager, AftercareUser user) => Task.FromResult("");

    public async Task<bool> ValidateAsync(string purpose, string token, UserManager<AftercareUser> manager, AftercareUser user)
    {
        ArgumentNullException.ThrowIfNull(manager);
        var code = new string([.. (token ?? "").Where(c => !char.IsWhiteSpace(c) && c != '-')]);
        var key = FromBase32(await manager.GetAuthenticatorKeyAsync(user));
        if (key is null || code.Length != 6 || !code.All(char.IsAsciiDigit))
        {
            return false;
        }

        var stored = await manager.GetAuthenticationTokenAsync(user, TokenProvider, LastStepToken);
        var last = long.TryParse(stored, NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? l : -1;
        var now = StepAt(clock.GetUtcNow());
        for (var step = Math.Max(now - 1, last + 1); step <= now + 1; step++)
        {
            if (CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(CodeAt(key, step)), Encoding.ASCII.GetBytes(code)))
            {
                // Saved through the user's concurrency stamp: two requests racing with one code cannot both succeed.
                var saved = await manager.SetAuthenticationTokenAsync(user, TokenProvider, LastStepToken, step.ToString(CultureInfo.InvariantCulture));
                return saved.Succeeded;
            }
        }

        return false;
    }

    public static long StepAt(DateTimeOffset time) => time.ToUnixTimeSeconds() / StepSeconds;

    /// <summary>The key as people type it into an app: lower case, in groups of four.</summary>
    public static string Grouped(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return string.Join(' ', key.ToLowerInvariant().Chunk(4).Select(c => new string(c)));
    }

    /// <summary>The key-URI format authenticator apps read from a QR code or a link.</summary>
    public static string OtpAuthAddress(string email, string key) =>
        ($"otpauth://totp/{Uri.EscapeDataString(Issuer)}:{Uri.EscapeDataString(email)}?secret={key}&issuer={Uri.EscapeDataString(Issuer)}&digits=6&period={StepSeconds}");

    private static string CodeAt(byte[] key, long step)
    {
        Span<byte> counter = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(counter, step);
        Span<byte> hash = stackalloc byte[HMACSHA1.HashSizeInBytes];
        // RFC 6238 and every authenticator app use HMAC-SHA1; HMAC's strength does not rest on SHA-1's collision resistance.
#pragma warning disable CA5350
        HMACSHA1.HashData(key, counter, hash);
#pragma warning restore CA5350
        var offset = hash[^1] & 0xf;
        var binary = ((hash[offset] & 0x7f) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        return (binary % 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
    }

    private static byte[]? FromBase32(string? key)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        if (string.IsNullOrWhiteSpace(key))
        {
            return null;
        }

        var bytes = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (var c in key.ToUpperInvariant().TrimEnd('='))
        {
            var value = alphabet.IndexOf(c, StringComparison.Ordinal);
            if (value < 0)
            {
                return null;
            }

            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                bytes.Add((byte)((buffer >> bits) & 0xff));
            }
        }

        return [.. bytes];
    }
}
