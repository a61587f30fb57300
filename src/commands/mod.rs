//! The commands that talk to AWS, each one's glue between the command line and `deploy`.

pub mod zones;
