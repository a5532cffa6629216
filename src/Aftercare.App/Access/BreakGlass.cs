using Aftercare.App.Data;
using Aftercare.Domain;

namespace Aftercare.App.Access;

/// <summary>
/// Breaking the glass: someone outside the care team opens one person's record in an emergency,
/// with a coded reason, their own words and their password again. It lasts a few hours, is
/// audited with its purpose, and waits on the privacy lead's review queue until signed off.
/// </summary>
public static class BreakGlass
{
    public static readonly TimeSpan Duration = TimeSpan.FromHours(4);

    public const string EnterPassword = "Enter your password to confirm it is you.";

    public static string WrongPassword(int tries, TimeSpan lockout) =>
        $"That password is not right. Enter the password you sign in with; after {Words.Count(tries, "failed try")} your account is locked for {Words.Count((int)lockout.TotalMinutes, "minute")}.";
}
