using System.Linq.Expressions;
using System.Reflection;
using System.Text.Json;
using Aftercare.Domain.Access;
using Aftercare.Domain.Assessments;
using Aftercare.Domain.Consent;
using Aftercare.Domain.Documents;
using Aftercare.Domain.Interventions;
using Aftercare.Domain.Messaging;
using Aftercare.Domain.Plans;
using Aftercare.Domain.Presentations;
using Aftercare.Domain.Programme;
using Aftercare.Domain.Referrals;
using Aftercare.Domain.Sharing;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Data;

/// <summary>
/// The clinical free text encrypted at rest (ADR 0009): every narrative or JSON column holding
/// what clinicians or the person wrote. Names, dates of birth and identifiers stay in clear,
/// because search finds people by them; nothing here is ever queried by value.
/// </summary>
public static class EncryptedFields
{
    public static IReadOnlyList<EncryptedField> All { get; } =
    [
        Text<Presentation>(x => x.MedicalTreatmentNotes, 2000),
        Text<Presentation>(x => x.EnteredInErrorReason, 1000),
        Json<PsychosocialAssessment>(x => x.Content),
        Json<Revision<AssessmentContent>>(x => x.Content),
        Text<Revision<AssessmentContent>>(x => x.AmendmentReason, 1000),
        Json<CarePlan>(x => x.Content),
        Json<Revision<CarePlanContent>>(x => x.Content),
        Text<Revision<CarePlanContent>>(x => x.AmendmentReason, 1000),
        Json<SafetyPlan>(x => x.Content),
        Json<Revision<SafetyPlanContent>>(x => x.Content),
        Text<Revision<SafetyPlanContent>>(x => x.AmendmentReason, 1000),
        Text<Share>(x => x.What, 300),
        Text<Share>(x => x.Recipient, 200),
        Text<Share>(x => x.Purpose, 300),
        Text<Share>(x => x.ConsentBasis, 500),
        Text<Episode>(x => x.OtherPathwayReason, 1000),
        Text<Episode>(x => x.CloseNote, 1000),
        Json<ScheduledContact>(x => x.Attempts),
        Text<Referral>(x => x.Reason, 2000),
        Json<Referral>(x => x.Steps),
        Text<TherapyCourse>(x => x.ReasonOutsideRange, 1000),
        // Who gives the therapy, their training and their supervision: free text that can name people.
        Text<TherapyCourse>(x => x.Therapist, 200),
        Text<TherapyCourse>(x => x.TherapistTraining, 1000),
        Text<TherapyCourse>(x => x.Supervision, 1000),
        Text<Medication>(x => x.Name, 200),
        Text<Medication>(x => x.Condition, 200),
        Text<Medication>(x => x.QuantitySupplied, 100),
        Text<OutboxMessage>(x => x.To, 200),
        Text<OutboxMessage>(x => x.Subject, 200),
        Text<OutboxMessage>(x => x.Body, 4000),
        Text<OutboxMessage>(x => x.Calendar, null),
        // Kept only until the worker puts it in the link; a link is found by OptOutTokenHash.
        Text<OutboxMessage>(x => x.OptOutToken, 64),
        // Typed by staff: a language can say much about a person (and is free text, not a code).
        Text<MessagePreferences>(x => x.Language, 20),
        Text<BreakGlassGrant>(x => x.Justification, BreakGlassGrant.MaxJustification),
        Text<BreakGlassGrant>(x => x.ReviewNote, BreakGlassGrant.MaxJustification),
        Text<ConsentDecision>(x => x.Whom, 200),
        Text<ConsentDecision>(x => x.WhatTheyMayKnow, ConsentDecision.MaxText),
        Text<ConsentDecision>(x => x.WithdrawnNote, ConsentDecision.MaxText),
        Text<SafeguardingConcern>(x => x.Concern, SafeguardingConcern.MaxText),
        Text<SafeguardingConcern>(x => x.ReportedTo, 200),
        Text<SafeguardingConcern>(x => x.ReportReference, 100),
        Text<SafeguardingConcern>(x => x.NoReportReason, SafeguardingConcern.MaxText),
        Text<Domain.Feedback.FeedbackResponse>(x => x.Comments, Domain.Feedback.FeedbackResponse.MaxComments),
        // A bulk export's output: whole records as FHIR, kept only until the export expires.
        Text<Bulk.BulkExportFile>(x => x.Content, null),
        // The name the person gave their phone ("Jo's old phone"): theirs, and may name someone.
        Text<Domain.People.PersonPasskey>(x => x.DeviceName, Domain.People.PersonPasskey.MaxDeviceName),
        // What the person and their care team wrote to each other, and what the person asked to talk about.
        Text<PersonMessage>(x => x.Text, PersonMessage.MaxText),
        Text<Domain.Programme.TalkRequest>(x => x.Note, Domain.Programme.TalkRequest.MaxNote),
    ];

    private static readonly Dictionary<Type, EncryptedField[]> ByType = All.GroupBy(f => f.EntityType).ToDictionary(g => g.Key, g => g.ToArray());

    public static EncryptedField[] For(Type entityType) => ByType.GetValueOrDefault(entityType) ?? [];

    /// <summary>
    /// Maps each field's column to a shadow property holding its ciphertext; the domain property
    /// itself is not mapped, and is filled and read by <see cref="FieldEncryption"/>.
    /// </summary>
    public static void MapEncryptedFields(this ModelBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (var field in All)
        {
            var entity = builder.Entity(field.EntityType);
            entity.Ignore(field.Property.Name);
            var stored = entity.Property<string>(field.StoredName).HasColumnName(field.Property.Name).IsRequired(field.Required);
            if (field.PlaintextMaxLength is { } max)
            {
                stored.HasMaxLength(StoredLength(max));
            }
        }
    }

    /// <summary>
    /// The column length for a plaintext limit: UTF-8 at up to 3 bytes a character, Data
    /// Protection's header, IV and MAC (about 84 bytes) and padding, in base64url, and the prefix.
    /// The domain keeps validating the plaintext's own limit.
    /// </summary>
    public static int StoredLength(int plaintextMaxLength) => 4 * plaintextMaxLength + 200;

    private static EncryptedField Text<T>(Expression<Func<T, string?>> property, int? maxLength) =>
        new(typeof(T), PropertyOf(property), null, maxLength);

    private static EncryptedField Json<T>(Expression<Func<T, object?>> property) =>
        new(typeof(T), PropertyOf(property), PropertyOf(property).PropertyType, null);

    private static PropertyInfo PropertyOf(LambdaExpression expression)
    {
        var body = expression.Body is UnaryExpression { NodeType: ExpressionType.Convert } convert ? convert.Operand : expression.Body;
        var member = ((MemberExpression)body).Member;
        // The declaring type's PropertyInfo: a private setter in a base class is invisible from the derived one.
        return member.DeclaringType!.GetProperty(member.Name, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)!;
    }
}

/// <summary>One encrypted column: plain text, or a value stored as JSON (<see cref="JsonType"/>).</summary>
public sealed class EncryptedField(Type entityType, PropertyInfo property, Type? jsonType, int? plaintextMaxLength)
{
    private static readonly NullabilityInfoContext Nullability = new();

    public Type EntityType { get; } = entityType;

    public PropertyInfo Property { get; } = property;

    public Type? JsonType { get; } = jsonType;

    public int? PlaintextMaxLength { get; } = plaintextMaxLength;

    /// <summary>The shadow property that holds the ciphertext, in the column named after the domain property.</summary>
    public string StoredName { get; } = "Encrypted" + property.Name;

    public bool Required { get; } = jsonType is not null || Nullability.Create(property).ReadState == NullabilityState.NotNull;

    public string? ReadPlaintext(object entity)
    {
        var value = Property.GetValue(entity);
        return JsonType is null ? (string?)value : value is null ? null : JsonSerializer.Serialize(value, JsonType, JsonContent.Options);
    }

    public void WritePlaintext(object entity, string? plaintext) =>
        Property.SetValue(entity, JsonType is null || plaintext is null ? plaintext : JsonSerializer.Deserialize(plaintext, JsonType, JsonContent.Options));
}
