//! Helpers of the `captures` test.

pub(crate) mod capture_files;
