//! Wire and read-model types: what the server sends to the browser and
//! takes from it, built from domain values. No SQL, no server imports; the
//! server functions in `api` and the pages use them alike.

pub mod alerts;
pub mod audit;
pub mod billing;
pub mod customers;
mod overview_wire;
pub mod session;
pub mod staff;
pub mod status;
pub mod wire;
