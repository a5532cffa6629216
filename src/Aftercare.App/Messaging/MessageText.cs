using Aftercare.App.Sites;
using Aftercare.Domain.Messaging;

namespace Aftercare.App.Messaging;

/// <summary>
/// What closes every message to the person: the team of their care, its number and when it is
/// answered ("We're here if you want to talk" helps only with a number to call). The same words
/// show under each message on the person's record, so staff read what the person reads.
/// </summary>
public static class MessageText
{
    public static string SignOff(SiteSetting? team, MessageChannel channel)
    {
        if (team is null)
        {
            return "";
        }

        var phone = string.IsNullOrWhiteSpace(team.Phone) ? null : team.Phone.Trim();
        if (channel == MessageChannel.Sms)
        {
            // A text is short: the team and its number, which the phone makes tappable.
            return phone is null ? $"- {team.Name}" : $"- {team.Name}, {phone}";
        }

        var call = phone is null ? "" : $" Call us on {phone}{(string.IsNullOrWhiteSpace(team.Hours) ? "" : $" ({team.Hours.Trim()})")}.";
        return $"Your aftercare team, {team.Name}.{call}";
    }
}
