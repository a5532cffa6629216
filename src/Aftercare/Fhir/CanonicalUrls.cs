using Aftercare.Hosting;

namespace Aftercare.Fhir;

/// <summary>
/// Canonical URLs (extensions, code systems, the questionnaire, profiles) that resolve on this
/// server: <c>{public address}/fhir/{Type}/{id}</c>, where <see cref="DefinitionsFhir"/> serves
/// each. The mapping code and the definitions kept in the repo (Fhir/Definitions/*.json) write them
/// under one fixed base, <see cref="Base"/> (the reserved <c>.invalid</c> name, so it can never be a
/// real address); the edge writes that base as the configured public address
/// (<see cref="PublicAddress"/>) on the way out and reads it back on the way in, so a client sends
/// back exactly the URL it was given.
/// </summary>
public static class CanonicalUrls
{
    /// <summary>The base the code is written against; never seen by a client.</summary>
    public const string Base = "https://aftercare.invalid/fhir/";

    /// <summary>The types whose canonical URLs are this server's: what is rewritten on the way in.</summary>
    public static readonly IReadOnlyList<string> Types = ["StructureDefinition", "CodeSystem", "Questionnaire"];

    public const string StructureDefinitionBase = Base + "StructureDefinition/";

    public const string CodeSystemBase = Base + "CodeSystem/";

    /// <summary>This server's FHIR base as canonical URLs begin, e.g. <c>https://host/fhir/</c>.</summary>
    public static string PublicBase(Uri publicAddress)
    {
        ArgumentNullException.ThrowIfNull(publicAddress);
        return new Uri(publicAddress, "fhir/").AbsoluteUri;
    }

    /// <summary>The same for the app serving this request.</summary>
    public static string PublicBase(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return PublicBase(context.RequestServices.GetRequiredService<PublicAddress>().Base);
    }

    /// <summary>A canonical URL of the code (under <see cref="Base"/>) as a client sees it from this server.</summary>
    public static string Public(string canonical, string publicBase)
    {
        ArgumentNullException.ThrowIfNull(canonical);
        return canonical.StartsWith(Base, StringComparison.Ordinal) ? publicBase + canonical[Base.Length..] : canonical;
    }

    /// <summary>A URL a client sent, as the code knows it: this server's canonical URLs under <see cref="Base"/>, any other as it is.</summary>
    public static string Internal(string url, string publicBase)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(publicBase);
        return Types.Any(t => url.StartsWith(publicBase + t + "/", StringComparison.Ordinal)) ? Base + url[publicBase.Length..] : url;
    }

    /// <summary>
    /// Serialized FHIR JSON on its way out: every string value that is one of this server's
    /// canonical URLs, on the public address. Only whole values that start with the base are
    /// touched (a JSON string opens with a quote; System.Text.Json does not escape '/').
    /// </summary>
    public static string Outward(string json, string publicBase)
    {
        ArgumentNullException.ThrowIfNull(json);
        return json.Replace("\"" + Base, "\"" + publicBase, StringComparison.Ordinal);
    }

    /// <summary>FHIR JSON a client sent: this server's canonical URLs (of <see cref="Types"/>) as the code knows them.</summary>
    public static string Inward(string json, string publicBase)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(publicBase);
        foreach (var type in Types)
        {
            json = json.Replace($"\"{publicBase}{type}/", $"\"{Base}{type}/", StringComparison.Ordinal);
        }

        return json;
    }
}
