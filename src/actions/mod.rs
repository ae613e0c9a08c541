//! Protocol actions: the layer under the engine that speaks HTTP to a target, one file per
//! concern. Each action takes the run's [`context::TargetContext`] and the case's
//! [`state::FlowState`] and returns a [`context::StepRecord`]: what it observed, the redacted
//! exchanges, and notes. Nothing here schedules cases or judges expectations (that is
//! the engine); nothing here prints.
//!
//! Map, lowest first (an action imports only those above it in this list):
//!
//! ```text
//! docserver   loopback origin that serves the harness's own metadata documents
//! context     the run's target, settings, memo and counters (TargetContext, StepRecord, Driver)
//! record      the records a step returns; one request into the transcript; forms; overrides
//! state       what a case carries between steps (FlowState, Client, ServedDoc)
//! driver      user-agent drivers for the authorization step (auto, form, command, manual)
//! mcp         JSON-RPC requests to the MCP endpoint, under either wire model
//! discovery   RFC 9728 and RFC 8414 metadata, the challenge, a compliant client's defaults
//! register    dynamic client registration (RFC 7591)
//! authorize   the authorization request and the user-agent step
//! token       token endpoint, revocation and introspection
//! cimd        Client ID Metadata Documents: serving them and the `cimd_client` step
//! walk        the happy-path walker (`flow` step) and the clean-up after a case
//! steps       the step dispatcher: one line per action
//! ```

pub mod authorize;
pub mod cimd;
pub mod context;
pub mod discovery;
pub mod docserver;
pub mod driver;
pub mod mcp;
pub mod record;
pub mod register;
pub mod state;
pub mod steps;
pub mod token;
pub mod walk;

pub use context::{StepRecord, StepStop, TargetContext};
