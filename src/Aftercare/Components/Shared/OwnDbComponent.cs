using Aftercare.App.Data;
using Microsoft.AspNetCore.Components;

namespace Aftercare.Components.Shared;

/// <summary>
/// A component that reads on its own. Blazor initialises sibling components concurrently, and a
/// DbContext must never be used by two operations at once, so each such component gets its own
/// scope (and DbContext) rather than the request's.
/// </summary>
public abstract class OwnDbComponent : ComponentBase, IAsyncDisposable
{
    private AsyncServiceScope? _scope;

    [Inject]
    public required IServiceScopeFactory Scopes { get; init; }

    protected AftercareDbContext Db
    {
        get
        {
            _scope ??= Scopes.CreateAsyncScope();
            return _scope.Value.ServiceProvider.GetRequiredService<AftercareDbContext>();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_scope is { } scope)
        {
            await scope.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}
