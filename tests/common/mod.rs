//! Helpers shared by the integration tests.

#![allow(unreachable_pub)]

pub(crate) mod captures;
pub(crate) mod samples;
