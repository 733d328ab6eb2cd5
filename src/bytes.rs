//! Byte-slice helpers for the core modules, written so that they have no panicking path and
//! compile to a few instructions: every range is clamped with `min` first, which the
//! optimiser proves in bounds, so no `Option` is built and no bounds check is left.

// Core logic: no unsafe code (the FFI edge in src/ffi/ is the only place for it).
#![forbid(unsafe_code)]

/// Copies as much of `src` as fits into `dst` (a plain loop: no length-mismatch panic).
pub(crate) fn copy_into(dst: &mut [u8], src: &[u8]) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d = *s;
    }
}

/// `data` split after `n` bytes (all of it if shorter).
pub(crate) fn split(data: &[u8], n: usize) -> (&[u8], &[u8]) {
    data.split_at(n.min(data.len()))
}

/// `buf[from..to]`, clamped to the buffer (empty where the range is not in it).
pub(crate) fn window(buf: &[u8], from: usize, to: usize) -> &[u8] {
    let to = to.min(buf.len());
    &buf[from.min(to)..to]
}

/// The mutable form of `window`.
pub(crate) fn window_mut(buf: &mut [u8], from: usize, to: usize) -> &mut [u8] {
    let to = to.min(buf.len());
    &mut buf[from.min(to)..to]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_clamped() {
        let mut buf = [1u8, 2, 3];
        assert_eq!(split(&buf, 2), (&[1, 2][..], &[3][..]));
        assert_eq!(split(&buf, 9), (&[1, 2, 3][..], &[][..]));
        assert_eq!(window(&buf, 1, 9), [2, 3]);
        assert_eq!(window(&buf, 5, 9), [0u8; 0]);
        assert_eq!(window(&buf, 2, 1), [0u8; 0]);
        window_mut(&mut buf, 0, 2).fill(7);
        assert_eq!(buf, [7, 7, 3]);
        copy_into(&mut buf, &[9; 5]);
        assert_eq!(buf, [9; 3]);
    }
}
