using System.Net;
using System.Text;

namespace Aftercare.Tests;

/// <summary>
/// The validator under every test client (<see cref="FhirValidatingHandler"/>) catches what is not R4:
/// each test sends the handler an answer no server of ours would give, through the same handler the
/// app's clients have, and reads the failure an engineer would read.
/// </summary>
public sealed class FhirValidationTests
{
    private static HttpClient ClientAnswering(string body, string contentType = "application/fhir+json") =>
        new(new FhirValidatingHandler(new Answering(body, contentType))) { BaseAddress = new Uri("http://127.0.0.1/") };

    [Fact]
    public async Task A_patient_with_gender_x_fails_the_test_naming_the_test_the_type_and_the_issue()
    {
        using var client = ClientAnswering("""{"resourceType":"Patient","id":"p1","gender":"x"}""");

        var failure = await Assert.ThrowsAsync<FhirValidationException>(() => client.GetAsync("fhir/Patient/p1", TestContext.Current.CancellationToken));

        Assert.Contains(nameof(A_patient_with_gender_x_fails_the_test_naming_the_test_the_type_and_the_issue), failure.Message, StringComparison.Ordinal);
        Assert.Contains("the Patient answered to GET /fhir/Patient/p1", failure.Message, StringComparison.Ordinal);
        Assert.Contains("gender", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_entry_of_a_search_bundle_is_named_by_its_own_type_and_invariant()
    {
        // An abated Condition still active: con-4 says abatement needs inactive, resolved or remission.
        using var client = ClientAnswering("""
            {"resourceType":"Bundle","type":"searchset","total":1,"entry":[{"fullUrl":"http://127.0.0.1/fhir/Condition/c1","resource":
              {"resourceType":"Condition","id":"c1","subject":{"reference":"Patient/p1"},"abatementString":"gone","clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]}},
             "search":{"mode":"match"}}]}
            """);

        var failure = await Assert.ThrowsAsync<FhirValidationException>(() => client.GetAsync("fhir/Condition", TestContext.Current.CancellationToken));

        Assert.Contains("Condition in Bundle (searchset): ", failure.Message, StringComparison.Ordinal);
        Assert.Contains("con-4", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_string_fails_wherever_it_is()
    {
        using var client = ClientAnswering("""{"resourceType":"Patient","id":"p1","name":[{"family":""}]}""");

        var failure = await Assert.ThrowsAsync<FhirValidationException>(() => client.GetAsync("fhir/Patient/p1", TestContext.Current.CancellationToken));

        Assert.Contains("[Patient: 1006 Patient.name.family]", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_that_does_not_parse_as_FHIR_fails_too()
    {
        using var client = ClientAnswering("""{"resourceType":"Patient","colour":"blue"}""");

        var failure = await Assert.ThrowsAsync<FhirValidationException>(() => client.GetAsync("fhir/Patient", TestContext.Current.CancellationToken));

        Assert.Contains("colour", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_valid_patient_and_an_answer_that_is_not_FHIR_pass_untouched()
    {
        using var valid = ClientAnswering("""{"resourceType":"Patient","id":"p1","gender":"female","birthDate":"1993-04-05"}""");
        var response = await valid.GetAsync("fhir/Patient/p1", TestContext.Current.CancellationToken);
        Assert.Contains("female", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);

        using var page = ClientAnswering("<p>not FHIR</p>", "text/html");
        Assert.Equal(HttpStatusCode.OK, (await page.GetAsync("/", TestContext.Current.CancellationToken)).StatusCode);
    }

    /// <summary>An answer fixed in advance, as a server that got it wrong would give it.</summary>
    private sealed class Answering(string body, string contentType) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request, Content = new StringContent(body, Encoding.UTF8, contentType) });
    }
}
