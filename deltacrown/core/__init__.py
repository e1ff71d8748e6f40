"""The shared kernel: mechanisms every domain uses; it knows no domain."""
