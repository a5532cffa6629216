using Aftercare.App.Documents;
using Aftercare.Domain.People;
using Aftercare.Domain.Plans;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Aftercare.App.Plans;

/// <summary>How it is stored: a safety plan, a versioned document.</summary>
internal sealed class SafetyPlanConfiguration() : VersionedDocumentConfiguration<SafetyPlan, SafetyPlanContent>("SafetyPlans")
{
    public override void Configure(EntityTypeBuilder<SafetyPlan> builder)
    {
        base.Configure(builder);
        builder.HasOne<Person>().WithMany().HasForeignKey(x => x.PersonId).OnDelete(DeleteBehavior.Restrict);
    }
}

/// <summary>How it is stored: each saved version of a safety plan.</summary>
internal sealed class SafetyPlanRevisionConfiguration() : RevisionConfiguration<SafetyPlanContent>("SafetyPlanRevisions");
