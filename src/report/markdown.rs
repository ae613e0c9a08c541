//! The markdown reporter (in progress).
