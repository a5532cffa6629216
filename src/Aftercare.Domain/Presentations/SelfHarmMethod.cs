namespace Aftercare.Domain.Presentations;

/// <summary>
/// Methods of self-harm in the ICD-10 groups X60–X84 (intentional self-harm), each with a plain
/// label for the form. Stored by name, so the order here can change.
/// </summary>
public enum SelfHarmMethod
{
    MedicationOrDrugs,
    Alcohol,
    ChemicalsOrGases,
    Hanging,
    Drowning,
    Firearm,
    FireOrHeat,
    SharpObject,
    BluntObject,
    JumpingFromHeight,
    MovingObject,
    VehicleCrash,
    OtherSpecified,
    Unspecified,
}

public static class SelfHarmMethods
{
    public static IReadOnlyList<SelfHarmMethod> All { get; } = Enum.GetValues<SelfHarmMethod>();

    public static string Label(this SelfHarmMethod method) => method switch
    {
        SelfHarmMethod.MedicationOrDrugs => "Overdose of medicines or drugs",
        SelfHarmMethod.Alcohol => "Poisoning by alcohol",
        SelfHarmMethod.ChemicalsOrGases => "Poisoning by chemicals, solvents, gases or pesticides",
        SelfHarmMethod.Hanging => "Hanging, strangulation or suffocation",
        SelfHarmMethod.Drowning => "Drowning or submersion",
        SelfHarmMethod.Firearm => "Firearm",
        SelfHarmMethod.FireOrHeat => "Fire, smoke, explosives, steam or hot objects",
        SelfHarmMethod.SharpObject => "Cutting or piercing with a sharp object",
        SelfHarmMethod.BluntObject => "Injury with a blunt object",
        SelfHarmMethod.JumpingFromHeight => "Jumping from a height",
        SelfHarmMethod.MovingObject => "Jumping or lying in front of a moving object",
        SelfHarmMethod.VehicleCrash => "Crashing a motor vehicle",
        SelfHarmMethod.OtherSpecified => "Other specified means",
        SelfHarmMethod.Unspecified => "Means not known",
        _ => method.ToString(),
    };

    /// <summary>The ICD-10 code range of the group, as used for coding (FHIR Condition) and reports.</summary>
    public static string Icd10(this SelfHarmMethod method) => method switch
    {
        SelfHarmMethod.MedicationOrDrugs => "X60–X64",
        SelfHarmMethod.Alcohol => "X65",
        SelfHarmMethod.ChemicalsOrGases => "X66–X69",
        SelfHarmMethod.Hanging => "X70",
        SelfHarmMethod.Drowning => "X71",
        SelfHarmMethod.Firearm => "X72–X74",
        SelfHarmMethod.FireOrHeat => "X75–X77",
        SelfHarmMethod.SharpObject => "X78",
        SelfHarmMethod.BluntObject => "X79",
        SelfHarmMethod.JumpingFromHeight => "X80",
        SelfHarmMethod.MovingObject => "X81",
        SelfHarmMethod.VehicleCrash => "X82",
        SelfHarmMethod.OtherSpecified => "X83",
        SelfHarmMethod.Unspecified => "X84",
        _ => "X84",
    };
}

/// <summary>
/// ICD-10 codes of intentional self-harm (X60–X84) as an emergency department sends them: the
/// three-character category, optionally with the fourth character, the place of occurrence
/// (<c>X78.0</c>, or <c>X780</c> as some systems write it). Kept exactly as sent; each falls in one
/// method group.
/// </summary>
public static class SelfHarmCodes
{
    /// <summary>At most this many distinct codes on one presentation.</summary>
    public const int MaxPerPresentation = 10;

    private static readonly Dictionary<int, string> Titles = new()
    {
        [60] = "Intentional self-poisoning by and exposure to nonopioid analgesics, antipyretics and antirheumatics",
        [61] = "Intentional self-poisoning by and exposure to antiepileptic, sedative-hypnotic, antiparkinsonism and psychotropic drugs, not elsewhere classified",
        [62] = "Intentional self-poisoning by and exposure to narcotics and psychodysleptics [hallucinogens], not elsewhere classified",
        [63] = "Intentional self-poisoning by and exposure to other drugs acting on the autonomic nervous system",
        [64] = "Intentional self-poisoning by and exposure to other and unspecified drugs, medicaments and biological substances",
        [65] = "Intentional self-poisoning by and exposure to alcohol",
        [66] = "Intentional self-poisoning by and exposure to organic solvents and halogenated hydrocarbons and their vapours",
        [67] = "Intentional self-poisoning by and exposure to other gases and vapours",
        [68] = "Intentional self-poisoning by and exposure to pesticides",
        [69] = "Intentional self-poisoning by and exposure to other and unspecified chemicals and noxious substances",
        [70] = "Intentional self-harm by hanging, strangulation and suffocation",
        [71] = "Intentional self-harm by drowning and submersion",
        [72] = "Intentional self-harm by handgun discharge",
        [73] = "Intentional self-harm by rifle, shotgun and larger firearm discharge",
        [74] = "Intentional self-harm by other and unspecified firearm discharge",
        [75] = "Intentional self-harm by explosive material",
        [76] = "Intentional self-harm by smoke, fire and flames",
        [77] = "Intentional self-harm by steam, hot vapours and hot objects",
        [78] = "Intentional self-harm by sharp object",
        [79] = "Intentional self-harm by blunt object",
        [80] = "Intentional self-harm by jumping from a high place",
        [81] = "Intentional self-harm by jumping or lying before moving object",
        [82] = "Intentional self-harm by crashing of motor vehicle",
        [83] = "Intentional self-harm by other specified means",
        [84] = "Intentional self-harm by unspecified means",
    };

    /// <summary>The fourth character of X60–X84: the place of occurrence.</summary>
    private static readonly string[] Places =
    [
        "home", "residential institution", "school, other institution and public administrative area", "sports and athletics area", "street and highway",
        "trade and service area", "industrial and construction area", "farm", "other specified places", "unspecified place",
    ];

    /// <summary>The category number (60–84) and place (0–9, or null) of a code, or null when it is not an X60–X84 code.</summary>
    private static (int Category, int? Place)? Parse(string? code)
    {
        if (code is null || code.Length < 3 || char.ToUpperInvariant(code[0]) != 'X' || !char.IsAsciiDigit(code[1]) || !char.IsAsciiDigit(code[2]))
        {
            return null;
        }

        var category = ((code[1] - '0') * 10) + (code[2] - '0');
        var rest = code[3..];
        int? place = rest switch
        {
            "" => null,
            [var d] when char.IsAsciiDigit(d) => d - '0',
            ['.', var d] when char.IsAsciiDigit(d) => d - '0',
            _ => -1,
        };
        return category is >= 60 and <= 84 && place is not -1 ? (category, place) : null;
    }

    public static bool IsSelfHarm(string? code) => Parse(code) is not null;

    /// <summary>The method group a code falls in, or null when it is not an X60–X84 code.</summary>
    public static SelfHarmMethod? Group(string? code) => Parse(code) is { } parsed
        ? SelfHarmMethods.All.First(m => Covers(m, parsed.Category))
        : null;

    /// <summary>The ICD-10 title of the code (with its place of occurrence), or null when it is not an X60–X84 code.</summary>
    public static string? Title(string? code) => Parse(code) is { } parsed
        ? parsed.Place is { } place ? $"{Titles[parsed.Category]}: {Places[place]}" : Titles[parsed.Category]
        : null;

    /// <summary>
    /// The code that stands for a group chosen on the page, where nothing finer is known: the group's
    /// own code, or the range's "other and unspecified" code (X64, X69, X74); fire and heat
    /// (X75–X77) has none, so its first code stands for it.
    /// </summary>
    public static string ForGroup(SelfHarmMethod method) => method switch
    {
        SelfHarmMethod.MedicationOrDrugs => "X64",
        SelfHarmMethod.ChemicalsOrGases => "X69",
        SelfHarmMethod.Firearm => "X74",
        _ => method.Icd10()[..3],
    };

    private static bool Covers(SelfHarmMethod method, int category)
    {
        var range = method.Icd10().Split('–');
        var from = int.Parse(range[0].AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
        var to = range.Length > 1 ? int.Parse(range[1].AsSpan(1), System.Globalization.CultureInfo.InvariantCulture) : from;
        return category >= from && category <= to;
    }
}
