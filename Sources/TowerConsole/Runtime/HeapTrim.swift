/// Gives the heap's free pages back to the system. Loading a board of thousands of tasks, or a
/// screen of a million-line log, leaves freed memory that glibc keeps for later; the console
/// then sits in tmux for days with that high-water mark resident unless it is returned.
enum HeapTrim {
    static func now() {
        #if os(Linux)
            _ = glibcMallocTrim(0)
        #endif
    }
}

#if os(Linux)
    /// glibc's `malloc_trim` (declared in <malloc.h>, which the Glibc module does not export).
    @_silgen_name("malloc_trim")
    private func glibcMallocTrim(_ pad: Int) -> Int32
#endif
