//! Reusable pieces of the pages.

pub mod error_notice;
pub mod field;
pub mod format;

pub use error_notice::ErrorNotice;
pub use field::FieldError;
