namespace Aftercare.Domain.Referrals;

/// <summary>Kinds of service in the directory: clinical and non-clinical side by side (docs/domain.md rule 13).</summary>
public enum ServiceKind
{
    CommunityMentalHealth,
    Camhs,
    Psychology,
    Gp,
    TalkingTherapies,
    OlderAdultsMentalHealth,
    AlcoholAndDrugs,
    VoluntarySector,
    PeerSupport,
    SocialServices,
}

public static class ServiceKinds
{
    public static bool IsClinical(this ServiceKind kind) =>
        kind is not (ServiceKind.VoluntarySector or ServiceKind.PeerSupport or ServiceKind.SocialServices);

    public static string Describe(this ServiceKind kind) => kind switch
    {
        ServiceKind.CommunityMentalHealth => "Community mental health",
        ServiceKind.Camhs => "Children and young people's mental health (CAMHS)",
        ServiceKind.Psychology => "Psychology",
        ServiceKind.Gp => "GP",
        ServiceKind.TalkingTherapies => "NHS Talking Therapies",
        ServiceKind.OlderAdultsMentalHealth => "Older adults' mental health",
        ServiceKind.AlcoholAndDrugs => "Alcohol and drug service",
        ServiceKind.VoluntarySector => "Voluntary sector",
        ServiceKind.PeerSupport => "Peer support",
        ServiceKind.SocialServices => "Social services",
        _ => kind.ToString(),
    };
}

/// <summary>
/// A service listed in the directory people can be referred to (configuration). Named "listed" so that
/// it is not read as a DI service.
/// </summary>
public sealed class ListedService
{
    private ListedService()
    {
        Code = "";
        Name = "";
    }

    public ListedService(Guid id, string code, string name, ServiceKind kind, string? phone, string? description)
    {
        Id = id;
        Code = code;
        Name = name;
        Kind = kind;
        Phone = phone;
        Description = description;
    }

    public Guid Id { get; private set; }

    public string Code { get; private set; }

    public string Name { get; private set; }

    public ServiceKind Kind { get; private set; }

    public string? Phone { get; private set; }

    public string? Description { get; private set; }

    public bool IsClinical => Kind.IsClinical();

    public void Update(string name, ServiceKind kind, string? phone, string? description) =>
        (Name, Kind, Phone, Description) = (name, kind, phone, description);
}
