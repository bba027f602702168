//! The binary's allocator: mimalloc, entered by its plain functions.

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

/// Extraction allocates many small, short-lived strings and vectors on
/// every worker; mimalloc's per-thread heaps make that cheaper than glibc's
/// malloc and keep the workers from contending for its arena locks
/// (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: Mimalloc = Mimalloc;

/// mimalloc returns freed pages to the OS a second after they empty (a
/// "purge"); on a machine with transparent huge pages each purged page is
/// faulted in again and cleared soon after, as extraction frees and
/// allocates in waves: 17 % of a one-core run over 10 MB was the kernel
/// clearing pages. Kept pages are reused, so peak memory grows only a
/// little (100 MB to JSON: 416 → 433 MB; 1 GB streamed: 173 → 199 MB;
/// docs/benchmarks.md). An explicit `MIMALLOC_PURGE_DELAY` in the
/// environment is left alone.
pub fn keep_freed_pages() {
    /// `mi_option_purge_delay` in mimalloc v3's `mimalloc.h` (enum
    /// `mi_option_e`); libmimalloc-sys has no constant for it.
    const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;
    /// The option's default (v3 `src/options.c`), checked so that a
    /// renumbered enum in a later mimalloc leaves the allocator untouched
    /// instead of changing some other option.
    const DEFAULT_PURGE_DELAY_MS: std::ffi::c_long = 1000;
    unsafe extern "C" {
        fn mi_option_get(option: std::ffi::c_int) -> std::ffi::c_long;
        fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
    }
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    // SAFETY: both functions take an option number and a plain integer;
    // mimalloc documents that options may be set at any time.
    unsafe {
        if mi_option_get(MI_OPTION_PURGE_DELAY) == DEFAULT_PURGE_DELAY_MS {
            mi_option_set(MI_OPTION_PURGE_DELAY, -1);
        }
    }
}

/// Turns transparent huge pages off for this process (Linux), unless
/// `MIMALLOC_ALLOW_THP` in the environment says otherwise. A graph grows
/// through a whole run; with huge pages on, as many distributions set
/// them, each fault of the growing heap takes and clears a fresh 2 MB
/// page, partly used, where 4 KB pages reuse memory the system freed.
/// Over the 100 MB benchmark corpus to JSON (six alternating runs each,
/// pinned to one core): kernel time 0.57 → 0.14 s, user time 4.40 →
/// 4.56 s (the TLB covers less), wall time 5.0 → 4.7 s, peak memory 260
/// → 218 MB; on two cores wall time 2.99 → 2.70 s. A small run pays the
/// TLB's misses without the growth: over 10 MB, user time 0.45 → 0.48 s,
/// and start-up 20 → 29 ms. When the machine is loaded the TLB's misses
/// cost more, and one core may lose (README, performance notes).
pub fn no_transparent_huge_pages() {
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_some() {
        return;
    }
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes one integer argument and the rest
    // zero (prctl(2)); it sets a flag of the process and touches no memory.
    // A kernel without it refuses the call, which leaves things as they
    // were, so the result is not looked at.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1 as libc::c_ulong, 0 as libc::c_ulong, 0 as libc::c_ulong, 0 as libc::c_ulong);
    }
}

/// mimalloc through `mi_malloc`, `mi_zalloc` and `mi_realloc` whenever the
/// alignment asked for is one they give anyway, as the standard library
/// does for the system allocator. The `mimalloc` crate's allocator calls
/// the `_aligned` variants for every allocation, and those leave their
/// fast path for every block over 1 KiB (mimalloc v3 `alloc-aligned.c`:
/// one whose size is not a power of two is over-allocated and aligned by
/// hand), for every reallocation, and when the next free block happens not
/// to be aligned. Larger alignments still go to the `_aligned` functions.
pub struct Mimalloc;

/// Every mimalloc block is a whole number of machine words from an aligned
/// page, so a word's alignment holds for any size (`mi_malloc` rounds sizes
/// up to words); larger alignments are asked for explicitly.
const WORD_ALIGNMENT: usize = std::mem::align_of::<usize>();

unsafe extern "C" {
    fn mi_malloc(size: usize) -> *mut c_void;
    fn mi_zalloc(size: usize) -> *mut c_void;
    fn mi_realloc(block: *mut c_void, new_size: usize) -> *mut c_void;
}

// SAFETY: each method hands the layout to mimalloc, either to a function
// that honours its alignment explicitly or, for alignments up to a word,
// to one whose blocks are always word-aligned (see WORD_ALIGNMENT);
// deallocation is mimalloc's `mi_free` for both kinds of block.
unsafe impl GlobalAlloc for Mimalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= WORD_ALIGNMENT {
            unsafe { mi_malloc(layout.size()) as *mut u8 }
        } else {
            unsafe { mimalloc::MiMalloc.alloc(layout) }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= WORD_ALIGNMENT {
            unsafe { mi_zalloc(layout.size()) as *mut u8 }
        } else {
            unsafe { mimalloc::MiMalloc.alloc_zeroed(layout) }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        unsafe { mimalloc::MiMalloc.dealloc(block, layout) }
    }

    #[inline]
    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if layout.align() <= WORD_ALIGNMENT {
            unsafe { mi_realloc(block as *mut c_void, new_size) as *mut u8 }
        } else {
            unsafe { mimalloc::MiMalloc.realloc(block, layout, new_size) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_of_every_size_have_the_alignment_asked_for() {
        for align in [1, 2, 4, 8, 16, 32, 64] {
            for size in (1..300).chain([1000, 4096, 70_000, 1 << 20]) {
                let layout = Layout::from_size_align(size, align).unwrap();
                unsafe {
                    let block = Mimalloc.alloc(layout);
                    assert!(!block.is_null() && block as usize % align == 0, "alloc {size} {align}");
                    block.write_bytes(0xAB, size);
                    let grown = Mimalloc.realloc(block, layout, size * 3);
                    assert!(!grown.is_null() && grown as usize % align == 0, "realloc {size} {align}");
                    assert!((0..size).all(|i| *grown.add(i) == 0xAB), "realloc keeps the bytes");
                    Mimalloc.dealloc(grown, Layout::from_size_align(size * 3, align).unwrap());
                    let zeroed = Mimalloc.alloc_zeroed(layout);
                    assert!(!zeroed.is_null() && zeroed as usize % align == 0, "zalloc {size} {align}");
                    assert!((0..size).all(|i| *zeroed.add(i) == 0), "zalloc zeroes");
                    Mimalloc.dealloc(zeroed, layout);
                }
            }
        }
    }

    /// (The flag is the test process's own: its other tests allocate as
    /// before, with 4 KB pages.)
    #[cfg(target_os = "linux")]
    #[test]
    fn the_kernel_keeps_huge_pages_from_the_process_unless_the_environment_allows_them() {
        no_transparent_huge_pages();
        // SAFETY: PR_GET_THP_DISABLE takes no arguments and returns the flag.
        let disabled = unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0 as libc::c_ulong, 0 as libc::c_ulong, 0 as libc::c_ulong, 0 as libc::c_ulong) };
        if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() {
            assert_eq!(disabled, 1);
        }
    }
}
