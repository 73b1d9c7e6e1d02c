//! Server functions, one file per module. Each is thin: who is calling and
//! the state (`guard::caller(Role)`, a role check on the server) -> the
//! server's code -> `AppError`.

pub mod alerts;
pub mod audit;
pub mod billing;
pub mod customers;
pub mod session;
pub mod staff;
pub mod status;
