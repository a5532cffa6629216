namespace Aftercare.Bench;

/// <summary>A synthetic intake transaction, as an emergency department would send it.</summary>
public static class Intake
{
    public static string Bundle(string mrn, string siteCode) => """
        {"resourceType":"Bundle","type":"transaction","entry":[
          {"fullUrl":"urn:uuid:PATIENT","resource":{"resourceType":"Patient","identifier":[{"system":"urn:aftercare:mrn","value":"MRN"}],"name":[{"family":"Benchmark","given":["Synthetic"]}],"birthDate":"1990-01-02"},"request":{"method":"POST","url":"Patient","ifNoneExist":"identifier=urn:aftercare:mrn|MRN"}},
          {"fullUrl":"urn:uuid:ENCOUNTER","resource":{"resourceType":"Encounter","status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"EMER"},"period":{"start":"ARRIVED"},"serviceProvider":{"identifier":{"system":"urn:aftercare:site","value":"SITE"}}},"request":{"method":"POST","url":"Encounter"}},
          {"fullUrl":"urn:uuid:CONDITION","resource":{"resourceType":"Condition","subject":{"reference":"urn:uuid:PATIENT"},"code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10","code":"X60"}]}},"request":{"method":"POST","url":"Condition"}}
        ]}
        """.Replace("PATIENT", Guid.NewGuid().ToString(), StringComparison.Ordinal)
        .Replace("ENCOUNTER", Guid.NewGuid().ToString(), StringComparison.Ordinal)
        .Replace("CONDITION", Guid.NewGuid().ToString(), StringComparison.Ordinal)
        .Replace("MRN", mrn, StringComparison.Ordinal)
        .Replace("SITE", siteCode, StringComparison.Ordinal)
        .Replace("ARRIVED", DateTimeOffset.UtcNow.AddHours(-1).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
}
