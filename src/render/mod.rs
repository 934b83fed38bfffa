//! Rendering: a View in, files out. Each output kind is a sub-module that takes the View (never
//! the Store, so nothing withheld can reach it) and writes to a sink.

pub mod html;
