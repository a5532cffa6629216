using Aftercare.App.Documents;
using Aftercare.Domain.Assessments;
using Aftercare.Domain.People;
using Aftercare.Domain.Plans;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Aftercare.App.Plans;

/// <summary>How it is stored: a care plan, a versioned document, found by when it is due for review.</summary>
internal sealed class CarePlanConfiguration() : VersionedDocumentConfiguration<CarePlan, CarePlanContent>("CarePlans")
{
    public override void Configure(EntityTypeBuilder<CarePlan> builder)
    {
        base.Configure(builder);
        builder.HasOne<Person>().WithMany().HasForeignKey(x => x.PersonId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<PsychosocialAssessment>().WithMany().HasForeignKey(x => x.AssessmentId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(x => x.ReviewBy);
    }
}

/// <summary>How it is stored: each saved version of a care plan.</summary>
internal sealed class CarePlanRevisionConfiguration() : RevisionConfiguration<CarePlanContent>("CarePlanRevisions");
