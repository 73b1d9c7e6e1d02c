//! Server functions, one file per module. Each is thin: who is calling (a
//! role check on the server) -> domain / repository -> `AppError`.

pub mod audit;
pub mod billing;
pub mod customers;
pub mod session;
pub mod staff;
pub mod status;
