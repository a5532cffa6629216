namespace Aftercare.Programme;

/// <summary>
/// Marks the page that counts the navigation badge itself, from the lists it shows (<see cref="WorklistBadge"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class CountsTheWorklistBadgeAttribute : Attribute;

/// <summary>
/// The navigation badge's count for one request. Everywhere but the worklist the layout counts it
/// in one query (<c>Worklist.BadgeCount</c>). The worklist page lists the very things the badge
/// counts (the worklist's items, handoffs past their deadline, messages waiting and requests to
/// talk), so there the page hands its count to the layout and the database is not asked twice:
/// measured at national scale (issue 16, docs/performance.md), the badge's count was the page's
/// costliest query. The layout waits for the page; the page always answers, or fails with it.
/// </summary>
public sealed class WorklistBadge
{
    private readonly TaskCompletionSource<int> fromPage = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The count the page handed over (the layout awaits it).</summary>
    public Task<int> FromPage => fromPage.Task;

    public void Counted(int count) => fromPage.TrySetResult(count);

    public void Failed(Exception error) => fromPage.TrySetException(error);
}
