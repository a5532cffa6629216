namespace Aftercare.Domain.Assessments;

public enum SectionGroup
{
    PersonsAccount,
    Needs,
    Risks,
    Formulation,
}

/// <summary>
/// The sections of a psychosocial assessment (NICE CG133 / NG225; docs/domain.md rule 4): every needs
/// domain and every risk domain is its own narrative section. None of them is a score.
/// Stored by name.
/// </summary>
public enum AssessmentSection
{
    PersonsOwnAccount,

    // Needs
    SkillsStrengthsAndAssets,
    CopingStrategies,
    MentalHealth,
    PhysicalHealth,
    SocialCircumstances,
    FunctioningAndVulnerabilities,
    LifeDifficulties,
    TreatmentNeeds,
    DependentChildren,

    // Risks
    SelfHarmMethodsAndFrequency,
    SuicidalIntent,
    DepressiveSymptoms,
    PsychiatricIllness,
    ContextAndWhatPreceded,
    RiskAndProtectiveFactors,
    CopingThatHelped,
    SignificantRelationships,
    ImmediateAndLongerTermRisks,

    // Bringing it together
    Formulation,
    Outcome,
}

/// <summary>The wording and guidance of each section, for the form, the print view and the letter.</summary>
public sealed record SectionInfo(AssessmentSection Section, SectionGroup Group, string Title, string Guidance);

public static class AssessmentSections
{
    private const string Listen = "Listen first. ";

    public static IReadOnlyList<SectionInfo> All { get; } =
    [
        new(AssessmentSection.PersonsOwnAccount, SectionGroup.PersonsAccount, "In the person's own words",
            "Ask what happened and how they feel now, and write it as they say it. Do not rush; this is their account, not ours."),

        new(AssessmentSection.SkillsStrengthsAndAssets, SectionGroup.Needs, "Skills, strengths and assets",
            Listen + "What are they good at, what do they care about, who and what do they have around them?"),
        new(AssessmentSection.CopingStrategies, SectionGroup.Needs, "Coping strategies",
            "How do they usually get through hard times? What has worked, and what has not?"),
        new(AssessmentSection.MentalHealth, SectionGroup.Needs, "Mental health",
            "Current and past mental-health problems and care, in their words as well as ours."),
        new(AssessmentSection.PhysicalHealth, SectionGroup.Needs, "Physical health",
            "Physical conditions, pain, disability, medicines, and the effects of this self-harm."),
        new(AssessmentSection.SocialCircumstances, SectionGroup.Needs, "Social circumstances",
            "Housing, money, work or study, relationships, caring responsibilities, culture and faith."),
        new(AssessmentSection.FunctioningAndVulnerabilities, SectionGroup.Needs, "Psychosocial and occupational functioning, and vulnerabilities",
            "How day-to-day life is going; anything that makes them more vulnerable (exploitation, isolation, debt)."),
        new(AssessmentSection.LifeDifficulties, SectionGroup.Needs, "Recent and current life difficulties",
            "Including personal and financial problems. What has changed lately?"),
        new(AssessmentSection.TreatmentNeeds, SectionGroup.Needs, "Need for psychological, social, occupational or drug treatment",
            "For associated conditions such as depression, anxiety or substance use. Medication is never the treatment for self-harm itself."),
        new(AssessmentSection.DependentChildren, SectionGroup.Needs, "Needs of any dependent children",
            "Are there children who depend on them? What do those children need now? Follow the safeguarding policy where it applies."),

        new(AssessmentSection.SelfHarmMethodsAndFrequency, SectionGroup.Risks, "Methods and frequency of current and past self-harm",
            "What they did this time and before, how often, and how it has changed. Ask gently; no judgement."),
        new(AssessmentSection.SuicidalIntent, SectionGroup.Risks, "Current and past suicidal intent",
            "What they intended, then and now. Asking about suicide does not put the idea in someone's mind."),
        new(AssessmentSection.DepressiveSymptoms, SectionGroup.Risks, "Depressive symptoms and their relation to self-harm",
            "Mood, sleep, hopelessness, and how these connect with the self-harm."),
        new(AssessmentSection.PsychiatricIllness, SectionGroup.Risks, "Any psychiatric illness and its relation to self-harm",
            "Diagnoses, symptoms and their link, if any, to the self-harm."),
        new(AssessmentSection.ContextAndWhatPreceded, SectionGroup.Risks, "Personal and social context, and what preceded the self-harm",
            "What was happening in the hours and days before? What tends to come before self-harm for them?"),
        new(AssessmentSection.RiskAndProtectiveFactors, SectionGroup.Risks, "Specific risk factors and protective factors",
            "Specific to this person: what makes things more dangerous, and what keeps them safer. Not a score or a level."),
        new(AssessmentSection.CopingThatHelped, SectionGroup.Risks, "Coping strategies that have limited or averted self-harm",
            "What has helped them not act, or act less, before?"),
        new(AssessmentSection.SignificantRelationships, SectionGroup.Risks, "Significant relationships",
            "Who supports them, and who may be a threat (abuse or neglect)? Follow the safeguarding policy where it applies."),
        new(AssessmentSection.ImmediateAndLongerTermRisks, SectionGroup.Risks, "Immediate and longer-term risks",
            "What could happen in the next days, and over the coming months, in plain words."),

        new(AssessmentSection.Formulation, SectionGroup.Formulation, "Formulation",
            "A shared understanding, with the person, of why this happened now and what might help."),
        new(AssessmentSection.Outcome, SectionGroup.Formulation, "Outcome",
            "What was agreed: referrals, the care plan, the safety plan, and who does what next."),
    ];

    public static SectionInfo Info(this AssessmentSection section) => All.Single(s => s.Section == section);

    public static string GroupTitle(this SectionGroup group) => group switch
    {
        SectionGroup.PersonsAccount => "The person's account",
        SectionGroup.Needs => "Needs",
        SectionGroup.Risks => "Risks",
        _ => "Formulation and outcome",
    };
}
