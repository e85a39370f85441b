using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using PensionCert.Core.Certification;

namespace PensionCert.Core.Identity;

/// <summary>
/// The pensioner id of an ID number, by its keyed hash (<see cref="IIdNumberHasher"/>), kept in memory so a repeat
/// submission by ID number skips the identity read. Safe without expiry: a hash maps to one pensioner id for life
/// (the mapping is only ever created, or deleted by erasure), so an entry is either right or names an erased
/// pensioner, whose profile is gone: the submission then reads the identity again (a re-enrolled ID number maps to its
/// new id) and answers 404 if there is none. Holds hashes and opaque ids only, never an ID number. Bounded by
/// <see cref="CertificationOptions.PensionerIdCacheEntries"/>: when full it is emptied and fills again.
/// </summary>
public sealed class PensionerIdCache(IOptions<CertificationOptions> options)
{
    private readonly ConcurrentDictionary<string, string> _ids = new(StringComparer.Ordinal);

    /// <summary>The entries held now.</summary>
    public int Count => _ids.Count;

    /// <summary>The cached pensioner id of <paramref name="idNumberHash"/>, or null.</summary>
    public string? Find(string idNumberHash) => _ids.TryGetValue(idNumberHash, out var id) ? id : null;

    /// <summary>Remembers that <paramref name="idNumberHash"/> maps to <paramref name="pensionerId"/>.</summary>
    public void Remember(string idNumberHash, string pensionerId)
    {
        var max = options.Value.PensionerIdCacheEntries;
        if (max == 0) return;
        // Emptied rather than evicted one by one: small, lock-free, and bounded.
        if (_ids.Count >= max && !_ids.ContainsKey(idNumberHash)) _ids.Clear();
        _ids[idNumberHash] = pensionerId;
    }

    /// <summary>Forgets <paramref name="idNumberHash"/> (its pensioner was erased, or its entry was found stale).</summary>
    public void Forget(string idNumberHash) => _ids.TryRemove(idNumberHash, out _);
}
