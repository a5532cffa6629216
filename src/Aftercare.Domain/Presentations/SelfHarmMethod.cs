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
