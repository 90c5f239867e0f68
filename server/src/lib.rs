//! ossbridge-server
