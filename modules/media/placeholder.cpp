// Replaced by the package implementation.
