//! Integer helpers that keep 64-bit division out of the image: on 32-bit targets without a
//! 64-bit divide instruction, `u64 / d` and `u64 % d` pull in the compiler's software division
//! routines (about 1 KB on Cortex-M). Dividing by a small divisor in 16-bit steps needs only
//! 32-bit division, which those targets do in hardware. Where 64-bit division is native, it is
//! used as it is (one multiplication for a constant divisor, instead of four steps).

/// `(n / d, n % d)` for a divisor `d` in `1..=65535` (`d == 0` gives `(0, 0)`).
#[cfg(not(target_pointer_width = "64"))]
pub(crate) fn div_rem_small(n: u64, d: u16) -> (u64, u16) {
    let d = u32::from(d);
    let mut quotient = 0u64;
    let mut rem = 0u32;
    for shift in [48u32, 32, 16, 0] {
        // 16 bits of `n` at a time, after the remainder so far (below `d`, so the sum fits).
        let limb = (n.wrapping_shr(shift) & 0xFFFF) as u32;
        let cur = rem.wrapping_shl(16) | limb;
        let q = cur.checked_div(d).unwrap_or(0);
        rem = cur.checked_rem(d).unwrap_or(0);
        quotient = quotient.wrapping_shl(16) | u64::from(q);
    }
    // `rem < d <= u16::MAX`.
    (quotient, rem as u16)
}

/// [`div_rem_small`] where 64-bit division is native: one division (a multiplication when
/// `d` is a constant, as at every call once inlined) instead of four 32-bit steps.
#[cfg(target_pointer_width = "64")]
#[inline]
pub(crate) fn div_rem_small(n: u64, d: u16) -> (u64, u16) {
    let d = u64::from(d);
    match (n.checked_div(d), n.checked_rem(d)) {
        // `rem < d <= u16::MAX`.
        (Some(quotient), Some(rem)) => (quotient, rem as u16),
        _ => (0, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::div_rem_small;

    #[test]
    fn matches_u64_division() {
        let values = [0u64, 1, 9, 10, 61, 62, 63, 65535, 65536, 1 << 32, u64::MAX, u64::MAX - 1, 0x9E37_79B9_7F4A_7C15];
        for n in values
            .into_iter()
            .chain((0..if cfg!(miri) { 100 } else { 2000u64 }).map(|i| i.wrapping_mul(0x2545_F491_4F6C_DD1D)))
        {
            for d in [1u16, 2, 10, 62, 1000, 65535] {
                assert_eq!(div_rem_small(n, d), (n / u64::from(d), (n % u64::from(d)) as u16), "{n} / {d}");
            }
        }
        assert_eq!(div_rem_small(5, 0), (0, 0));
    }
}
