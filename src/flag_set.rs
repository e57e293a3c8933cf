// SPDX-License-Identifier: MIT OR Apache-2.0
//! The operations the library's sets of flags (`StatKinds`, `Events`) share: a newtype over
//! bits with an `ALL` constant gets checked construction, queries and `|`.

/// Implements `from_bits`, `bits`, `contains`, `intersects`, `is_empty`, `intersection`, `|`
/// and `|=` for `$set`, a tuple struct over `$bits` with a constant `ALL`; `$item` names one
/// member in the docs.
macro_rules! flag_set_ops {
    ($set:ident, $bits:ty, $item:literal) => {
        impl $set {
            #[doc = concat!("The set with the given bits; `None` if a bit names no ", $item, ".")]
            #[must_use]
            pub const fn from_bits(bits: $bits) -> Option<$set> {
                if bits & !$set::ALL.0 != 0 {
                    None
                } else {
                    Some($set(bits))
                }
            }

            /// The bits of the set.
            pub const fn bits(self) -> $bits {
                self.0
            }

            #[doc = concat!("Whether every ", $item, " of `other` is in the set.")]
            pub const fn contains(self, other: $set) -> bool {
                self.0 & other.0 == other.0
            }

            #[doc = concat!("Whether the set shares a ", $item, " with `other`.")]
            pub const fn intersects(self, other: $set) -> bool {
                self.0 & other.0 != 0
            }

            /// Whether the set is empty.
            pub const fn is_empty(self) -> bool {
                self.0 == 0
            }

            /// The members of both sets.
            pub const fn intersection(self, other: $set) -> $set {
                $set(self.0 & other.0)
            }
        }

        impl std::ops::BitOr for $set {
            type Output = $set;

            fn bitor(self, other: $set) -> $set {
                $set(self.0 | other.0)
            }
        }

        impl std::ops::BitOrAssign for $set {
            fn bitor_assign(&mut self, other: $set) {
                self.0 |= other.0;
            }
        }
    };
}

pub(crate) use flag_set_ops;
