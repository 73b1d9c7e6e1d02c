//! Reusable pieces of the pages.

pub mod audit;
pub mod badges;
pub mod chart;
pub mod csv_export;
pub mod data;
pub mod dialog;
pub mod error_notice;
pub mod field;
pub mod language;
pub mod loaded;
pub mod pager;
pub mod passkey;
pub mod session;
pub mod statement;

pub use csv_export::CsvFormatChoice;
#[cfg(feature = "hydrate")]
pub use csv_export::{download, download_as};
pub use dialog::Dialog;
pub use error_notice::ErrorNotice;
pub use field::FieldError;
pub use loaded::loaded;
