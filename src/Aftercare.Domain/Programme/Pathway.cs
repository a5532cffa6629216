using Aftercare.Domain.People;

namespace Aftercare.Domain.Programme;

/// <summary>Which people a pathway is for, by prior contact with mental-health services.</summary>
public enum HistoryFilter
{
    Any,
    NoPriorContact,
}

/// <summary>A brief caring message sent on a day after discharge (docs/domain.md rule 11).</summary>
public sealed record CaringMessageSetting(int Day, string Text);

/// <summary>
/// An aftercare pathway, as configured (docs/domain.md rule 12: pathways are configuration, not code):
/// who it is for, how soon the first contact, the contact schedule, channels, family involvement,
/// default referrals and caring messages.
/// </summary>
public sealed record Pathway(
    string Id,
    string Name,
    int AgeFrom,
    int AgeTo,
    HistoryFilter History,
    int FirstContactWithinHours,
    IReadOnlyList<int> ContactDays,
    IReadOnlyList<ContactChannel> Channels,
    bool InvolveFamily,
    IReadOnlyList<string> DefaultReferrals,
    IReadOnlyList<CaringMessageSetting> CaringMessages)
{
    /// <summary>NG225: a first contact within 48 hours of discharge.</summary>
    public const int MaxFirstContactHours = 48;

    /// <summary>Contact for at least the first 3 months.</summary>
    public const int MinScheduleDays = 90;

    /// <summary>A schedule ends: nothing is planned more than two years out.</summary>
    public const int MaxScheduleDays = 730;

    public bool Fits(int age, PriorPsychiatricHistory history) =>
        age >= AgeFrom && age <= AgeTo && (History == HistoryFilter.Any || history == PriorPsychiatricHistory.No);

    /// <summary>The problems with this pathway's settings, each naming the setting.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Id) || !Id.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            problems.Add("id must be lower-case letters, digits and hyphens");
        }

        if (string.IsNullOrWhiteSpace(Name))
        {
            problems.Add("name is missing");
        }

        if (AgeFrom < 0 || AgeTo > 130 || AgeFrom > AgeTo)
        {
            problems.Add($"ageFrom {AgeFrom} and ageTo {AgeTo} do not make an age band");
        }

        if (FirstContactWithinHours is < 1 or > MaxFirstContactHours)
        {
            problems.Add($"firstContactWithinHours must be 1 to {MaxFirstContactHours} (NG225: within 48 hours of discharge)");
        }

        if (ContactDays.Count == 0 || ContactDays.Any(d => d < 1))
        {
            problems.Add("contactDays must list days after discharge, each 1 or more: a schedule cannot start before discharge");
        }
        else if (ContactDays.Max() > MaxScheduleDays)
        {
            problems.Add($"contactDays must end within {MaxScheduleDays} days: a schedule has to end");
        }
        else if (ContactDays.Max() < MinScheduleDays)
        {
            problems.Add($"contactDays must reach at least day {MinScheduleDays}: aftercare lasts at least the first 3 months");
        }

        if (ContactDays.Distinct().Count() != ContactDays.Count)
        {
            problems.Add("contactDays lists a day twice");
        }

        if (Channels.Count == 0)
        {
            problems.Add("channels is empty");
        }

        if (CaringMessages.Any(m => m.Day < 1 || m.Day > MaxScheduleDays || string.IsNullOrWhiteSpace(m.Text) || m.Text.Length > 320))
        {
            problems.Add($"each caring message needs a day from 1 to {MaxScheduleDays} and a text of at most 320 characters");
        }

        return problems;
    }
}

/// <summary>The configured pathways, with the version of the file they came from.</summary>
public sealed record PathwaySet(string Version, IReadOnlyList<Pathway> Pathways)
{
    public Pathway? Find(string id) => Pathways.FirstOrDefault(p => p.Id == id);

    /// <summary>
    /// The suggested pathway: the one for the person's age band, preferring a first-contact variant
    /// for people with no prior contact with mental-health services (docs/domain.md rule 12).
    /// </summary>
    public Pathway? Suggest(int age, PriorPsychiatricHistory history) =>
        Pathways.Where(p => p.Fits(age, history))
            .OrderByDescending(p => p.History == HistoryFilter.NoPriorContact)
            .ThenBy(p => p.AgeTo - p.AgeFrom)
            .FirstOrDefault();

    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Version))
        {
            problems.Add("version is missing");
        }

        if (Pathways.Count == 0)
        {
            problems.Add("no pathways are configured");
        }

        foreach (var duplicate in Pathways.GroupBy(p => p.Id).Where(g => g.Count() > 1))
        {
            problems.Add($"pathway id \"{duplicate.Key}\" is used twice");
        }

        for (var age = 0; age <= 120; age++)
        {
            if (Pathways.All(p => !p.Fits(age, PriorPsychiatricHistory.Yes)))
            {
                problems.Add($"no pathway covers age {age}");
                break;
            }
        }

        return problems;
    }
}
