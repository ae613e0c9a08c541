//! The sarif reporter (in progress).
