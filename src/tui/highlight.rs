//! Syntax highlighting (placeholder; being written).
