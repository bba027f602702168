//! Deterministic pseudo-random numbers for randomized tests (Marsaglia's
//! xorshift): the same inputs on every run and machine, no crate needed.

/// A 32-bit xorshift generator; `seed` must not be 0.
pub fn xorshift32(seed: u32) -> impl FnMut() -> u32 {
    let mut state = seed;
    move || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        state
    }
}

/// A 64-bit xorshift generator; `seed` must not be 0.
pub fn xorshift64(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}

/// `len` characters drawn from `alphabet` by `next`, as a `String` or a
/// `Vec<char>`.
pub fn random_text<T: FromIterator<char>, N: Into<u64>>(alphabet: &[char], len: usize, next: &mut impl FnMut() -> N) -> T {
    (0..len).map(|_| alphabet[(next().into() % alphabet.len() as u64) as usize]).collect()
}
