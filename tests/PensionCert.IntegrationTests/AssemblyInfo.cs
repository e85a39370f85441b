// The collections share one Azurite account, and several tests prove that a refused request stored nothing by
// counting rows and blobs before and after; another collection seeding pensioners meanwhile would break that proof.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
