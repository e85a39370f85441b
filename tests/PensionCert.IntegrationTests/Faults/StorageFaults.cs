using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core.Storage;

namespace PensionCert.IntegrationTests.Faults;

/// <summary>How an injected fault looks to the caller.</summary>
public enum FaultMode
{
    /// <summary>The call fails before it reaches storage (nothing written): a timeout or 503.</summary>
    Failed,

    /// <summary>The real call succeeds, then the caller gets a timeout: the response was lost.</summary>
    LostResponse,

    /// <summary>
    /// The real call succeeds, then the caller gets the conflict a lost response produces on a conditional write (the
    /// storage client retried a write that had landed: "already exists" / "condition not met").
    /// </summary>
    LostResponseConflict,
}

/// <summary>
/// Counts every call of the wrapped storage ports (in call order, across ports) and injects one fault at call
/// <see cref="FailAt"/>. Streamed listings (<see cref="IAsyncEnumerable{T}"/>) and properties pass through uncounted.
/// </summary>
public sealed class StorageFaults
{
    /// <summary>Conditional writes: a lost response comes back as a conflict from the storage client's own retry.</summary>
    public static readonly IReadOnlySet<string> ConditionalWrites = new HashSet<string>(StringComparer.Ordinal)
    {
        "SaveEnrollmentAsync", "SaveAsync", "UpdateAsync",
    };

    private readonly object _gate = new();
    private readonly List<string> _calls = [];

    /// <summary>The 1-based call to fail, or null.</summary>
    public int? FailAt { get; private set; }

    /// <summary>The kind of fault.</summary>
    public FaultMode Mode { get; private set; }

    /// <summary>Every counted call since <see cref="Arm"/>: <c>Port.Method</c>.</summary>
    public IReadOnlyList<string> Calls
    {
        get
        {
            lock (_gate) return _calls.ToArray();
        }
    }

    /// <summary>Starts counting from zero; injects <paramref name="mode"/> at call <paramref name="failAt"/> (null: none).</summary>
    public void Arm(int? failAt, FaultMode mode)
    {
        lock (_gate)
        {
            _calls.Clear();
            FailAt = failAt;
            Mode = mode;
        }
    }

    /// <summary>No more faults (calls are still counted).</summary>
    public void Disarm()
    {
        lock (_gate) FailAt = null;
    }

    /// <summary>Records a call; true when it is the one to fail.</summary>
    internal bool Count(string call)
    {
        lock (_gate)
        {
            _calls.Add(call);
            return FailAt == _calls.Count;
        }
    }

    /// <summary>Replaces the registration of <typeparamref name="T"/> with a fault-injecting wrapper of it.</summary>
    public static void Decorate<T>(IServiceCollection services) where T : class
    {
        var descriptor = services.Last(d => d.ServiceType == typeof(T));
        services.Remove(descriptor);
        services.AddSingleton<T>(sp =>
        {
            var inner = (T)(descriptor.ImplementationInstance
                ?? descriptor.ImplementationFactory?.Invoke(sp)
                ?? ActivatorUtilities.CreateInstance(sp, descriptor.ImplementationType!));
            return FaultProxy<T>.Create(inner, sp.GetRequiredService<StorageFaults>());
        });
    }
}

/// <summary>The wrapper <see cref="StorageFaults.Decorate{T}"/> puts around a port.</summary>
public class FaultProxy<T> : DispatchProxy where T : class
{
    private static readonly MethodInfo ThrowAfterOfT = typeof(FaultProxy<T>).GetMethod(nameof(ThrowAfterOfAsync), BindingFlags.NonPublic | BindingFlags.Static)!;

    private T _inner = null!;
    private StorageFaults _faults = null!;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public static T Create(T inner, StorageFaults faults)
    {
        var proxy = Create<T, FaultProxy<T>>();
        var self = (FaultProxy<T>)(object)proxy;
        self._inner = inner;
        self._faults = faults;
        return proxy;
    }

    /// <inheritdoc />
    protected override object? Invoke(MethodInfo? method, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(method);
        var returns = method.ReturnType;
        if (!typeof(Task).IsAssignableFrom(returns)) return Call(method, args);
        var inject = _faults.Count($"{typeof(T).Name}.{method.Name}");
        if (!inject) return Call(method, args);
        var mode = _faults.Mode;
        if (mode == FaultMode.LostResponseConflict && !StorageFaults.ConditionalWrites.Contains(method.Name)) mode = FaultMode.LostResponse;
        Exception fault = mode == FaultMode.LostResponseConflict
            ? new ConcurrencyConflictException("injected: the write landed, its response was lost and the retry conflicted")
            : new StorageUnavailableException(mode == FaultMode.Failed ? "injected: storage failed" : "injected: the write landed, its response was lost");
        if (mode == FaultMode.Failed)
        {
            return returns.IsGenericType
                ? typeof(Task).GetMethod(nameof(Task.FromException), 1, [typeof(Exception)])!.MakeGenericMethod(returns.GetGenericArguments()[0]).Invoke(null, [fault])
                : Task.FromException(fault);
        }
        var task = (Task)Call(method, args)!;
        return returns.IsGenericType
            ? ThrowAfterOfT.MakeGenericMethod(returns.GetGenericArguments()[0]).Invoke(null, [task, fault])
            : ThrowAfterAsync(task, fault);
    }

    private object? Call(MethodInfo method, object?[]? args)
    {
        try
        {
            return method.Invoke(_inner, args);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerException);
            throw;
        }
    }

    private static async Task ThrowAfterAsync(Task call, Exception fault)
    {
        await call;
        throw fault;
    }

    private static async Task<TResult> ThrowAfterOfAsync<TResult>(Task<TResult> call, Exception fault)
    {
        await call;
        throw fault;
    }
}
