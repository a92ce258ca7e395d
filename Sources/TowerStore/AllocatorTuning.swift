#if canImport(Glibc)
    import CMalloc
#endif

/// glibc gives freed memory at the top of a heap back to the kernel once more than 128 KiB is
/// free there. A SQLite reader drops its whole page cache (up to `cache_size`, 512 KiB here)
/// whenever another connection committed since its last read, which with the engine running is
/// every read: each reader thread then frees and re-allocates half a megabyte per read, and the
/// kernel unmaps and faults it back in, with a TLB shootdown across cores each time. On two cores
/// that cost more than the reads and writes themselves (`tower-bench workflow`: about 470 tasks/s
/// with glibc's default, about 700 with a 4 MiB threshold). Keeping up to 4 MiB free per heap
/// costs at most that much resident memory per allocator arena.
enum AllocatorTuning {
    /// The threshold above which free memory at a heap's top is returned to the kernel.
    static let trimThreshold: Int32 = 4 << 20

    /// Applied once per process, when the first SQLite store is opened; whether glibc took it.
    static let applied: Bool = {
        #if canImport(Glibc)
            return mallopt(M_TRIM_THRESHOLD, trimThreshold) == 1
        #else
            return false
        #endif
    }()
}
