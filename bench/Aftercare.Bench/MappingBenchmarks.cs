using System.Text.Json;
using Aftercare.Domain.People;
using Aftercare.Fhir;
using BenchmarkDotNet.Attributes;

namespace Aftercare.Bench;

/// <summary>Writing a Patient with Firely, against a plain System.Text.Json write of the same fields.</summary>
[MemoryDiagnoser]
public class MappingBenchmarks
{
    private Person _person = default!;

    [GlobalSetup]
    public void Setup()
    {
        var now = DateTimeOffset.UtcNow;
        _person = Person.Register(
            new PersonDetails("Synthetic", "Benchmark", new DateOnly(1990, 1, 2), Sex.Female, "07700 900123", "bench@example.org", ContactChannel.TextMessage, "Demo Street Surgery", PriorPsychiatricHistory.No),
            [PersonIdentifier.Create(IdentifierKind.Mrn, "BENCH0001").Value], now, DateOnly.FromDateTime(now.UtcDateTime)).Value;
    }

    [Benchmark(Baseline = true)]
    public string PlainJson() => JsonSerializer.Serialize(new
    {
        resourceType = "Patient", id = _person.Id, name = new[] { new { family = _person.FamilyName, given = new[] { _person.GivenName } } },
        birthDate = _person.DateOfBirth, identifier = _person.Identifiers.Select(i => new { system = FhirSystems.MrnSystem, value = i.Value }),
    });

    [Benchmark]
    public string FirelyPatient() => FhirJson.Serialize(Aftercare.People.PatientFhir.ToPatient(_person));
}
