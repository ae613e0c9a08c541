//! The html reporter (in progress).
